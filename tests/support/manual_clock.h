#pragma once
// The test toolkit's clock: time moves only when a test (or a sleeping coroutine) moves it, and it
// counts in-flight transport so a test can check that the accounting balances.

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/clock.h"

namespace kexsim::testing {

/// 2026-01-01T00:00:00Z, the start of every test's virtual day.
inline constexpr TimePoint kTestEpoch = TimePoint(Duration(1767225600LL * 1000000));

/// A Clock for unit tests: sleep_for() advances time at once (within run(), in deadline order); advance()
/// moves it by hand.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start = kTestEpoch) : now_(start) {}
  /// A clock starting at a Unix second.
  static ManualClock at_unix(int64_t seconds) { return ManualClock(TimePoint(std::chrono::seconds(seconds))); }

  TimePoint now() const override { return now_; }
  asio::awaitable<void> sleep_for(Duration d) override {
    if (!ordered_) {
      now_ += d;
      co_return;
    }
    // Ordered: run(io) wakes the earliest sleeper once nothing else is ready, as sim::VirtualClock does.
    asio::steady_timer timer(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    const std::pair<TimePoint, uint64_t> me{now_ + d, next_sleeper_++};
    sleepers_[me] = &timer;
    struct Leave {  // also when the coroutine is destroyed mid-sleep
      std::map<std::pair<TimePoint, uint64_t>, asio::steady_timer*>& sleepers;
      std::pair<TimePoint, uint64_t> me;
      ~Leave() { sleepers.erase(me); }
    } leave{sleepers_, me};
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  /// Runs io to its end with sleepers woken in deadline order (equal ones in the order they slept): time
  /// moves to the earliest sleeper's deadline only when no handler is ready. For tests where two
  /// coroutines sleep at once (a watch until its end, the server's ticker until a pod's change).
  void run(asio::io_context& io) {
    ordered_ = true;
    for (;;) {
      io.restart();
      if (io.poll() > 0) continue;
      if (!sleepers_.empty()) {
        auto first = sleepers_.begin();
        now_ = std::max(now_, first->first.first);
        first->second->cancel();
        sleepers_.erase(first);
        continue;
      }
      io.restart();
      if (io.run_one() == 0) break;  // nothing left but, perhaps, real sockets still talking
    }
    ordered_ = false;
  }
  void io_begin() override { ++in_flight_; }
  void io_end() override {
    --in_flight_;
    min_in_flight_ = std::min(min_in_flight_, in_flight_);
  }

  /// Moves time forward by d.
  void advance(Duration d) { now_ += d; }
  /// Sets the time.
  void set(TimePoint t) { now_ = t; }
  /// Requests and messages counted in flight now (0 when balanced).
  int64_t in_flight() const { return in_flight_; }
  /// The lowest in-flight count seen; below 0 means an io_end() without its io_begin().
  int64_t min_in_flight() const { return min_in_flight_; }

 private:
  TimePoint now_;
  bool ordered_ = false;
  uint64_t next_sleeper_ = 0;
  std::map<std::pair<TimePoint, uint64_t>, asio::steady_timer*> sleepers_;  ///< (deadline, order slept)
  int64_t in_flight_ = 0;
  int64_t min_in_flight_ = 0;
};

}  // namespace kexsim::testing

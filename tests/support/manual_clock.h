#pragma once
// The test toolkit's clock: time moves only when a test (or a sleeping coroutine) moves it, and it
// counts in-flight transport so a test can check that the accounting balances.

#include <algorithm>
#include <cstdint>

#include "base/clock.h"

namespace kexsim::testing {

/// 2026-01-01T00:00:00Z, the start of every test's virtual day.
inline constexpr TimePoint kTestEpoch = TimePoint(Duration(1767225600LL * 1000000));

/// A Clock for unit tests: sleep_for() advances time at once; advance() moves it by hand.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start = kTestEpoch) : now_(start) {}
  /// A clock starting at a Unix second.
  static ManualClock at_unix(int64_t seconds) { return ManualClock(TimePoint(std::chrono::seconds(seconds))); }

  TimePoint now() const override { return now_; }
  asio::awaitable<void> sleep_for(Duration d) override {
    now_ += d;
    co_return;
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
  int64_t in_flight_ = 0;
  int64_t min_in_flight_ = 0;
};

}  // namespace kexsim::testing

#pragma once
// Virtual time for a simulation run, and the driver that advances it only when the world is idle.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/result.h"

namespace kexsim::sim {

/// A Clock whose time moves only when run_until() finds nothing ready and nothing in flight;
/// then it jumps to the earliest sleeper's deadline (equal deadlines in the order they slept).
class VirtualClock : public Clock {
 public:
  VirtualClock(boost::asio::io_context& io, TimePoint start);

  TimePoint now() const override { return now_; }
  asio::awaitable<void> sleep_for(Duration d) override;
  void io_begin() override { ++in_flight_; }
  void io_end() override { --in_flight_; }

  /// Runs the io_context until done() holds. Fails if the world stalls (nothing can ever happen
  /// again) or virtual time passes `limit` since the start.
  Status run_until(const std::function<bool()>& done, Duration limit);

  /// Time elapsed since the clock started.
  Duration elapsed() const { return now_ - start_; }
  /// Messages and requests currently in flight (for tests and diagnostics).
  int64_t in_flight() const { return in_flight_; }

 private:
  using Key = std::pair<TimePoint, uint64_t>;

  boost::asio::io_context& io_;
  TimePoint start_;
  TimePoint now_;
  int64_t in_flight_ = 0;
  uint64_t next_seq_ = 0;
  /// Sleepers by deadline; a sleeper whose coroutine was destroyed has expired and is skipped.
  std::map<Key, std::weak_ptr<boost::asio::steady_timer>> sleepers_;
};

}  // namespace kexsim::sim

#pragma once
// Virtual time for a simulation run, and the driver that advances it only when the world is idle.

#include <chrono>
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

/// How long run_until() waits in wall time, with requests or messages in flight and no handler
/// running, before it calls the in-flight accounting unbalanced; and how long virtual time may stand
/// still while handlers run (a busy loop). Loopback delivers in microseconds and a whole scenario
/// takes milliseconds; the bound only has to outlast a loaded or sanitizer-slowed machine.
inline constexpr std::chrono::milliseconds kDefaultStallTimeout{10000};

/// A Clock whose time moves only when run_until() finds nothing ready and nothing in flight;
/// then it jumps to the earliest sleeper's deadline (equal deadlines in the order they slept).
class VirtualClock : public Clock {
 public:
  VirtualClock(boost::asio::io_context& io, TimePoint start);

  TimePoint now() const override { return now_; }
  asio::awaitable<void> sleep_for(Duration d) override;
  void io_begin() override { ++in_flight_; }
  void io_end() override { --in_flight_; }

  /// Runs the io_context until done() holds. Fails, instead of hanging or throwing, when the world
  /// stalls (nothing can ever happen again), when virtual time passes `limit` since the start, when
  /// something is in flight but no handler has run for the stall timeout (a leaked io_begin), when
  /// virtual time has not moved for the busy-loop timeout (a busy loop), when the in-flight count is
  /// negative (an io_end without its io_begin), and when an exception escapes a handler (a fake's,
  /// the executor's or the shell model's).
  Status run_until(const std::function<bool()>& done, Duration limit);

  /// Sets the in-flight watchdog's bound (kDefaultStallTimeout unless set; tests use a few ms).
  void set_stall_timeout(std::chrono::milliseconds timeout) { stall_timeout_ = timeout; }
  /// Sets the busy-loop watchdog's bound (kDefaultStallTimeout unless set; tests use a few ms). It
  /// fires once that much wall time passed at one virtual instant while coroutines kept polling the
  /// clock with zero-length sleeps, or after ten times as long in any case: a thousand jobs starting
  /// at the same instant are real work, not a loop.
  void set_busy_loop_timeout(std::chrono::milliseconds timeout) { busy_loop_timeout_ = timeout; }

  /// Time elapsed since the clock started.
  Duration elapsed() const { return now_ - start_; }
  /// Requests and messages currently in flight (for diagnostics).
  int64_t in_flight() const { return in_flight_; }

 private:
  using Key = std::pair<TimePoint, uint64_t>;

  Status drive(const std::function<bool()>& done, Duration limit);

  boost::asio::io_context& io_;
  TimePoint start_;
  TimePoint now_;
  int64_t in_flight_ = 0;
  uint64_t next_seq_ = 0;
  std::chrono::milliseconds stall_timeout_ = kDefaultStallTimeout;
  std::chrono::milliseconds busy_loop_timeout_ = kDefaultStallTimeout;
  uint64_t zero_sleeps_ = 0;  ///< sleeps that asked for no time at all: what a polling loop does
  /// Sleepers by deadline; a sleeper whose coroutine was destroyed has expired and is skipped.
  std::map<Key, std::weak_ptr<boost::asio::steady_timer>> sleepers_;
};

}  // namespace kexsim::sim

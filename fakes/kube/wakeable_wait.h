#pragma once
// A coroutine's sleep on the Clock that others cut short: the fake API server's watches and its lifecycle
// ticker sleep until their next due time, and a write, a cancel or an armed disruption wakes them early.

#include <memory>
#include <set>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"

namespace kexsim::fakes {

/// One sleeper's wait: until(when) returns at `when` on the clock or at the next wake(), whichever is first.
class WakeableWait : public std::enable_shared_from_this<WakeableWait> {
 public:
  explicit WakeableWait(Clock& clock) : clock_(clock) {}

  /// Sleeps until `when` (TimePoint::max(): until woken) or a wake(); one wait at a time.
  asio::awaitable<void> until(TimePoint when);
  /// Ends the wait in progress, if any (a wake with nobody waiting is not remembered).
  void wake();

 private:
  static asio::awaitable<void> alarm(Clock* clock, Duration d, TimePoint when, std::weak_ptr<WakeableWait> wait);

  Clock& clock_;
  std::weak_ptr<asio::steady_timer> waiting_;  ///< the wait in progress
  std::set<TimePoint> alarms_;                 ///< clock sleepers already pending, one per wake-up time
};

}  // namespace kexsim::fakes

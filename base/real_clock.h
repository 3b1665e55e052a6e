#pragma once
// Wall-clock time for real-time use (`kexsim serve`): the fakes answer real clients at the pace
// of the real world. base/ may read the wall clock; executor/ and fakes/ only ever see a Clock.

#include "base/clock.h"

namespace kexsim {

/// A Clock on the system clock; sleeping is a steady_timer on the sleeping coroutine's executor.
class RealClock : public Clock {
 public:
  /// The system clock, truncated to microseconds.
  TimePoint now() const override;
  /// Waits d of real time without blocking the io_context.
  asio::awaitable<void> sleep_for(Duration d) override;
};

}  // namespace kexsim

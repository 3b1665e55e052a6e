#pragma once
// Go's time.Duration String() at the microsecond grain of kexsim's clock: the one formatting that both
// the runner's messages (executor/) and the kubelet's (fakes/) print with %v.

#include <string>

#include "base/clock.h"

namespace kexsim {

/// Go's %v of a Duration: "0s", "7µs", "1.5ms", "750ms", "6.283749s", "1m2.5s", "5m0s", "1h0m0s".
std::string go_duration_string(Duration d);

}  // namespace kexsim

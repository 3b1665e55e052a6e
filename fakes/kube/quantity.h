#pragma once
// The fake API server's quantities: base/quantity.h, shared with the executor.

#include "base/quantity.h"

namespace kexsim::fakes {

/// Kubernetes resource quantities as the API server parses and prints them (base/quantity.h).
using Quantity = kexsim::Quantity;

}  // namespace kexsim::fakes

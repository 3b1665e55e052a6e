#pragma once
// The scenario's [[faults]]: answers, resets, refusals, black holes, TLS alerts and dropped streams
// on the runner's API wires (docs/scenarios.md, `[[faults]]`).

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads every [[faults]] entry into s.faults, in file order, with positioned errors for bad keys.
void read_faults(TomlTable& root, Scenario& s);

}  // namespace kexsim::sim

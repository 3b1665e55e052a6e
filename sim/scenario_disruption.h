#pragma once
// Scenario keys for pods disrupted mid-job (docs/scenarios.md, "Disruption: evictions, deletes,
// drains, lost nodes, preemption"): the [[cluster.disruptions]] timeline.

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads [[cluster.disruptions]] from [cluster] into s.disruptions.
void read_disruption_keys(TomlTable& cluster, Scenario& s);

}  // namespace kexsim::sim

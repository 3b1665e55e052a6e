#pragma once
// The scenario keys of the cluster's admission: namespace labels (Pod Security), ResourceQuotas,
// LimitRanges, pods already present, and validating webhooks (docs/scenarios.md, "Admission").

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads [cluster.namespace_labels], [[cluster.resource_quotas]], [[cluster.limit_ranges]],
/// [[cluster.pods]] and [[cluster.webhooks]] of the [cluster] table into s.
void read_admission(TomlTable& cluster, Scenario& s);

}  // namespace kexsim::sim

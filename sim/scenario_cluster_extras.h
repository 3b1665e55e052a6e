#pragma once
// Scenario keys for cluster objects the fake serves besides RBAC and secrets: [[cluster.config_maps]]
// and [[cluster.pod_disruption_budgets]]. Documented in docs/scenarios.md, "ConfigMaps and declared budgets".

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads the ConfigMaps and PodDisruptionBudgets of [cluster] into s.cluster_objects.
void read_cluster_extras(TomlTable& cluster, Scenario& s);

}  // namespace kexsim::sim

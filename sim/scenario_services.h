#pragma once
// Scenario keys of the service daemon model: [[cluster.services]], what a service image's daemon
// does once its container started (docs/scenarios.md, "Services: late daemons and docker:dind").

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads [[cluster.services]] from [cluster] into s.service_models.
void read_services(TomlTable& cluster, Scenario& s);

}  // namespace kexsim::sim

#pragma once
// Scenario keys for containers that die and pods the kubelet cannot start (docs/scenarios.md,
// "Containers: memory, deadlines, volumes"): the nodes' OOM policy, RunOnceDurationOverride,
// Secrets in the cluster, repository sizes, and a scenario command's memory.

#include "base/toml_reader.h"
#include "fakes/runtime/world.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads cgroup_version, single_process_oom_kill, run_once_active_deadline_seconds,
/// [cluster.sandbox_failure] and [[cluster.secrets]] from [cluster].
void read_container_keys(TomlTable& cluster, Scenario& s);

/// Reads repository_sizes from [gitlab].
void read_repository_sizes(TomlTable& gitlab, Scenario& s);

/// Reads `memory` (a Kubernetes quantity) of a [cluster.commands.<name>] table.
void read_command_memory(TomlTable& command, fakes::CommandSpec& spec);

}  // namespace kexsim::sim

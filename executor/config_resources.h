#pragma once
// The [runners.kubernetes] keys of job-variable overwrites, pod labels and annotations, the service
// account, and the resources beyond cpu/memory (common/config.go KubernetesConfig).

#include "base/toml_reader.h"
#include "executor/config.h"

namespace kexsim::executor {

/// Reads those keys of [runners.kubernetes] into out (quantities are checked when a job uses them,
/// as upstream's createResourceList does).
void read_overwrite_keys(TomlTable& k8s, KubernetesConfig& out);

}  // namespace kexsim::executor

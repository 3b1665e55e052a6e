#pragma once
// The wait loop's check for containers the kubelet cannot configure: CreateContainerConfigError is
// terminal from 19.3 on (executors/kubernetes/internal/watchers/pod.go CheckTerminalContainerErrors,
// MR !7014); before that the runner waits until poll_timeout.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "executor/profile.h"

namespace kexsim::executor {

/// "container configuration error: <waiting message>" for the first not-ready container or init
/// container waiting with CreateContainerConfigError (a configuration error), when the release checks it.
std::optional<std::string> container_config_failure(const nlohmann::json& pod_status, Profile profile);

}  // namespace kexsim::executor

#pragma once
// ConfigMaps as a container sees them: the configMap volume plugin writes each key of the map (or the
// paths `items` give) as a file under the container's mount. Missing maps are FailedMount
// (container_states.h missing_volume), as for secrets.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "fakes/runtime/file_system.h"

namespace kexsim::fakes {

/// The stored ConfigMap (namespace, name), or nullptr when it does not exist.
using ConfigMapLookup = std::function<const nlohmann::json*(const std::string&, const std::string&)>;

/// Writes the pod's configMap volumes as files where `container` mounts them (subPath mounts are skipped).
void project_config_map_volumes(const nlohmann::json& pod, const std::string& container,
                                const ConfigMapLookup& config_map, shell::FileSystem& fs);

}  // namespace kexsim::fakes

#pragma once
// The kubelet's secret volume plugin, reduced to what a job sees: each key of the Secret becomes a
// file under the container's mount of the volume (or the paths `items` give), so a script can read it.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/runtime/file_system.h"

namespace kexsim::fakes {

/// The stored Secret (namespace, name), or nullptr when it does not exist.
using SecretLookup = std::function<const nlohmann::json*(const std::string&, const std::string&)>;

/// Writes the pod's secret volumes as files where `container` mounts them (subPath mounts are skipped).
void project_secret_volumes(const nlohmann::json& pod, const std::string& container, const SecretLookup& secret,
                            shell::FileSystem& fs);

}  // namespace kexsim::fakes

#pragma once
// Secrets as a container sees them, reduced to what a job needs: the secret volume plugin (each key of
// the Secret a file under the container's mount, or the paths `items` give) and env from secretKeyRef.

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

/// Resolves the container's env entries taken from Secrets (valueFrom.secretKeyRef) into plain
/// values, as the kubelet hands them to the process; entries it cannot resolve are left out.
void resolve_secret_env(nlohmann::json& pod, const std::string& container, const SecretLookup& secret);

}  // namespace kexsim::fakes

#pragma once
// Container env from ConfigMaps as the kubelet builds it (pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables): `valueFrom.configMapKeyRef` and `envFrom.configMapRef`, resolved into plain
// values for the processes an exec starts. Missing maps and keys are container_config_error's (container_states.h).

#include <nlohmann/json.hpp>
#include <string>

#include "fakes/kube/secret_volumes.h"
#include "fakes/kube/store.h"

namespace kexsim::fakes {

/// The store's ConfigMaps by namespace and name (the configmap manager's view), for the kubelet's env.
SecretLookup config_map_lookup(const Store& store);

/// Replaces, in the named container of pod, each env entry from a ConfigMap key with its value, and adds
/// each key of an envFrom ConfigMap (with its prefix) before the container's own env, as the kubelet does.
/// Entries whose map or key is missing (optional ones) are dropped.
void resolve_config_map_env(nlohmann::json& pod, const std::string& container, const SecretLookup& config_map);

}  // namespace kexsim::fakes

#pragma once
// The [runners.kubernetes] keys that shape the pod beyond containers and volumes: dns_policy,
// dns_config, affinity, container_lifecycle, the scheduler/priority/runtime classes, and the
// neighbouring keys of the same pass (helper_image_flavor, scripts_base_dir / logs_base_dir,
// cleanup_resources_timeout, resource_availability_check_max_attempts). common/config.go types and
// kubernetes.go preparePodConfig / prepareLifecycleHooks / getDNSPolicy.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "executor/profile.h"

namespace kexsim {
class TomlTable;
}

namespace kexsim::executor {

struct KubernetesConfig;

/// One dns_config.options entry: {name, value}.
struct DnsOptionConfig {
  std::string name;
  std::optional<std::string> value;
};

/// The pod-shaping keys of [runners.kubernetes] that pod_spec.cc reads through pod_extras().
struct PodExtrasConfig {
  std::string dns_policy;  ///< none, default, cluster-first, cluster-first-with-host-net; empty: ClusterFirst
  std::vector<std::string> dns_nameservers, dns_searches;  ///< dns_config
  std::vector<DnsOptionConfig> dns_options;                ///< dns_config.options
  /// [runners.kubernetes.affinity] already in the API's form (nodeAffinity, podAffinity, podAntiAffinity).
  nlohmann::json affinity = nlohmann::json::object();
  /// [runners.kubernetes.container_lifecycle] in the API's form (postStart, preStop); null when absent.
  nlohmann::json lifecycle;
  std::string scheduler_name, priority_class_name;
  std::optional<std::string> runtime_class_name;      ///< a *string upstream: "" is sent as given
  std::string helper_image_flavor;                    ///< "" and "alpine": no tag prefix
  std::string scripts_base_dir, logs_base_dir;        ///< attach strategy: "<base>/scripts-P-J", "<base>/logs-P-J"
  std::optional<Duration> cleanup_resources_timeout;  ///< <= 0 or unset: 5 minutes
  /// Checks for the service account and image pull secrets before the pod; < 0 means 5, 0 disables.
  int resource_availability_check_max_attempts = 0;
};

/// Reads the keys above from a [runners.kubernetes] table; an unknown key of a sub-table is warned at
/// its file:line:column, a wrong type is an error.
void read_pod_extras(TomlTable& k8s, PodExtrasConfig& out);

/// Warns about every key of `t` nobody read: `unknown key "path"` with a did-you-mean among the keys
/// read. For sub-tables whose keys kexsim reads in full.
void warn_unknown_sub_keys(TomlTable& t);

/// KubernetesDNSPolicy.Get: the API's spelling, "" for a value it does not know.
std::string dns_policy_value(const std::string& config_value);

/// The job-log warning for an unknown dns_policy (without "WARNING: "), or nothing.
std::optional<std::string> dns_policy_warning(const KubernetesConfig& kube);

/// Sets the pod spec fields of these keys as the release builds them (affinity and dnsPolicy always).
void apply_pod_extras(const KubernetesConfig& kube, Profile profile, nlohmann::json& spec);

/// The container's lifecycle (build, helper, services; not init-permissions), null when none.
nlohmann::json container_lifecycle(const KubernetesConfig& kube, Profile profile);

/// cleanup_resources_timeout as the release reads it (GetCleanupResourcesTimeout; default 5 minutes).
Duration cleanup_resources_timeout(const KubernetesConfig& kube, Profile profile);

/// The helper image tag prefix of helper_image_flavor ("ubuntu-"), "" for alpine or none.
std::string helper_flavor_prefix(const KubernetesConfig& kube, Profile profile);

}  // namespace kexsim::executor

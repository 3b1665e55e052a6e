#pragma once
// The security keys of [runners.kubernetes] (pod_security_context, the four per-container contexts,
// cap_add / cap_drop) as config.toml gives them, and the securityContext objects GitLab Runner builds
// from them (common/config.go GetPodSecurityContext, GetContainerSecurityContext, getCapabilities).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/profile.h"

namespace kexsim {
class TomlTable;
}

namespace kexsim::executor {

struct KubernetesConfig;

/// seccomp_profile / app_armor_profile: {type, localhost_profile} (common/config.go KubernetesSeccompProfile).
struct SecurityProfileConfig {
  std::string type;  ///< RuntimeDefault, Localhost or Unconfined
  std::string localhost_profile;
};

/// One of build_/helper_/service_/init_permissions_container_security_context
/// (common/config.go KubernetesContainerSecurityContext).
struct ContainerSecurityContextConfig {
  /// capabilities.add / capabilities.drop: a list given (even empty) replaces the cap_add/cap_drop result.
  std::optional<std::vector<std::string>> capabilities_add, capabilities_drop;
  std::optional<bool> privileged, run_as_non_root, read_only_root_filesystem, allow_privilege_escalation;
  std::optional<int64_t> run_as_user, run_as_group;
  std::string selinux_type;  ///< seLinuxOptions.type
  std::string proc_mount;    ///< "default" or "unmasked", any case
  std::optional<SecurityProfileConfig> seccomp_profile, app_armor_profile;
};

/// pod_security_context (common/config.go KubernetesPodSecurityContext).
struct PodSecurityContextConfig {
  std::optional<int64_t> fs_group, run_as_group, run_as_user;
  std::optional<bool> run_as_non_root;
  std::vector<int64_t> supplemental_groups;
  std::string selinux_type;
  std::optional<SecurityProfileConfig> seccomp_profile, app_armor_profile;
};

/// Every security key of [runners.kubernetes] except privileged and allow_privilege_escalation.
struct SecurityConfig {
  PodSecurityContextConfig pod;
  ContainerSecurityContextConfig build, helper, service, init_permissions;
  std::vector<std::string> cap_add, cap_drop;
};

/// Which container a securityContext is for: each reads its own per-container section.
enum class ContainerKind { kBuild, kHelper, kService, kInitPermissions };

/// The kind of a container by the name the executor gives it ("build", "helper", "init-permissions",
/// anything else a service).
ContainerKind container_kind(const std::string& name);

/// Reads the security keys of a [runners.kubernetes] table; an unknown key of a sub-table is
/// warned at its file:line:column (with a did-you-mean), a wrong type is an error.
void read_security_config(TomlTable& k8s, SecurityConfig& out);

/// The pod's securityContext; null when pod_security_context sets nothing (upstream's nil).
nlohmann::json pod_security_context(const KubernetesConfig& kube, Profile profile);

/// A container's securityContext as GitLab Runner builds it for that kind of container; an empty
/// object when nothing is set (kexsim then leaves the field out).
nlohmann::json container_security_context(const KubernetesConfig& kube, ContainerKind kind, Profile profile);

}  // namespace kexsim::executor

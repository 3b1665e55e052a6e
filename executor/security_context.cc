#include "executor/security_context.h"

#include <algorithm>
#include <cctype>

#include "base/toml_reader.h"
#include "executor/config.h"
#include "executor/pod_spec_extras.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

bool read_int64_list(TomlTable& t, std::string_view key, std::vector<int64_t>& out) {
  const toml::node* n = t.node(key);
  if (!n) return false;
  const toml::array* a = n->as_array();
  if (!a || !std::all_of(a->begin(), a->end(), [](const toml::node& e) { return e.is_integer(); })) {
    t.context().fail_type(*n, t.path(key), "an array of integers");
    return false;
  }
  out.clear();
  for (const toml::node& e : *a) out.push_back(e.as_integer()->get());
  return true;
}

void read_profile(TomlTable& parent, std::string_view key, std::optional<SecurityProfileConfig>& out) {
  const toml::table* raw = parent.table(key);
  if (!raw) return;
  TomlTable t(*raw, parent.path(key), parent.context());
  SecurityProfileConfig p;
  t.get("type", p.type);
  t.get("localhost_profile", p.localhost_profile);
  warn_unknown_sub_keys(t);
  out = std::move(p);
}

void read_container(TomlTable& k8s, std::string_view key, ContainerSecurityContextConfig& out) {
  const toml::table* raw = k8s.table(key);
  if (!raw) return;
  TomlTable t(*raw, k8s.path(key), k8s.context());
  if (const toml::table* caps = t.table("capabilities")) {
    TomlTable c(*caps, t.path("capabilities"), t.context());
    std::vector<std::string> list;
    if (c.get("add", list)) out.capabilities_add = list;
    if (c.get("drop", list)) out.capabilities_drop = list;
    warn_unknown_sub_keys(c);
  }
  t.get("privileged", out.privileged);
  t.get("run_as_user", out.run_as_user);
  t.get("run_as_group", out.run_as_group);
  t.get("run_as_non_root", out.run_as_non_root);
  t.get("read_only_root_filesystem", out.read_only_root_filesystem);
  t.get("allow_privilege_escalation", out.allow_privilege_escalation);
  t.get("selinux_type", out.selinux_type);
  t.get("proc_mount", out.proc_mount);
  read_profile(t, "seccomp_profile", out.seccomp_profile);
  read_profile(t, "app_armor_profile", out.app_armor_profile);
  warn_unknown_sub_keys(t);
}

void read_pod(TomlTable& k8s, PodSecurityContextConfig& out) {
  const toml::table* raw = k8s.table("pod_security_context");
  if (!raw) return;
  TomlTable t(*raw, k8s.path("pod_security_context"), k8s.context());
  t.get("fs_group", out.fs_group);
  t.get("run_as_group", out.run_as_group);
  t.get("run_as_non_root", out.run_as_non_root);
  t.get("run_as_user", out.run_as_user);
  read_int64_list(t, "supplemental_groups", out.supplemental_groups);
  t.get("selinux_type", out.selinux_type);
  read_profile(t, "seccomp_profile", out.seccomp_profile);
  read_profile(t, "app_armor_profile", out.app_armor_profile);
  warn_unknown_sub_keys(t);
}

// KubernetesSeccompProfile.toAPI / KubernetesAppArmorProfile.toAPI: an unknown type, or Localhost
// without localhost_profile, gives no profile (upstream logs the reason to the runner's log only).
json profile_json(const std::optional<SecurityProfileConfig>& p) {
  if (!p || p->type.empty()) return nullptr;
  if (p->type != "RuntimeDefault" && p->type != "Unconfined" && p->type != "Localhost") return nullptr;
  json out = {{"type", p->type}};
  if (p->type == "Localhost") {
    if (p->localhost_profile.empty()) return nullptr;
    out["localhostProfile"] = p->localhost_profile;
  }
  return out;
}

// KubernetesContainerSecurityContext.getProcMount: title-cased "Default" or "Unmasked", else none.
std::optional<std::string> proc_mount(const std::string& value) {
  std::string v;
  for (char c : value)
    if (!std::isspace(static_cast<unsigned char>(c)))
      v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "default") return "Default";
  if (v == "unmasked") return "Unmasked";
  return std::nullopt;
}

const ContainerSecurityContextConfig& section(const SecurityConfig& s, ContainerKind kind) {
  switch (kind) {
    case ContainerKind::kBuild: return s.build;
    case ContainerKind::kHelper: return s.helper;
    case ContainerKind::kService: return s.service;
    case ContainerKind::kInitPermissions: return s.init_permissions;
  }
  return s.build;
}

// KubernetesConfig.getCapabilities: the default drop, then cap_add, then cap_drop, the last word on
// a capability wins. Upstream walks a Go map (random order); kexsim keeps the order of first mention.
void global_capabilities(const KubernetesConfig& kube, Profile profile, std::optional<json>& add,
                         std::optional<json>& drop) {
  std::vector<std::pair<std::string, bool>> enabled;
  const auto set = [&](const std::string& cap, bool on) {
    auto it = std::find_if(enabled.begin(), enabled.end(), [&](const auto& e) { return e.first == cap; });
    if (it == enabled.end())
      enabled.emplace_back(cap, on);
    else
      it->second = on;
  };
  // kubernetes.go defaultCapDrop: NET_RAW on Linux (issue 26833).
  if (drops_net_raw(profile)) set("NET_RAW", false);
  for (const auto& c : kube.security.cap_add) set(c, true);
  for (const auto& c : kube.security.cap_drop) set(c, false);
  for (const auto& [cap, on] : enabled) {
    std::optional<json>& list = on ? add : drop;
    if (!list) list = json::array();
    list->push_back(cap);
  }
}

}  // namespace

ContainerKind container_kind(const std::string& name) {
  if (name == "build") return ContainerKind::kBuild;
  if (name == "helper") return ContainerKind::kHelper;
  if (name == "init-permissions") return ContainerKind::kInitPermissions;
  return ContainerKind::kService;
}

void read_security_config(TomlTable& k8s, SecurityConfig& out) {
  k8s.get("cap_add", out.cap_add);
  k8s.get("cap_drop", out.cap_drop);
  read_pod(k8s, out.pod);
  read_container(k8s, "build_container_security_context", out.build);
  read_container(k8s, "helper_container_security_context", out.helper);
  read_container(k8s, "service_container_security_context", out.service);
  read_container(k8s, "init_permissions_container_security_context", out.init_permissions);
}

json pod_security_context(const KubernetesConfig& kube, Profile profile) {
  const PodSecurityContextConfig& p = kube.security.pod;
  const bool profiles = security_context_profiles(profile);
  const bool selinux = security_context_selinux_type(profile) && !p.selinux_type.empty();
  // GetPodSecurityContext: nil when no field is set.
  if (!p.fs_group && !p.run_as_group && !p.run_as_non_root && !p.run_as_user && p.supplemental_groups.empty() &&
      !selinux && !(profiles && (p.seccomp_profile || p.app_armor_profile)))
    return nullptr;
  json sc = json::object();
  if (p.fs_group) sc["fsGroup"] = *p.fs_group;
  if (p.run_as_group) sc["runAsGroup"] = *p.run_as_group;
  if (p.run_as_non_root) sc["runAsNonRoot"] = *p.run_as_non_root;
  if (p.run_as_user) sc["runAsUser"] = *p.run_as_user;
  if (!p.supplemental_groups.empty()) sc["supplementalGroups"] = p.supplemental_groups;
  if (selinux) sc["seLinuxOptions"] = {{"type", p.selinux_type}};
  if (profiles) {
    if (json s = profile_json(p.seccomp_profile); !s.is_null()) sc["seccompProfile"] = s;
    if (json a = profile_json(p.app_armor_profile); !a.is_null()) sc["appArmorProfile"] = a;
  }
  return sc;
}

json container_security_context(const KubernetesConfig& kube, ContainerKind kind, Profile profile) {
  if (kind == ContainerKind::kInitPermissions && !init_permissions_security_context(profile)) return json::object();
  static const ContainerSecurityContextConfig kNone;
  const bool own = kind == ContainerKind::kInitPermissions || per_container_security_contexts(profile);
  const ContainerSecurityContextConfig& c = own ? section(kube.security, kind) : kNone;
  json sc = json::object();

  // mergeCapabilitiesAddDrop: the section's add/drop lists, when given, replace the global ones.
  std::optional<json> add, drop;
  global_capabilities(kube, profile, add, drop);
  if (c.capabilities_add) add = json(*c.capabilities_add);
  if (c.capabilities_drop) drop = json(*c.capabilities_drop);
  if (add || drop) {
    json caps = json::object();
    if (add && !add->empty()) caps["add"] = *add;
    if (drop && !drop->empty()) caps["drop"] = *drop;
    sc["capabilities"] = caps;
  }
  // getContainerSecurityContextEffectiveFlagValue: the section's value, else [runners.kubernetes]'s.
  if (auto v = c.privileged ? c.privileged : kube.privileged) sc["privileged"] = *v;
  if (auto v = c.allow_privilege_escalation ? c.allow_privilege_escalation : kube.allow_privilege_escalation)
    sc["allowPrivilegeEscalation"] = *v;
  std::optional<int64_t> uid = c.run_as_user, gid = c.run_as_group;
  // getSecurityContextWithUIDGID (not for init-permissions): the pod's ids when the container has none.
  if (kind != ContainerKind::kInitPermissions && containers_copy_pod_run_as(profile)) {
    if (!uid) uid = kube.security.pod.run_as_user;
    if (!gid) gid = kube.security.pod.run_as_group;
  }
  if (uid) sc["runAsUser"] = *uid;
  if (gid) sc["runAsGroup"] = *gid;
  if (c.run_as_non_root) sc["runAsNonRoot"] = *c.run_as_non_root;
  if (c.read_only_root_filesystem) sc["readOnlyRootFilesystem"] = *c.read_only_root_filesystem;
  if (security_context_proc_mount(profile))
    if (auto pm = proc_mount(c.proc_mount)) sc["procMount"] = *pm;
  if (security_context_selinux_type(profile) && !c.selinux_type.empty())
    sc["seLinuxOptions"] = {{"type", c.selinux_type}};
  if (security_context_profiles(profile)) {
    if (json s = profile_json(c.seccomp_profile); !s.is_null()) sc["seccompProfile"] = s;
    if (json a = profile_json(c.app_armor_profile); !a.is_null()) sc["appArmorProfile"] = a;
  }
  return sc;
}

}  // namespace kexsim::executor

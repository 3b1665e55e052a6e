#include "fakes/kube/admission_psa.h"

#include <functional>
#include <set>

#include "base/json_fields.h"
#include "fakes/kube/admission_resources.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

// policy/helpers.go joinQuote and pluralize.
std::string join_quote(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = "\"";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "\", \"" : "") + items[i];
  return out + "\"";
}
std::string join_quote(const std::set<std::string>& items) {
  return join_quote(std::vector<std::string>(items.begin(), items.end()));
}
const char* pluralize(const char* singular, const char* plural, size_t n) { return n == 1 ? singular : plural; }

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

struct PsaVerdict {
  std::string reason, detail;  ///< empty reason: allowed
};

const json& sc(const json& c) { return member(c, "securityContext"); }
const json& pod_sc(const json& pod) { return member(member(pod, "spec"), "securityContext"); }
bool is_true(const json& v) { return v.is_boolean() && v.get<bool>(); }

std::vector<std::string> containers_where(const json& pod, const std::function<bool(const json&)>& bad) {
  std::vector<std::string> out;
  for (const json* c : pod_containers(pod))
    if (bad(*c)) out.push_back(text(*c, "name"));
  return out;
}

std::string containers_phrase(const std::vector<std::string>& names) {
  return std::string(pluralize("container", "containers", names.size())) + " " + join_quote(names);
}

// check_privileged.go
PsaVerdict privileged(const json& pod) {
  auto bad = containers_where(pod, [](const json& c) { return is_true(member(sc(c), "privileged")); });
  if (bad.empty()) return {};
  return {"privileged", containers_phrase(bad) + " must not set securityContext.privileged=true"};
}

// check_capabilities_baseline.go
PsaVerdict capabilities_baseline(const json& pod) {
  static const std::set<std::string> kAllowed = {"AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE",     "FOWNER",  "FSETID",
                                                 "KILL",        "MKNOD",  "NET_BIND_SERVICE", "SETFCAP", "SETGID",
                                                 "SETPCAP",     "SETUID", "SYS_CHROOT"};
  std::set<std::string> caps;
  auto bad = containers_where(pod, [&](const json& c) {
    const json& add = member(member(sc(c), "capabilities"), "add");
    bool invalid = false;
    if (add.is_array())
      for (const json& a : add)
        if (a.is_string() && !kAllowed.count(a.get<std::string>())) invalid = true, caps.insert(a.get<std::string>());
    return invalid;
  });
  if (bad.empty()) return {};
  return {"non-default capabilities",
          containers_phrase(bad) + " must not include " + join_quote(caps) + " in securityContext.capabilities.add"};
}

// check_hostNamespaces.go
PsaVerdict host_namespaces(const json& pod) {
  const json& spec = member(pod, "spec");
  std::vector<std::string> set;
  if (is_true(member(spec, "hostNetwork"))) set.push_back("hostNetwork=true");
  if (is_true(member(spec, "hostPID"))) set.push_back("hostPID=true");
  if (is_true(member(spec, "hostIPC"))) set.push_back("hostIPC=true");
  if (set.empty()) return {};
  return {"host namespaces", join(set, ", ")};
}

std::vector<std::string> volumes_where(const json& pod, const std::function<bool(const json&)>& bad) {
  std::vector<std::string> out;
  const json& volumes = member(member(pod, "spec"), "volumes");
  if (volumes.is_array())
    for (const json& v : volumes)
      if (bad(v)) out.push_back(text(v, "name"));
  return out;
}

// check_hostPathVolumes.go
PsaVerdict host_path_volumes(const json& pod) {
  auto bad = volumes_where(pod, [](const json& v) { return v.contains("hostPath"); });
  if (bad.empty()) return {};
  return {"hostPath volumes", std::string(pluralize("volume", "volumes", bad.size())) + " " + join_quote(bad)};
}

// check_hostPorts.go
PsaVerdict host_ports(const json& pod) {
  std::vector<std::string> bad;
  std::set<std::string> ports;  // sets.NewString: sorted as text
  for (const json* c : pod_containers(pod)) {
    bool found = false;
    const json& list = member(*c, "ports");
    if (list.is_array())
      for (const json& p : list)
        if (member(p, "hostPort").is_number_integer() && member(p, "hostPort").get<int64_t>() != 0) {
          found = true;
          ports.insert(std::to_string(member(p, "hostPort").get<int64_t>()));
        }
    if (found) bad.push_back(text(*c, "name"));
  }
  if (bad.empty()) return {};
  return {"hostPort", containers_phrase(bad) + " " + pluralize("uses", "use", bad.size()) + " " +
                          pluralize("hostPort", "hostPorts", ports.size()) + " " +
                          join(std::vector<std::string>(ports.begin(), ports.end()), ", ")};
}

// check_allowPrivilegeEscalation.go
PsaVerdict allow_privilege_escalation(const json& pod) {
  auto bad = containers_where(pod, [](const json& c) {
    const json& v = member(sc(c), "allowPrivilegeEscalation");
    return !v.is_boolean() || v.get<bool>();
  });
  if (bad.empty()) return {};
  return {"allowPrivilegeEscalation != false",
          containers_phrase(bad) + " must set securityContext.allowPrivilegeEscalation=false"};
}

// check_capabilities_restricted.go
PsaVerdict capabilities_restricted(const json& pod) {
  std::vector<std::string> missing_drop, adding;
  std::set<std::string> forbidden;
  for (const json* c : pod_containers(pod)) {
    const json& caps = member(sc(*c), "capabilities");
    const std::string name = text(*c, "name");
    if (!caps.is_object()) {
      missing_drop.push_back(name);
      continue;
    }
    bool dropped_all = false;
    if (member(caps, "drop").is_array())
      for (const json& d : caps["drop"]) dropped_all |= d == "ALL";
    if (!dropped_all) missing_drop.push_back(name);
    bool added = false;
    if (member(caps, "add").is_array())
      for (const json& a : caps["add"])
        if (a.is_string() && a != "NET_BIND_SERVICE") added = true, forbidden.insert(a.get<std::string>());
    if (added) adding.push_back(name);
  }
  std::vector<std::string> details;
  if (!missing_drop.empty())
    details.push_back(containers_phrase(missing_drop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
  if (!adding.empty())
    details.push_back(containers_phrase(adding) + " must not include " + join_quote(forbidden) +
                      " in securityContext.capabilities.add");
  if (details.empty()) return {};
  return {"unrestricted capabilities", join(details, "; ")};
}

// check_restrictedVolumes.go (only the types the executor mounts are told apart).
PsaVerdict restricted_volumes(const json& pod) {
  static const std::set<std::string> kAllowed = {"configMap", "csi",   "downwardAPI",           "emptyDir",
                                                 "ephemeral", "image", "persistentVolumeClaim", "projected",
                                                 "secret"};
  std::set<std::string> types;
  auto bad = volumes_where(pod, [&](const json& v) {
    for (const auto& [key, value] : v.items())
      if (kAllowed.count(key)) return false;
    if (v.contains("hostPath"))
      types.insert("hostPath");
    else if (v.contains("nfs"))
      types.insert("nfs");
    else
      types.insert("unknown");
    return true;
  });
  if (bad.empty()) return {};
  return {"restricted volume types", std::string(pluralize("volume", "volumes", bad.size())) + " " + join_quote(bad) +
                                         " " + pluralize("uses", "use", bad.size()) + " " +
                                         pluralize("restricted volume type", "restricted volume types", types.size()) +
                                         " " + join_quote(types)};
}

// check_runAsNonRoot.go
PsaVerdict run_as_non_root(const json& pod) {
  std::vector<std::string> setters;
  bool pod_non_root = false;
  const json& pod_value = member(pod_sc(pod), "runAsNonRoot");
  if (pod_value.is_boolean()) {
    if (!pod_value.get<bool>())
      setters.push_back("pod");
    else
      pod_non_root = true;
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  for (const json* c : pod_containers(pod)) {
    const json& v = member(sc(*c), "runAsNonRoot");
    if (v.is_boolean()) {
      if (!v.get<bool>()) explicit_bad.push_back(text(*c, "name"));
    } else if (!pod_non_root) {
      implicit_bad.push_back(text(*c, "name"));
    }
  }
  if (!explicit_bad.empty()) setters.push_back(containers_phrase(explicit_bad));
  if (!setters.empty())
    return {"runAsNonRoot != true", join(setters, " and ") + " must not set securityContext.runAsNonRoot=false"};
  if (!implicit_bad.empty())
    return {"runAsNonRoot != true",
            "pod or " + containers_phrase(implicit_bad) + " must set securityContext.runAsNonRoot=true"};
  return {};
}

// check_runAsUser.go (from v1.23)
PsaVerdict run_as_user(const json& pod) {
  std::vector<std::string> setters;
  const json& pod_user = member(pod_sc(pod), "runAsUser");
  if (pod_user.is_number_integer() && pod_user.get<int64_t>() == 0) setters.push_back("pod");
  auto bad = containers_where(pod, [](const json& c) {
    const json& v = member(sc(c), "runAsUser");
    return v.is_number_integer() && v.get<int64_t>() == 0;
  });
  if (!bad.empty()) setters.push_back(containers_phrase(bad));
  if (setters.empty()) return {};
  return {"runAsUser=0", join(setters, " and ") + " must not set runAsUser=0"};
}

// check_seccompProfile_restricted.go
PsaVerdict seccomp_restricted(const json& pod) {
  const auto valid = [](const std::string& t) { return t == "RuntimeDefault" || t == "Localhost"; };
  std::vector<std::string> setters;
  std::set<std::string> bad_values;
  bool pod_set = false;
  const json& pod_profile = member(pod_sc(pod), "seccompProfile");
  if (pod_profile.is_object()) {
    if (!valid(text(pod_profile, "type"))) {
      setters.push_back("pod");
      bad_values.insert(text(pod_profile, "type"));
    } else {
      pod_set = true;
    }
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  for (const json* c : pod_containers(pod)) {
    const json& profile = member(sc(*c), "seccompProfile");
    if (profile.is_object()) {
      if (!valid(text(profile, "type"))) {
        explicit_bad.push_back(text(*c, "name"));
        bad_values.insert(text(profile, "type"));
      }
    } else if (!pod_set) {
      implicit_bad.push_back(text(*c, "name"));
    }
  }
  if (!explicit_bad.empty()) setters.push_back(containers_phrase(explicit_bad));
  if (!setters.empty())
    return {"seccompProfile",
            join(setters, " and ") + " must not set securityContext.seccompProfile.type to " + join_quote(bad_values)};
  if (!implicit_bad.empty())
    return {"seccompProfile",
            "pod or " + containers_phrase(implicit_bad) +
                " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""};
  return {};
}

// A check and the ID registry.go sorts it by; `restricted` checks run only at the restricted level,
// `overridden_by_restricted` baseline checks are replaced there by their restricted version.
struct Check {
  const char* id;
  bool restricted;
  bool overridden_by_restricted;
  int since_minor;
  PsaVerdict (*run)(const json&);
};

// Baseline IDs sorted by bytes, then restricted IDs sorted (registry.go populate). Not modelled:
// appArmorProfile, procMount, seLinuxOptions, seccompProfile_baseline, sysctls, windowsHostProcess,
// hostProbesAndhostLifecycle.
const Check kChecks[] = {
    {"capabilities_baseline", false, true, 0, capabilities_baseline},
    {"hostNamespaces", false, false, 0, host_namespaces},
    {"hostPathVolumes", false, true, 0, host_path_volumes},
    {"hostPorts", false, false, 0, host_ports},
    {"privileged", false, false, 0, privileged},
    {"allowPrivilegeEscalation", true, false, 0, allow_privilege_escalation},
    {"capabilities_restricted", true, false, 0, capabilities_restricted},
    {"restrictedVolumes", true, false, 0, restricted_volumes},
    {"runAsNonRoot", true, false, 0, run_as_non_root},
    {"runAsUser", true, false, 23, run_as_user},
    {"seccompProfile_restricted", true, false, 0, seccomp_restricted},
};

const std::string kPrefix = "pod-security.kubernetes.io/";

struct Policy {
  std::string level;  ///< "" or privileged: nothing to check
  std::string version = "latest";
  std::string label() const { return level + ":" + version; }  // LevelVersion.String()
};

Policy policy(const json& labels, const std::string& mode) {
  Policy p;
  p.level = text(labels, (kPrefix + mode).c_str());
  const std::string version = text(labels, (kPrefix + mode + "-version").c_str());
  if (!version.empty()) p.version = version;
  if (p.level != "baseline" && p.level != "restricted") p.level.clear();
  return p;
}

}  // namespace

std::string pod_security_violations(const std::string& level, const json& pod, int minor) {
  const bool restricted = level == "restricted";
  std::vector<std::string> parts;
  for (const Check& check : kChecks) {
    if (check.restricted && !restricted) continue;
    if (check.overridden_by_restricted && restricted) continue;
    if (minor < check.since_minor) continue;
    const PsaVerdict r = check.run(pod);
    if (r.reason.empty()) continue;
    // policy/checks.go ForbiddenDetail: "reason (detail)", joined with ", ".
    parts.push_back(r.detail.empty() ? r.reason : r.reason + " (" + r.detail + ")");
  }
  return join(parts, ", ");
}

PodSecurityOutcome check_pod_security(const json& labels, const json& pod, int minor) {
  PodSecurityOutcome out;
  if (minor < 23) return out;
  const Policy enforce = policy(labels, "enforce");
  if (!enforce.level.empty()) {
    const std::string v = pod_security_violations(enforce.level, pod, minor);
    if (!v.empty()) {
      // pod-security-admission admission/admission.go: "violates PodSecurity %q: %s".
      out.denied = "violates PodSecurity \"" + enforce.label() + "\": " + v;
      return out;  // warnings are skipped for a denied request
    }
  }
  const Policy warn = policy(labels, "warn");
  if (!warn.level.empty()) {
    const std::string v = pod_security_violations(warn.level, pod, minor);
    if (!v.empty()) out.warnings.push_back("would violate PodSecurity \"" + warn.label() + "\": " + v);
  }
  return out;
}

}  // namespace kexsim::fakes

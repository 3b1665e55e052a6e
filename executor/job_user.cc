#include "executor/job_user.h"

#include <algorithm>
#include <charconv>

#include "base/strings.h"
#include "executor/config.h"
#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using messages::go_quote;

// Go's strconv.ParseInt(s, 10, 64); the error text is strconv's *NumError
// ("strconv.ParseInt: parsing \"x\": invalid syntax" / "value out of range").
std::optional<int64_t> parse_int(const std::string& s, std::string& error) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  const bool digits = i < s.size() && std::all_of(s.begin() + static_cast<long>(i), s.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    error = "strconv.ParseInt: parsing " + go_quote(s) + ": invalid syntax";
    return std::nullopt;
  }
  int64_t v = 0;
  const char* first = s.data() + (s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    error = "strconv.ParseInt: parsing " + go_quote(s) + ": value out of range";
    return std::nullopt;
  }
  return v;
}

// common/config.go isUserOrGroupAllowed (18.4: string comparison; 19.0: numeric, non-numeric entries
// skipped with a runner-log warning only).
std::optional<std::string> not_allowed(const std::string& id, const char* kind, const std::vector<std::string>& list,
                                       Profile profile) {
  if (id.empty()) return std::nullopt;
  const std::string refused =
      std::string(kind) + " " + go_quote(id) + " is not in the allowed list: " + go_list(list);
  if (!allow_lists_compare_numbers(profile)) {
    // Root requires explicit permission in allowlist, even if allowlist is empty
    if (id == "0" && std::find(list.begin(), list.end(), "0") == list.end()) return refused;
    if (list.empty()) return std::nullopt;
    if (std::find(list.begin(), list.end(), id) == list.end()) return refused;
    return std::nullopt;
  }
  std::string ignored;
  const auto value = parse_int(id, ignored);
  if (!value) return std::string(kind) + " " + go_quote(id) + " is invalid: " + ignored;
  const bool listed = std::any_of(list.begin(), list.end(), [&](const std::string& e) {
    std::string err;
    auto v = parse_int(e, err);
    return v && *v == *value;
  });
  if (*value == 0) return listed ? std::nullopt : std::optional<std::string>(refused);
  if (list.empty() || listed) return std::nullopt;
  return refused;
}

// kubernetes.go parseAndValidateID: -1 (none) for an empty id; the error says why one is refused.
int64_t parse_and_validate(const std::string& id, const char* kind, const char* list_kind,
                           const std::vector<std::string>& list, Profile profile, std::string& error) {
  if (id.empty()) return -1;
  std::string parse_error;
  const auto value = parse_int(id, parse_error);
  if (!value) {
    error = std::string("failed to parse ") + kind + ": " + parse_error;
    return -1;
  }
  if (*value < 0) {
    error = std::string("failed to parse ") + kind + ": negative values not allowed";
    return -1;
  }
  if (auto refused = not_allowed(id, list_kind, list, profile)) {
    error = std::string("validating ") + kind + ": " + *refused;
    return -1;
  }
  return *value;
}

// The configured id for a container (pickSecurityContextID: the container's section, then the pod's).
struct ConfiguredId {
  std::optional<int64_t> value;
  const char* source = nullptr;  ///< securityContextIDSource
};

// executors/kubernetes/kubernetes.go securityContextIDSource: "container security context", "pod security context".
ConfiguredId configured(std::optional<int64_t> container, std::optional<int64_t> pod) {
  if (container) return {container, "container security context"};
  if (pod) return {pod, "pod security context"};
  return {};
}

const ContainerSecurityContextConfig& security_section_of(const SecurityConfig& s, ContainerKind kind) {
  return kind == ContainerKind::kService ? s.service : s.build;
}

// 18.4+ getContainerUIDGID.
JobUserIds allow_listed(const KubernetesConfig& kube, ContainerKind kind, const std::string& name,
                        const std::string& user, Profile profile) {
  JobUserIds out;
  const auto colon = user.find(':');
  const std::string uid_str = user.substr(0, colon);
  const std::string gid_str = colon == std::string::npos ? "" : user.substr(colon + 1);
  // GetContainerSecurityContext before 14.5 has no per-container sections (security_context.cc).
  static const ContainerSecurityContextConfig kNone;
  const ContainerSecurityContextConfig& own =
      per_container_security_contexts(profile) ? security_section_of(kube.security, kind) : kNone;
  const ConfiguredId uid_conf = configured(own.run_as_user, kube.security.pod.run_as_user);
  const ConfiguredId gid_conf = configured(own.run_as_group, kube.security.pod.run_as_group);
  if (!uid_conf.value) {
    std::string error;
    const int64_t uid = parse_and_validate(uid_str, "UID", "user", kube.allowed_users, profile, error);
    if (!error.empty())
      // executors/kubernetes/kubernetes.go getContainerUIDGID: "Error parsing 'uid' from image options for container %q, using
      // the configured security context: %v".
      out.lines.push_back({true, "Error parsing 'uid' from image options for container " + go_quote(name) +
                                     ", using the configured security context: " + error});
    if (uid > -1) out.uid = uid;
  }
  if (!gid_conf.value) {
    std::string error;
    const int64_t gid = parse_and_validate(gid_str, "GID", "group", kube.allowed_groups, profile, error);
    if (!error.empty())
      out.lines.push_back({true, "Error parsing 'gid' from image options for container " + go_quote(name) +
                                     ", using the configured security context: " + error});
    if (gid > -1) out.gid = gid;
  }
  if (uid_conf.value && !uid_str.empty())
    // executors/kubernetes/kubernetes.go getContainerUIDGID: "Overriding user for container %q to %q is not allowed: user is
    // set to %d in %s".
    out.lines.push_back({false, "Overriding user for container " + go_quote(name) + " to " + go_quote(uid_str) +
                                    " is not allowed: user is set to " + std::to_string(*uid_conf.value) + " in " +
                                    uid_conf.source});
  if (gid_conf.value && !gid_str.empty())
    out.lines.push_back({false, "Overriding group for container " + go_quote(name) + " to " + go_quote(gid_str) +
                                    " is not allowed: group is set to " + std::to_string(*gid_conf.value) + " in " +
                                    gid_conf.source});
  return out;
}

// 18.0-18.3 setSecurityContextUser with ImageKubernetesOptions.GetUIDGID: positive ids win over the
// configuration; a malformed user keeps the configuration, with a warning.
JobUserIds uid_gid(const std::string& user) {
  JobUserIds out;
  if (user.empty()) return out;
  const auto colon = user.find(':');
  std::string error;
  const auto uid = parse_int(user.substr(0, colon), error);
  if (!uid) error = "failed to parse UID " + error;
  std::optional<int64_t> gid = 0;
  if (uid && colon != std::string::npos) {
    gid = parse_int(user.substr(colon + 1), error);
    if (!gid) error = "failed to parse GID " + error;
  }
  if (!uid || !gid) {
    out.lines.push_back(
        {true, "Error parsing 'uid' or 'gid' from image options, using the configured security context: " + error});
    return out;
  }
  if (*uid > 0) out.uid = uid;
  if (*gid > 0) out.gid = gid;
  return out;
}

}  // namespace

JobUserIds job_user_ids(const KubernetesConfig& kube, ContainerKind kind, const std::string& name,
                        const std::string& user, Profile profile) {
  if (kind == ContainerKind::kHelper || kind == ContainerKind::kInitPermissions) return {};
  if (!reads_job_kubernetes_user(profile)) return {};
  if (job_user_allow_lists(profile)) return allow_listed(kube, kind, name, user, profile);
  if (job_user_has_group(profile)) return uid_gid(user);
  // 17.11: ImageKubernetesOptions.User is an int64; setSecurityContextUser sets a positive one.
  JobUserIds out;
  std::string ignored;
  if (auto uid = parse_int(user, ignored); uid && *uid > 0) out.uid = uid;
  return out;
}

void apply_job_user(const JobUserIds& ids, nlohmann::json& security_context) {
  if (ids.uid) security_context["runAsUser"] = *ids.uid;
  if (ids.gid) security_context["runAsGroup"] = *ids.gid;
}

}  // namespace kexsim::executor

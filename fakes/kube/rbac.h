#pragma once
// Authorization as a real API server does it: request attributes from the URL and method, RBAC rules
// from the stored Roles and bindings, the bootstrap policy for authenticated users, system:masters,
// and impersonation. Denials become the exact 403 Status clients print.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/status.h"
#include "fakes/kube/store.h"

namespace kexsim::fakes {

/// Who makes a request, after authentication and impersonation.
struct UserInfo {
  std::string name;
  std::vector<std::string> groups;
};

/// What a request asks to do (apiserver RequestInfo): the input of every authorization decision.
struct RequestAttributes {
  bool resource_request = false;
  std::string verb;  ///< create, get, list, watch, update, patch, delete, deletecollection, impersonate
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string name;
  std::string ns;
  std::string path;  ///< the URL path (what non-resource rules match)
};

/// An authorization answer; reason is what SelfSubjectAccessReview reports and what a 403 appends.
struct Decision {
  bool allowed = false;
  std::string reason;
};

/// The identity a token stands for, with the groups a real authenticator adds: service accounts get
/// system:serviceaccounts and system:serviceaccounts:<ns>, everybody gets system:authenticated.
UserInfo authenticated_user(const std::string& name, std::vector<std::string> groups);

/// Resolves method, path and query into request attributes (the requestinfo.go rules, and the
/// >= 1.35 rule that exec/attach/portforward need `create` over WebSocket GET too).
RequestAttributes resolve_request(const std::string& method, const std::string& path,
                                  const std::vector<std::pair<std::string, std::string>>& query);

/// Whether one RBAC PolicyRule allows the request (rbac/v1 evaluation_helpers RuleAllows).
bool rule_allows(const nlohmann::json& rule, const RequestAttributes& request);

/// The 403 for a denied request, e.g. `pods "x" is forbidden: User "u" cannot create resource
/// "pods/exec" in API group "" in the namespace "cicd"`, with ": <reason>" when there is one.
ApiStatus forbidden_status(const UserInfo& user, const RequestAttributes& request, const std::string& reason);

/// Decides requests: system:masters first, then the bootstrap policy, then stored ClusterRoleBindings
/// and the RoleBindings of the request's namespace. Deny by default.
class Authorizer {
 public:
  explicit Authorizer(const Store& store) : store_(store) {}

  /// Allowed or not, and the reason (`RBAC: allowed by RoleBinding "b/ns" of Role "r" to ...`, or the
  /// missing-role errors met on the way when denied).
  Decision authorize(const UserInfo& user, const RequestAttributes& request) const;

  /// Applies Impersonate-User / Impersonate-Group: each is authorized as verb `impersonate` for the
  /// caller; the result is the impersonated identity, or the 403 of the first denied value.
  ApiResult<UserInfo> impersonate(const UserInfo& caller, const std::string& user,
                                  const std::vector<std::string>& groups) const;

 private:
  const Store& store_;
};

}  // namespace kexsim::fakes

#include "fakes/kube/rbac.h"

#include <algorithm>
#include <cctype>

#include "base/json_fields.h"
#include "base/strings.h"
#include "fakes/kube/selector.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const std::string kServiceAccountPrefix = "system:serviceaccount:";
const std::string kAuthenticated = "system:authenticated";

bool in_rule_list(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A string array field of a rule, tolerant of absent or malformed fields (which then match nothing).
std::vector<std::string> strings_of(const json& object, const char* field) {
  std::vector<std::string> out;
  if (!object.is_object() || !object.contains(field) || !object[field].is_array()) return out;
  for (const auto& v : object[field])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// A member of an object, or null; operator[] on a const json must not see a missing key.
using json_fields::member;

std::string text_of(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_string()) return {};
  return object[field].get<std::string>();
}

// "system:serviceaccount:<ns>:<name>" split into namespace and name; false for other users.
bool split_service_account(const std::string& user, std::string& ns, std::string& name) {
  if (user.rfind(kServiceAccountPrefix, 0) != 0) return false;
  const std::string rest = user.substr(kServiceAccountPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) return false;
  if (rest.find(':', colon + 1) != std::string::npos) return false;
  ns = rest.substr(0, colon);
  name = rest.substr(colon + 1);
  return true;
}

// The bootstrap ClusterRoles a fresh cluster binds to every authenticated user, and one to anonymous ones (§5.4). They
// are built in rather than stored, so listing clusterroles shows only what a scenario created.
struct BootstrapBinding {
  std::string name;
  std::vector<std::string> groups;  ///< the binding's Group subjects
  json rules;
};

const std::vector<BootstrapBinding>& bootstrap_bindings() {
  static const std::vector<BootstrapBinding> bindings = {
      {"system:discovery",
       {kAuthenticated},
       json::array({{{"verbs", {"get"}},
                     {"nonResourceURLs",
                      {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                       "/version", "/version/"}}}})},
      {"system:basic-user",
       {kAuthenticated},
       json::array({{{"verbs", {"create"}},
                     {"apiGroups", {"authorization.k8s.io"}},
                     {"resources", {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}}}})},
      // plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go ClusterRoleBindings: the only one that
      // anonymous requests (system:unauthenticated) get, so /version answers them.
      {"system:public-info-viewer",
       {kAuthenticated, "system:unauthenticated"},
       json::array(
           {{{"verbs", {"get"}}, {"nonResourceURLs", {"/healthz", "/livez", "/readyz", "/version", "/version/"}}}})},
  };
  return bindings;
}

// rbac.go appliesToUser; binding_ns is the RoleBinding's namespace ("" for ClusterRoleBindings).
bool subject_applies(const json& subject, const UserInfo& user, const std::string& binding_ns) {
  const std::string kind = text_of(subject, "kind");
  const std::string name = text_of(subject, "name");
  if (kind == "User") return user.name == name;
  if (kind == "Group") return in_rule_list(user.groups, name);
  if (kind == "ServiceAccount") {
    std::string ns = text_of(subject, "namespace");
    if (ns.empty()) ns = binding_ns;
    if (ns.empty()) return false;
    return user.name == kServiceAccountPrefix + ns + ":" + name;
  }
  return false;
}

// rbac.go describeSubject.
std::string describe_subject(const json& subject, const std::string& binding_ns) {
  const std::string kind = text_of(subject, "kind");
  std::string name = text_of(subject, "name");
  if (kind == "ServiceAccount") {
    const std::string ns = text_of(subject, "namespace");
    name += "/" + (ns.empty() ? binding_ns : ns);
  }
  return kind + " " + json(name).dump();
}

// Walks bindings until a rule allows the request, collecting role-lookup errors for the deny reason.
class Visitor {
 public:
  Visitor(const UserInfo& user, const RequestAttributes& request) : user_(user), request_(request) {}

  // Visits one binding; returns true once the request is allowed.
  bool visit(const json& binding, const std::string& binding_ns, const json* role_rules,
             const std::string& missing_role_error, const std::string& description_prefix) {
    const json& subjects = member(binding, "subjects");
    if (!subjects.is_array()) return false;
    for (const json& subject : subjects) {
      if (!subject_applies(subject, user_, binding_ns)) continue;
      if (!role_rules) {
        errors_.push_back(missing_role_error);
        return false;
      }
      if (!role_rules->is_array()) return false;
      for (const json& rule : *role_rules) {
        if (!rule_allows(rule, request_)) continue;
        const json& ref = member(binding, "roleRef");
        reason_ = "RBAC: allowed by " + description_prefix + " of " + text_of(ref, "kind") + " " +
                  json(text_of(ref, "name")).dump() + " to " + describe_subject(subject, binding_ns);
        return true;
      }
      return false;
    }
    return false;
  }

  Decision denied() const {
    Decision d;
    if (errors_.empty()) return d;
    std::string joined;
    for (size_t i = 0; i < errors_.size(); ++i) joined += (i ? ", " : "") + errors_[i];
    d.reason = "RBAC: " + (errors_.size() == 1 ? joined : "[" + joined + "]");
    return d;
  }

  Decision allowed() const { return Decision{true, reason_}; }

 private:
  const UserInfo& user_;
  const RequestAttributes& request_;
  std::vector<std::string> errors_;
  std::string reason_;
};

const json* rules_of(const StoredObject* role) {
  if (!role) return nullptr;
  static const json kNoRules = json::array();
  const json& rules = member(role->object, "rules");
  return rules.is_array() ? &rules : &kNoRules;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path + "/") {
    if (c == '/') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return parts;
}

// A boolean query parameter as apimachinery decodes it (runtime Convert_Slice_string_To_bool): set and
// not "", "0" or "false" in any case means true, so the Python client's "watch=True" is a watch.
bool rbac_query_flag(const std::vector<std::pair<std::string, std::string>>& query, const std::string& key) {
  for (const auto& [k, v] : query)
    if (k == key) return !v.empty() && v != "0" && !iequals(v, "false");
  return false;
}

}  // namespace

UserInfo authenticated_user(const std::string& name, std::vector<std::string> groups) {
  UserInfo user{name, {}};
  std::string ns, sa;
  if (split_service_account(name, ns, sa)) {
    groups.insert(groups.begin(), {"system:serviceaccounts", "system:serviceaccounts:" + ns});
  }
  groups.push_back(kAuthenticated);
  for (auto& g : groups)
    if (!in_rule_list(user.groups, g)) user.groups.push_back(g);
  return user;
}

RequestAttributes resolve_request(const std::string& method, const std::string& path,
                                  const std::vector<std::pair<std::string, std::string>>& query) {
  RequestAttributes a;
  a.path = path;
  a.verb = to_lower(method);
  std::vector<std::string> parts = split_path(path);
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) return a;
  const bool grouped = parts[0] == "apis";
  parts.erase(parts.begin());
  if (grouped) {
    if (parts.size() < 3) return a;
    a.api_group = parts[0];
    parts.erase(parts.begin());
  }
  a.resource_request = true;
  a.api_version = parts[0];
  parts.erase(parts.begin());

  bool verb_from_method = false;
  if (parts[0] == "watch" || parts[0] == "proxy") {
    if (parts.size() < 2) {
      a.resource_request = false;
      return a;
    }
    a.verb = parts[0];
    parts.erase(parts.begin());
  } else {
    verb_from_method = true;
    static const std::vector<std::pair<std::string, std::string>> verbs = {{"POST", "create"}, {"GET", "get"},
                                                                           {"HEAD", "get"},    {"PUT", "update"},
                                                                           {"PATCH", "patch"}, {"DELETE", "delete"}};
    a.verb.clear();
    for (const auto& [m, v] : verbs)
      if (m == method) a.verb = v;
  }

  if (parts[0] == "namespaces" && parts.size() > 1) {
    a.ns = parts[1];
    // /namespaces/{ns}/{resource}/... unless it is the namespace's own status or finalize subresource.
    if (parts.size() > 2 && parts[2] != "status" && parts[2] != "finalize")
      parts.erase(parts.begin(), parts.begin() + 2);
  }
  const bool proxy = a.verb == "proxy";
  if (parts.size() >= 3 && !proxy) a.subresource = parts[2];
  if (parts.size() >= 2) a.name = parts[1];
  a.resource = parts[0];

  if (a.name.empty() && a.verb == "get") {
    a.verb = rbac_query_flag(query, "watch") ? "watch" : "list";
    for (const auto& [k, v] : query) {
      if (k != "fieldSelector") continue;
      auto terms = parse_field_selector(v);
      if (!terms.ok()) break;
      for (const FieldTerm& t : terms.value())
        if (t.field == "metadata.name" && t.equals && !t.value.empty() && t.value.find('/') == std::string::npos)
          a.name = t.value;
    }
  }
  if (a.name.empty() && a.verb == "delete") a.verb = "deletecollection";
  // kube-apiserver >= 1.35 (AuthorizePodWebsocketUpgradeCreatePermission): a WebSocket GET to these
  // subresources needs `create`, exactly like the SPDY POST.
  if (verb_from_method && a.verb == "get" && a.resource == "pods" &&
      (a.subresource == "exec" || a.subresource == "attach" || a.subresource == "portforward"))
    a.verb = "create";
  return a;
}

bool rule_allows(const json& rule, const RequestAttributes& request) {
  const auto verbs = strings_of(rule, "verbs");
  if (!in_rule_list(verbs, "*") && !in_rule_list(verbs, request.verb)) return false;
  if (!request.resource_request) {
    for (const std::string& url : strings_of(rule, "nonResourceURLs")) {
      if (url == "*" || url == request.path) return true;
      if (!url.empty() && url.back() == '*' && request.path.rfind(url.substr(0, url.size() - 1), 0) == 0) return true;
    }
    return false;
  }
  const auto groups = strings_of(rule, "apiGroups");
  if (!in_rule_list(groups, "*") && !in_rule_list(groups, request.api_group)) return false;

  const std::string combined =
      request.subresource.empty() ? request.resource : request.resource + "/" + request.subresource;
  bool resource_ok = false;
  for (const std::string& r : strings_of(rule, "resources")) {
    if (r == "*" || r == combined) resource_ok = true;
    // `*/exec` matches any resource's exec subresource; `*/*` only a literal `*` subresource.
    else if (!request.subresource.empty() && r == "*/" + request.subresource)
      resource_ok = true;
    if (resource_ok) break;
  }
  if (!resource_ok) return false;

  const auto names = strings_of(rule, "resourceNames");
  return names.empty() || in_rule_list(names, request.name);
}

// apiserver pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage: "User %q cannot %s resource %q in API
// group %q in the namespace %q" (or "at the cluster scope", or "path %q" for a non-resource URL).
ApiStatus forbidden_status(const UserInfo& user, const RequestAttributes& request, const std::string& reason) {
  const std::string who = "User " + json(user.name).dump() + " cannot " + request.verb;
  std::string detail;
  GroupResource gr;
  if (!request.resource_request) {
    detail = who + " path " + json(request.path).dump();
  } else {
    gr = GroupResource{request.api_group, request.resource};
    const std::string combined =
        request.subresource.empty() ? request.resource : request.resource + "/" + request.subresource;
    detail = who + " resource " + json(combined).dump() + " in API group " + json(request.api_group).dump();
    detail += request.ns.empty() ? " at the cluster scope" : " in the namespace " + json(request.ns).dump();
  }
  if (!reason.empty()) detail += ": " + reason;
  return status_forbidden(gr, request.resource_request ? request.name : std::string(), detail);
}

Decision Authorizer::authorize(const UserInfo& user, const RequestAttributes& request) const {
  // system:masters is authorized ahead of RBAC on a real server, with no reason.
  if (in_rule_list(user.groups, "system:masters")) return Decision{true, ""};

  Visitor visitor(user, request);
  for (const BootstrapBinding& b : bootstrap_bindings()) {
    json subjects = json::array();
    for (const std::string& group : b.groups) subjects.push_back({{"kind", "Group"}, {"name", group}});
    const json binding = {{"roleRef", {{"kind", "ClusterRole"}, {"name", b.name}}}, {"subjects", std::move(subjects)}};
    if (visitor.visit(binding, "", &b.rules, "", "ClusterRoleBinding " + json(b.name).dump())) return visitor.allowed();
  }
  for (const StoredObject* stored : store_.list("clusterrolebindings", "")) {
    const json& binding = stored->object;
    const std::string role_name = text_of(member(binding, "roleRef"), "name");
    const json* rules = text_of(member(binding, "roleRef"), "kind") == "ClusterRole"
                            ? rules_of(store_.find("clusterroles", "", role_name))
                            : nullptr;
    const std::string missing = "clusterrole.rbac.authorization.k8s.io " + json(role_name).dump() + " not found";
    const std::string name = text_of(member(binding, "metadata"), "name");
    if (visitor.visit(binding, "", rules, missing, "ClusterRoleBinding " + json(name).dump())) return visitor.allowed();
  }
  if (!request.ns.empty()) {
    for (const StoredObject* stored : store_.list("rolebindings", request.ns)) {
      const json& binding = stored->object;
      const std::string kind = text_of(member(binding, "roleRef"), "kind");
      const std::string role_name = text_of(member(binding, "roleRef"), "name");
      const bool cluster_role = kind == "ClusterRole";
      const json* rules = cluster_role ? rules_of(store_.find("clusterroles", "", role_name))
                                       : rules_of(store_.find("roles", request.ns, role_name));
      const std::string missing = (cluster_role ? "clusterrole" : "role") + std::string(".rbac.authorization.k8s.io ") +
                                  json(role_name).dump() + " not found";
      const std::string name = text_of(member(binding, "metadata"), "name") + "/" + request.ns;
      if (visitor.visit(binding, request.ns, rules, missing, "RoleBinding " + json(name).dump()))
        return visitor.allowed();
    }
  }
  return visitor.denied();
}

ApiResult<UserInfo> Authorizer::impersonate(const UserInfo& caller, const std::string& user,
                                            const std::vector<std::string>& groups) const {
  std::vector<RequestAttributes> checks;
  RequestAttributes as_user;
  as_user.resource_request = true;
  as_user.verb = "impersonate";
  as_user.api_version = "v1";
  std::string sa_ns, sa_name;
  const bool service_account = split_service_account(user, sa_ns, sa_name);
  if (service_account) {
    as_user.resource = "serviceaccounts";
    as_user.ns = sa_ns;
    as_user.name = sa_name;
  } else {
    as_user.resource = "users";
    as_user.name = user;
  }
  checks.push_back(as_user);
  for (const std::string& g : groups) {
    RequestAttributes as_group = as_user;
    as_group.resource = "groups";
    as_group.ns.clear();
    as_group.name = g;
    checks.push_back(as_group);
  }
  for (const RequestAttributes& check : checks) {
    const Decision d = authorize(caller, check);
    if (!d.allowed) return forbidden_status(caller, check, d.reason);
  }
  UserInfo result{user, groups};
  if (service_account && groups.empty()) result.groups = {"system:serviceaccounts", "system:serviceaccounts:" + sa_ns};
  if (user != "system:anonymous" && !in_rule_list(result.groups, kAuthenticated))
    result.groups.push_back(kAuthenticated);
  return result;
}

}  // namespace kexsim::fakes

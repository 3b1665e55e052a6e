#include "fakes/kube/rbac.h"

#include <gtest/gtest.h>

#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

RequestAttributes resource(const std::string& verb, const std::string& group, const std::string& res,
                           const std::string& sub, const std::string& ns, const std::string& name = "") {
  RequestAttributes a;
  a.resource_request = true;
  a.verb = verb;
  a.api_group = group;
  a.api_version = "v1";
  a.resource = res;
  a.subresource = sub;
  a.ns = ns;
  a.name = name;
  return a;
}

RequestAttributes path(const std::string& verb, const std::string& p) {
  RequestAttributes a;
  a.verb = verb;
  a.path = p;
  return a;
}

json rule(std::vector<std::string> verbs, std::vector<std::string> groups, std::vector<std::string> resources,
          std::vector<std::string> names = {}) {
  json r = {{"verbs", verbs}, {"apiGroups", groups}, {"resources", resources}};
  if (!names.empty()) r["resourceNames"] = names;
  return r;
}

TEST(KubeRbacRequest, VerbsFromMethodAndPath) {
  auto a = resolve_request("GET", "/api/v1/namespaces/cicd/pods", {});
  EXPECT_TRUE(a.resource_request);
  EXPECT_EQ(a.verb, "list");
  EXPECT_EQ(a.ns, "cicd");
  EXPECT_EQ(a.resource, "pods");
  EXPECT_EQ(a.name, "");

  a = resolve_request("GET", "/api/v1/namespaces/cicd/pods", {{"watch", "true"}});
  EXPECT_EQ(a.verb, "watch");
  a = resolve_request("GET", "/api/v1/watch/namespaces/cicd/pods", {});
  EXPECT_EQ(a.verb, "watch");
  EXPECT_EQ(a.resource, "pods");

  a = resolve_request("GET", "/api/v1/namespaces/cicd/pods",
                      {{"fieldSelector", "status.phase=Running,metadata.name=runner-x"}});
  EXPECT_EQ(a.verb, "list");
  EXPECT_EQ(a.name, "runner-x");

  a = resolve_request("DELETE", "/api/v1/namespaces/cicd/secrets", {});
  EXPECT_EQ(a.verb, "deletecollection");
  a = resolve_request("PUT", "/api/v1/namespaces/cicd/secrets/s", {});
  EXPECT_EQ(a.verb, "update");
  EXPECT_EQ(a.name, "s");

  a = resolve_request("GET", "/api/v1/namespaces/cicd", {});
  EXPECT_EQ(a.resource, "namespaces");
  EXPECT_EQ(a.name, "cicd");
  EXPECT_EQ(a.ns, "cicd");

  a = resolve_request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {});
  EXPECT_EQ(a.api_group, "rbac.authorization.k8s.io");
  EXPECT_EQ(a.verb, "create");
  EXPECT_EQ(a.ns, "");
}

TEST(KubeRbacRequest, ExecNeedsCreateOverWebSocketToo) {
  for (const char* method : {"GET", "POST"}) {
    auto a = resolve_request(method, "/api/v1/namespaces/cicd/pods/p/exec", {{"command", "sh"}});
    EXPECT_EQ(a.verb, "create") << method;
    EXPECT_EQ(a.resource, "pods");
    EXPECT_EQ(a.subresource, "exec");
    EXPECT_EQ(a.name, "p");
  }
  EXPECT_EQ(resolve_request("GET", "/api/v1/namespaces/cicd/pods/p/log", {}).verb, "get");
}

TEST(KubeRbacRequest, ShortPathsAreNonResource) {
  for (const char* p : {"/api", "/api/v1", "/apis", "/apis/rbac.authorization.k8s.io/v1", "/version", "/healthz"}) {
    auto a = resolve_request("GET", p, {});
    EXPECT_FALSE(a.resource_request) << p;
    EXPECT_EQ(a.verb, "get");
    EXPECT_EQ(a.path, p);
  }
}

TEST(KubeRbacRule, ResourcesAndSubresources) {
  const auto exec = resource("create", "", "pods", "exec", "cicd", "p");
  EXPECT_FALSE(rule_allows(rule({"create"}, {""}, {"pods"}), exec));
  EXPECT_TRUE(rule_allows(rule({"create"}, {""}, {"pods/exec"}), exec));
  EXPECT_TRUE(rule_allows(rule({"create"}, {""}, {"*/exec"}), exec));
  EXPECT_TRUE(rule_allows(rule({"create"}, {""}, {"*"}), exec));
  EXPECT_FALSE(rule_allows(rule({"create"}, {""}, {"*/*"}), exec));
  EXPECT_TRUE(rule_allows(rule({"*"}, {"*"}, {"*"}), exec));
  EXPECT_FALSE(rule_allows(rule({"create"}, {"apps"}, {"pods/exec"}), exec));
  EXPECT_FALSE(rule_allows(rule({"get"}, {""}, {"pods/exec"}), exec));
  EXPECT_FALSE(rule_allows(rule({"create"}, {""}, {"pods/exec"}), resource("create", "", "pods", "", "cicd")));
}

TEST(KubeRbacRule, ResourceNamesNeverMatchUnnamedRequests) {
  const json named = rule({"get", "create", "list"}, {""}, {"secrets"}, {"a"});
  EXPECT_TRUE(rule_allows(named, resource("get", "", "secrets", "", "cicd", "a")));
  EXPECT_FALSE(rule_allows(named, resource("get", "", "secrets", "", "cicd", "b")));
  EXPECT_FALSE(rule_allows(named, resource("create", "", "secrets", "", "cicd")));
  EXPECT_FALSE(rule_allows(named, resource("list", "", "secrets", "", "cicd")));
}

TEST(KubeRbacRule, NonResourceUrls) {
  const json r = {{"verbs", {"get"}}, {"nonResourceURLs", {"/api", "/apis/*"}}};
  EXPECT_TRUE(rule_allows(r, path("get", "/api")));
  EXPECT_FALSE(rule_allows(r, path("get", "/api/v1")));
  EXPECT_TRUE(rule_allows(r, path("get", "/apis/rbac.authorization.k8s.io/v1")));
  EXPECT_FALSE(rule_allows(r, path("post", "/api")));
  EXPECT_FALSE(rule_allows(r, resource("get", "", "pods", "", "cicd")));
}

TEST(KubeRbacForbidden, ExactMessages) {
  const UserInfo sa = authenticated_user("system:serviceaccount:cicd:default", {});
  EXPECT_EQ(
      forbidden_status(sa, resource("create", "", "secrets", "", "cicd"), "").message(),
      R"(secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets" in API group "" in the namespace "cicd")");
  EXPECT_EQ(
      forbidden_status(sa, resource("create", "", "pods", "exec", "cicd", "x"), "").message(),
      R"(pods "x" is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "pods/exec" in API group "" in the namespace "cicd")");
  const UserInfo alice = authenticated_user("alice", {});
  EXPECT_EQ(
      forbidden_status(alice, resource("list", "rbac.authorization.k8s.io", "roles", "", "cicd"), "").message(),
      R"(roles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "cicd")");
  EXPECT_EQ(
      forbidden_status(alice, resource("create", "", "namespaces", "", ""), "").message(),
      R"(namespaces is forbidden: User "alice" cannot create resource "namespaces" in API group "" at the cluster scope)");
  EXPECT_EQ(forbidden_status(alice, path("get", "/foo"), "").message(),
            R"(forbidden: User "alice" cannot get path "/foo")");
  const ApiStatus with_reason = forbidden_status(alice, resource("get", "", "pods", "", "cicd", "p"),
                                                 "RBAC: role.rbac.authorization.k8s.io \"r\" not found");
  EXPECT_EQ(
      with_reason.message(),
      R"(pods "p" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "cicd": RBAC: role.rbac.authorization.k8s.io "r" not found)");
  EXPECT_EQ(with_reason.body["details"].dump(), R"({"name":"p","kind":"pods"})");
  EXPECT_EQ(forbidden_status(alice, resource("list", "rbac.authorization.k8s.io", "roles", "", "cicd"), "")
                .body["details"]
                .dump(),
            R"({"group":"rbac.authorization.k8s.io","kind":"roles"})");
}

TEST(KubeRbacIdentity, GroupsPerKindOfUser) {
  EXPECT_EQ(
      authenticated_user("system:serviceaccount:cicd:runner", {}).groups,
      (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:cicd", "system:authenticated"}));
  EXPECT_EQ(authenticated_user("alice", {"devs"}).groups, (std::vector<std::string>{"devs", "system:authenticated"}));
}

class KubeRbacAuthorizer : public ::testing::Test {
 protected:
  void add(const std::string& resource_name, const std::string& ns, json object) {
    auto r = store_.create(*find_resource("rbac.authorization.k8s.io", resource_name), ns, std::move(object));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  Decision check(const std::string& user, const RequestAttributes& a) {
    return authorizer_.authorize(authenticated_user(user, {}), a);
  }

  testing::ManualClock clock_;
  Random random_{1};
  Store store_{clock_, random_};
  Authorizer authorizer_{store_};
};

TEST_F(KubeRbacAuthorizer, RoleBindingToServiceAccountDefaultsItsNamespace) {
  add("roles", "cicd",
      {{"metadata", {{"name", "runner"}}}, {"rules", {rule({"create", "get"}, {""}, {"pods", "pods/exec"})}}});
  add("rolebindings", "cicd",
      {{"metadata", {{"name", "runner"}}},
       {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "runner"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}}}}});
  const Decision d = check("system:serviceaccount:cicd:default", resource("create", "", "pods", "exec", "cicd", "p"));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason,
            R"(RBAC: allowed by RoleBinding "runner/cicd" of Role "runner" to ServiceAccount "default/cicd")");
  EXPECT_FALSE(check("system:serviceaccount:other:default", resource("create", "", "pods", "", "cicd")).allowed);
  EXPECT_FALSE(check("system:serviceaccount:cicd:default", resource("create", "", "pods", "", "other")).allowed);
  EXPECT_FALSE(check("system:serviceaccount:cicd:default", resource("delete", "", "pods", "", "cicd", "p")).allowed);
}

TEST_F(KubeRbacAuthorizer, ClusterRoleThroughRoleBindingGrantsOnlyInItsNamespace) {
  add("clusterroles", "", {{"metadata", {{"name", "edit"}}}, {"rules", {rule({"*"}, {""}, {"secrets"})}}});
  add("rolebindings", "cicd",
      {{"metadata", {{"name", "edit"}}},
       {"roleRef", {{"kind", "ClusterRole"}, {"name", "edit"}}},
       {"subjects", {{{"kind", "User"}, {"name", "alice"}}}}});
  EXPECT_TRUE(check("alice", resource("create", "", "secrets", "", "cicd")).allowed);
  EXPECT_FALSE(check("alice", resource("create", "", "secrets", "", "prod")).allowed);
  EXPECT_FALSE(check("alice", resource("list", "", "secrets", "", "")).allowed);
  EXPECT_FALSE(check("bob", resource("create", "", "secrets", "", "cicd")).allowed);
}

TEST_F(KubeRbacAuthorizer, ClusterRoleBindingNeedsTheServiceAccountNamespace) {
  add("clusterroles", "", {{"metadata", {{"name", "pods"}}}, {"rules", {rule({"list"}, {""}, {"pods"})}}});
  add("clusterrolebindings", "",
      {{"metadata", {{"name", "no-ns"}}},
       {"roleRef", {{"kind", "ClusterRole"}, {"name", "pods"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}}}}});
  const std::string sa = "system:serviceaccount:cicd:default";
  EXPECT_FALSE(check(sa, resource("list", "", "pods", "", "cicd")).allowed);
  add("clusterrolebindings", "",
      {{"metadata", {{"name", "with-ns"}}},
       {"roleRef", {{"kind", "ClusterRole"}, {"name", "pods"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}, {"namespace", "cicd"}}}}});
  const Decision d = check(sa, resource("list", "", "pods", "", ""));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason,
            R"(RBAC: allowed by ClusterRoleBinding "with-ns" of ClusterRole "pods" to ServiceAccount "default/cicd")");
}

TEST_F(KubeRbacAuthorizer, GroupSubjectsAndMasters) {
  add("clusterroles", "", {{"metadata", {{"name", "view"}}}, {"rules", {rule({"get"}, {""}, {"pods"})}}});
  add("clusterrolebindings", "",
      {{"metadata", {{"name", "sa-view"}}},
       {"roleRef", {{"kind", "ClusterRole"}, {"name", "view"}}},
       {"subjects", {{{"kind", "Group"}, {"name", "system:serviceaccounts:cicd"}}}}});
  EXPECT_TRUE(check("system:serviceaccount:cicd:x", resource("get", "", "pods", "", "cicd", "p")).allowed);
  EXPECT_FALSE(check("system:serviceaccount:prod:x", resource("get", "", "pods", "", "cicd", "p")).allowed);
  const Decision admin = authorizer_.authorize(authenticated_user("admin", {"system:masters"}),
                                               resource("delete", "", "namespaces", "", "", "x"));
  EXPECT_TRUE(admin.allowed);
  EXPECT_EQ(admin.reason, "");
}

TEST_F(KubeRbacAuthorizer, MissingRolesBecomeTheDenyReason) {
  add("rolebindings", "cicd",
      {{"metadata", {{"name", "runner"}}},
       {"roleRef", {{"kind", "Role"}, {"name", "gitlab-runner"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}}}}});
  const Decision d = check("system:serviceaccount:cicd:default", resource("create", "", "secrets", "", "cicd"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, R"(RBAC: role.rbac.authorization.k8s.io "gitlab-runner" not found)");
  // Bindings for somebody else contribute nothing.
  EXPECT_EQ(check("alice", resource("create", "", "secrets", "", "cicd")).reason, "");
}

TEST_F(KubeRbacAuthorizer, BootstrapPolicyForAuthenticatedUsers) {
  EXPECT_TRUE(check("alice", path("get", "/version")).allowed);
  EXPECT_TRUE(check("alice", path("get", "/apis/rbac.authorization.k8s.io/v1")).allowed);
  EXPECT_FALSE(check("alice", path("get", "/metrics")).allowed);
  const Decision ssar = check("alice", resource("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", ""));
  EXPECT_TRUE(ssar.allowed);
  EXPECT_EQ(
      ssar.reason,
      R"(RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated")");
  EXPECT_FALSE(check("alice", resource("list", "", "pods", "", "cicd")).allowed);
}

TEST_F(KubeRbacAuthorizer, ImpersonationIsAuthorizedPerValue) {
  const UserInfo alice = authenticated_user("alice", {});
  auto denied = authorizer_.impersonate(alice, "system:serviceaccount:cicd:default", {});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(
      denied.status().message(),
      R"(serviceaccounts "default" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "cicd")");

  add("clusterroles", "",
      {{"metadata", {{"name", "imp"}}}, {"rules", {rule({"impersonate"}, {""}, {"serviceaccounts", "users"})}}});
  add("clusterrolebindings", "",
      {{"metadata", {{"name", "imp"}}},
       {"roleRef", {{"kind", "ClusterRole"}, {"name", "imp"}}},
       {"subjects", {{{"kind", "User"}, {"name", "alice"}}}}});
  auto as_sa = authorizer_.impersonate(alice, "system:serviceaccount:cicd:default", {});
  ASSERT_TRUE(as_sa.ok());
  EXPECT_EQ(as_sa.value().name, "system:serviceaccount:cicd:default");
  EXPECT_EQ(as_sa.value().groups, (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:cicd",
                                                            "system:authenticated"}));
  auto as_group = authorizer_.impersonate(alice, "bob", {"devs"});
  ASSERT_FALSE(as_group.ok());
  EXPECT_EQ(
      as_group.status().message(),
      R"(groups "devs" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope)");
}

}  // namespace
}  // namespace kexsim::fakes

// Which requests a declarative fault hits (fakes/faults/fault_rule.h).

#include <chrono>

#include <gtest/gtest.h>

#include "fakes/faults/fault_rule.h"

namespace kexsim::fakes {
namespace {

using std::chrono::seconds;

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = path;
  r.target = std::move(path);
  return r;
}

TEST(FaultRule, PathGlobStarsStayInOneSegment) {
  EXPECT_TRUE(path_glob_match("/api/v1/namespaces/*/pods", "/api/v1/namespaces/ci/pods"));
  EXPECT_FALSE(path_glob_match("/api/v1/namespaces/*/pods", "/api/v1/namespaces/ci/pods/p1"));
  EXPECT_FALSE(path_glob_match("/api/v1/namespaces/*/pods", "/api/v1/namespaces/a/b/pods"));
  EXPECT_TRUE(path_glob_match("/api/v1/namespaces/*/pods/*", "/api/v1/namespaces/ci/pods/p1"));
  EXPECT_TRUE(path_glob_match("/api/v4/jobs/**", "/api/v4/jobs/1/trace"));
  EXPECT_TRUE(path_glob_match("/api/v4/jobs/?/trace", "/api/v4/jobs/1/trace"));
  EXPECT_FALSE(path_glob_match("/api/v4/jobs/?/trace", "/api/v4/jobs/12/trace"));
  EXPECT_TRUE(path_glob_match("*", ""));
  EXPECT_FALSE(path_glob_match("/version", "/versions"));
}

TEST(FaultRule, KubeRequestKindFollowsRequestInfo) {
  auto kind = [](std::string m, std::string p) { return kube_request_kind(request(std::move(m), std::move(p))); };
  EXPECT_EQ(kind("POST", "/api/v1/namespaces/ci/pods").verb, "create");
  EXPECT_EQ(kind("POST", "/api/v1/namespaces/ci/pods").resource, "pods");
  EXPECT_EQ(kind("GET", "/api/v1/namespaces/ci/pods/p").verb, "get");
  EXPECT_EQ(kind("GET", "/api/v1/namespaces/ci/pods").verb, "list");
  EXPECT_EQ(kind("DELETE", "/api/v1/namespaces/ci/secrets/s").verb, "delete");
  EXPECT_EQ(kind("DELETE", "/api/v1/namespaces/ci/secrets").verb, "deletecollection");
  EXPECT_EQ(kind("PUT", "/api/v1/namespaces/ci/secrets/s").verb, "update");
  EXPECT_EQ(kind("GET", "/api/v1/namespaces/ci/pods/p/exec").resource, "pods/exec");
  EXPECT_EQ(kind("GET", "/api/v1/namespaces/ci").resource, "namespaces");
  EXPECT_EQ(kind("GET", "/api/v1/namespaces/ci").verb, "get");
  EXPECT_EQ(kind("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/ci/roles").resource, "roles");
  EXPECT_EQ(kind("GET", "/version").resource, "");
  HttpRequest watch = request("GET", "/api/v1/namespaces/ci/pods");
  watch.query = {{"watch", "true"}};
  EXPECT_EQ(kube_request_kind(watch).verb, "watch");
}

TEST(FaultMatcher, NthAndCountPickTheHitCalls) {
  FaultRule r;
  r.wire = "kubernetes";
  r.verb = "create";
  r.resource = "pods";
  r.nth = 2;
  r.count = 2;
  FaultMatcher m({r});
  const HttpRequest create = request("POST", "/api/v1/namespaces/ci/pods");
  const HttpRequest get = request("GET", "/api/v1/namespaces/ci/pods/p");
  EXPECT_EQ(m.match(create, seconds(0)), nullptr);
  EXPECT_EQ(m.match(get, seconds(0)), nullptr);  // does not match, does not count
  EXPECT_NE(m.match(create, seconds(0)), nullptr);
  EXPECT_NE(m.match(create, seconds(0)), nullptr);
  EXPECT_EQ(m.match(create, seconds(0)), nullptr);
}

TEST(FaultMatcher, MethodAndPath) {
  FaultRule r;
  r.wire = "gitlab";
  r.method = "PATCH";
  r.path = "/api/v4/jobs/*/trace";
  r.count = 100;
  FaultMatcher m({r});
  EXPECT_NE(m.match(request("PATCH", "/api/v4/jobs/7/trace"), seconds(0)), nullptr);
  EXPECT_EQ(m.match(request("PUT", "/api/v4/jobs/7"), seconds(0)), nullptr);
  EXPECT_EQ(m.match(request("PATCH", "/api/v4/jobs/7"), seconds(0)), nullptr);
}

TEST(FaultMatcher, WindowIsHalfOpenAndCountsOnlyInside) {
  FaultRule r;
  r.wire = "kubernetes";
  r.after_seconds = 10;
  r.until_seconds = 20;
  r.nth = 2;
  FaultMatcher m({r});
  const HttpRequest any = request("GET", "/version");
  EXPECT_EQ(m.match(any, seconds(5)), nullptr);   // before the window: not counted
  EXPECT_EQ(m.match(any, seconds(10)), nullptr);  // first inside
  EXPECT_NE(m.match(any, seconds(11)), nullptr);  // second inside: hit
  EXPECT_EQ(m.match(any, seconds(12)), nullptr);
  FaultMatcher late({r});
  EXPECT_EQ(late.match(any, seconds(20)), nullptr);
  EXPECT_EQ(late.match(any, seconds(25)), nullptr);
}

TEST(FaultMatcher, FirstRuleWinsButEveryMatchingRuleCounts) {
  FaultRule a;
  a.wire = "kubernetes";
  a.resource = "secrets";
  a.status = 500;
  FaultRule b = a;
  b.status = 504;
  b.count = 2;
  FaultMatcher m({a, b});
  const HttpRequest create = request("POST", "/api/v1/namespaces/ci/secrets");
  const FaultRule* first = m.match(create, seconds(0));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->status, 500);
  const FaultRule* second = m.match(create, seconds(0));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->status, 504);
  EXPECT_EQ(m.match(create, seconds(0)), nullptr);
}

}  // namespace
}  // namespace kexsim::fakes

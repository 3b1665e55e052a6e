#include "fakes/kube/api_server.h"

#include <gtest/gtest.h>

#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

class KubeApiWorld : public ContainerWorld {
 public:
  explicit KubeApiWorld(std::string host) : host_(std::move(host)) {}
  Connected open(const std::string&, int, const TlsOptions*) override { return {}; }
  std::string etc_hosts() override { return "127.0.0.1\tlocalhost\n"; }
  std::string hostname() override { return host_; }
  const CommandSpec* command(const std::string&) override { return nullptr; }

 private:
  std::string host_;
};

// Records which pod and container each exec asked a world for.
class KubeApiWorlds : public ContainerWorldFactory {
 public:
  std::unique_ptr<ContainerWorld> world_for(const json& pod, const std::string& container) override {
    const std::string name = pod["metadata"]["name"];
    calls.push_back(name + "/" + container + " " + pod["status"]["phase"].get<std::string>());
    return std::make_unique<KubeApiWorld>(name);
  }
  std::vector<std::string> calls;
};

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

HttpRequest api_request(const std::string& method, const std::string& target, const std::string& token,
                        const std::string& body = "", std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = target.substr(q + 1) + "&";
    size_t start = 0, amp;
    while ((amp = query.find('&', start)) != std::string::npos) {
      const std::string pair = query.substr(start, amp - start);
      const size_t eq = pair.find('=');
      if (!pair.empty())
        r.query.emplace_back(percent_decode(pair.substr(0, eq)),
                             eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
      start = amp + 1;
    }
  }
  if (!token.empty()) headers["authorization"] = "Bearer " + token;
  if (!body.empty() && !headers.count("content-type")) headers["content-type"] = "application/json";
  r.headers = std::move(headers);
  r.body = body;
  return r;
}

json job_pod() {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"generateName", "runner-abc-project-1-concurrent-0-"}, {"labels", {{"job.runner.gitlab.com/id", "7"}}}}},
          {"spec",
           {{"containers",
             {{{"name", "build"}, {"image", "alpine:3.20"}, {"env", {{{"name", "GREETING"}, {"value", "hello"}}}}},
              {{"name", "helper"},
               {"image", "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.0.0"}}}}}}};
}

class KubeApiServerTest : public ::testing::Test {
 protected:
  KubeApiServerTest() {
    server_.add_token("admin-token", "admin", {"system:masters"});
    server_.add_token("sa-token", "system:serviceaccount:cicd:default", {});
    server_.add_token("alice-token", "alice", {});
    EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "cicd"}}}}).ok());
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token = "admin-token",
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return server_.handle(api_request(method, target, token, body, std::move(headers)));
  }

  // Lets the runner's service account do what the GitLab Runner docs ask for (§9), in cicd only.
  void grant_runner_role() {
    ASSERT_TRUE(server_
                    .seed({{"kind", "Role"},
                           {"metadata", {{"name", "gitlab-runner"}, {"namespace", "cicd"}}},
                           {"rules",
                            {{{"apiGroups", {""}},
                              {"resources", {"pods", "secrets"}},
                              {"verbs", {"create", "get", "list", "delete", "update"}}},
                             {{"apiGroups", {""}}, {"resources", {"pods/exec"}}, {"verbs", {"create"}}}}}})
                    .ok());
    ASSERT_TRUE(server_
                    .seed({{"kind", "RoleBinding"},
                           {"metadata", {{"name", "gitlab-runner"}, {"namespace", "cicd"}}},
                           {"roleRef",
                            {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "gitlab-runner"}}},
                           {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}}}}})
                    .ok());
  }

  std::string create_job_pod(const std::string& token = "admin-token") {
    const HttpResponse r = call("POST", "/api/v1/namespaces/cicd/pods", token, job_pod().dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["metadata"]["name"];
  }

  testing::ManualClock clock_;
  KubeApiWorlds worlds_;
  KubeApiServer server_{clock_, Random(7), worlds_};
};

TEST_F(KubeApiServerTest, AnUnknownTokenIsUnauthorized) {
  const HttpResponse r = call("GET", "/api/v1/namespaces/cicd/pods", "nope");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  EXPECT_EQ(server_.call_log().back(), "GET /api/v1/namespaces/cicd/pods 401 -");
}

// bearertoken.go: no header, another scheme (Basic, which 1.19's API server no longer reads) or an empty
// token is no credential, and --anonymous-auth (on by default) makes it system:anonymous.
TEST_F(KubeApiServerTest, NoBearerTokenIsSystemAnonymous) {
  const std::vector<std::map<std::string, std::string>> credentials = {
      {}, {{"authorization", "Basic Y2k6czNjcmV0"}}, {{"authorization", "Bearer "}}};
  for (const auto& headers : credentials) {
    const HttpResponse r = call("GET", "/api/v1/namespaces/cicd/pods", "", "", headers);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(json::parse(r.body)["message"],
              "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the "
              "namespace \"cicd\"");
    EXPECT_EQ(server_.call_log().back(), "GET /api/v1/namespaces/cicd/pods 403 system:anonymous");
  }
  // system:public-info-viewer is bound to system:unauthenticated too; system:discovery is not.
  EXPECT_EQ(call("GET", "/version", "").status, 200);
  const HttpResponse discovery = call("GET", "/api", "");
  EXPECT_EQ(discovery.status, 403) << discovery.body;
}

TEST_F(KubeApiServerTest, WithoutAnonymousAuthNoTokenIsUnauthorized) {
  server_.set_anonymous_auth(false);
  for (const std::string header : {"", "Basic Y2k6czNjcmV0"}) {
    std::map<std::string, std::string> headers;
    if (!header.empty()) headers["authorization"] = header;
    EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/pods", "", "", headers).status, 401);
  }
}

TEST_F(KubeApiServerTest, DiscoveryIsOpenToEveryAuthenticatedUser) {
  HttpResponse r = call("GET", "/version?timeout=32s", "sa-token");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["gitVersion"], "v1.33.0");
  server_.set_version("1", "29", "v1.29.14");
  EXPECT_EQ(json::parse(call("GET", "/version", "sa-token").body)["minor"], "29");
  EXPECT_EQ(
      call("GET", "/api", "sa-token").body,
      R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"kubernetes.default.svc:443"}]})");
  const json groups = json::parse(call("GET", "/apis", "sa-token").body);
  ASSERT_EQ(groups["groups"].size(), 4u);  // rbac, authorization, policy, admissionregistration
  EXPECT_EQ(groups["groups"][0]["name"], "rbac.authorization.k8s.io");
  EXPECT_EQ(groups["groups"][1]["preferredVersion"]["groupVersion"], "authorization.k8s.io/v1");
  const json core = json::parse(call("GET", "/api/v1", "sa-token").body);
  EXPECT_EQ(core["groupVersion"], "v1");
  bool saw_exec = false, saw_attach = false;
  for (const auto& res : core["resources"]) {
    if (res["name"] == "pods/exec") saw_exec = res["verbs"] == json({"create", "get"});
    if (res["name"] == "pods/attach") saw_attach = res["kind"] == "PodAttachOptions";
  }
  EXPECT_TRUE(saw_exec);
  EXPECT_TRUE(saw_attach);
  EXPECT_EQ(json::parse(call("GET", "/apis/rbac.authorization.k8s.io/v1", "sa-token").body)["resources"].size(), 4u);
  r = call("GET", "/healthz", "sa-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(call("GET", "/metrics", "sa-token").status, 403);
  EXPECT_EQ(
      call("GET", "/apis/apps/v1", "admin-token").body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404})");
}

TEST_F(KubeApiServerTest, ForbiddenBeforeNotFound) {
  const HttpResponse r = call("POST", "/api/v1/namespaces/cicd/secrets", "sa-token", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      r.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \"system:serviceaccount:cicd:default\" cannot create resource \"secrets\" in API group \"\" in the namespace \"cicd\"","reason":"Forbidden","details":{"kind":"secrets"},"code":403})");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/pods/missing", "sa-token").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/persistentvolumeclaims", "sa-token").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/persistentvolumeclaims", "admin-token").status, 404);
  EXPECT_EQ(server_.call_log().front(), "POST /api/v1/namespaces/cicd/secrets 403 system:serviceaccount:cicd:default");
}

TEST_F(KubeApiServerTest, PodLifecycleOverVirtualTime) {
  grant_runner_role();
  const std::string name = create_job_pod("sa-token");
  EXPECT_EQ(name.rfind("runner-abc-project-1-concurrent-0-", 0), 0u);
  EXPECT_EQ(name.size(), std::string("runner-abc-project-1-concurrent-0-").size() + 5);
  EXPECT_EQ(server_.count("pods", "cicd"), 1u);

  json pod = json::parse(call("GET", "/api/v1/namespaces/cicd/pods/" + name, "sa-token").body);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["spec"]["nodeName"], "node-1");
  EXPECT_EQ(pod["status"]["conditions"][2]["message"], "containers with unready status: [build helper]");
  EXPECT_EQ(pod["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");

  clock_.advance(std::chrono::seconds(6));
  pod = json::parse(call("GET", "/api/v1/namespaces/cicd/pods/" + name, "sa-token").body);
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["status"]["podIP"], "10.244.0.2");
  EXPECT_EQ(server_.get("pods", "cicd", name).value()["status"]["phase"], "Running");

  const HttpResponse deleted = call("DELETE", "/api/v1/namespaces/cicd/pods/" + name, "sa-token",
                                    R"({"gracePeriodSeconds":0,"propagationPolicy":"Background"})");
  ASSERT_EQ(deleted.status, 200);
  const json gone = json::parse(deleted.body);
  EXPECT_EQ(gone["metadata"]["deletionTimestamp"], "2026-01-01T00:00:06Z");
  EXPECT_EQ(gone["metadata"]["deletionGracePeriodSeconds"], 0);
  EXPECT_EQ(server_.count("pods", "cicd"), 0u);
  const HttpResponse missing = call("GET", "/api/v1/namespaces/cicd/pods/" + name, "sa-token");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["details"], (json{{"name", name}, {"kind", "pods"}}));
}

TEST_F(KubeApiServerTest, SlowAndStuckPods) {
  server_.set_pod_timing(PodTiming{std::chrono::seconds(30), false, "worker-2"});
  const std::string slow = create_job_pod();
  clock_.advance(std::chrono::seconds(29));
  EXPECT_EQ(server_.get("pods", "cicd", slow).value()["status"]["phase"], "Pending");
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(server_.get("pods", "cicd", slow).value()["status"]["phase"], "Running");
  EXPECT_EQ(server_.get("pods", "cicd", slow).value()["spec"]["nodeName"], "worker-2");
  server_.set_pod_timing(PodTiming{std::chrono::seconds(6), true, "node-1"});
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(server_.get("pods", "cicd", slow).value()["status"]["phase"], "Pending");
}

TEST_F(KubeApiServerTest, ListsWithSelectors) {
  const std::string a = create_job_pod();
  clock_.advance(std::chrono::seconds(10));
  const std::string b = create_job_pod();
  const auto list = [&](const std::string& query) {
    const HttpResponse r = call("GET", "/api/v1/namespaces/cicd/pods" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = json::parse(r.body);
    std::vector<std::string> names;
    for (const auto& item : body["items"]) names.push_back(item["metadata"]["name"]);
    return names;
  };
  const json all = json::parse(call("GET", "/api/v1/namespaces/cicd/pods").body);
  EXPECT_EQ(all["kind"], "PodList");
  EXPECT_EQ(all["apiVersion"], "v1");
  // 1-2 namespace and its account, 3 pod a, 4 a started (a change like any other), 5 pod b.
  EXPECT_EQ(all["metadata"]["resourceVersion"].get<std::string>(), "5");
  EXPECT_EQ(list("?fieldSelector=status.phase%3DRunning"), std::vector<std::string>{a});
  EXPECT_EQ(list("?fieldSelector=status.phase%3DRunning%2Cmetadata.name%3D" + b), std::vector<std::string>{});
  EXPECT_EQ(list("?fieldSelector=metadata.name%3D" + b), std::vector<std::string>{b});
  EXPECT_EQ(list("?labelSelector=job.runner.gitlab.com%2Fid%3D7").size(), 2u);
  EXPECT_EQ(list("?labelSelector=job.runner.gitlab.com%2Fid+in+(8,9)").size(), 0u);
  EXPECT_EQ(list("?limit=500").size(), 2u);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/pods").body)["items"].size(), 2u);
  const HttpResponse bad = call("GET", "/api/v1/namespaces/cicd/pods?fieldSelector=spec.bogus%3Dx");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["message"], "field label not supported: spec.bogus");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/events?fieldSelector=involvedObject.name%3Dx%2Ctype%3DWarning").body,
            R"({"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]})");
}

TEST_F(KubeApiServerTest, CreateErrorsInARealServersOrder) {
  HttpResponse r = call("POST", "/api/v1/namespaces/nowhere/secrets", "admin-token", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["message"], R"(namespaces "nowhere" not found)");
  EXPECT_EQ(call("POST", "/api/v1/namespaces/cicd/secrets", "admin-token", R"({"metadata":{"name":"x"}})").status, 201);
  r = call("POST", "/api/v1/namespaces/cicd/secrets", "admin-token", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["reason"], "AlreadyExists");
  r = call("POST", "/api/v1/namespaces/cicd/secrets", "admin-token", "k8s\x00junk",
           {{"content-type", "application/vnd.kubernetes.protobuf"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(json::parse(r.body)["reason"], "UnsupportedMediaType");
  r = call("POST", "/api/v1/namespaces/cicd/pods", "admin-token",
           R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"build"}]}})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["message"], R"(Pod "p" is invalid: spec.containers[0].image: Required value)");
  r = call("POST", "/api/v1/namespaces/cicd/pods", "admin-token", "{not json");
  EXPECT_EQ(r.status, 400);
}

TEST_F(KubeApiServerTest, PodsNeedTheirServiceAccount) {
  json pod = job_pod();
  pod["spec"]["serviceAccountName"] = "gitlab-runner";
  const HttpResponse r = call("POST", "/api/v1/namespaces/cicd/pods", "admin-token", pod.dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      json::parse(r.body)["message"],
      R"(pods "runner-abc-project-1-concurrent-0-" is forbidden: error looking up service account cicd/gitlab-runner: serviceaccount "gitlab-runner" not found)");
  EXPECT_EQ(server_.names("serviceaccounts", "cicd"), std::vector<std::string>{"default"});
}

TEST_F(KubeApiServerTest, SecretUpdateChecksResourceVersion) {
  grant_runner_role();
  HttpResponse r = call(
      "POST", "/api/v1/namespaces/cicd/secrets", "sa-token",
      R"({"metadata":{"generateName":"runner-abc-"},"type":"kubernetes.io/dockerconfigjson","stringData":{".dockerconfigjson":"{}"}})");
  ASSERT_EQ(r.status, 201);
  json secret = json::parse(r.body);
  EXPECT_EQ(secret["data"][".dockerconfigjson"], "e30=");
  const std::string path = "/api/v1/namespaces/cicd/secrets/" + secret["metadata"]["name"].get<std::string>();
  json stale = secret;
  stale["metadata"]["resourceVersion"] = "1";
  r = call("PUT", path, "sa-token", stale.dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["reason"], "Conflict");
  secret["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "p"}, {"uid", "u"}}};
  r = call("PUT", path, "sa-token", secret.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["metadata"]["ownerReferences"][0]["kind"], "Pod");
  r = call("DELETE", path, "sa-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "Success");
  EXPECT_EQ(server_.count("secrets", "cicd"), 0u);
}

TEST_F(KubeApiServerTest, RbacObjectsOverTheApi) {
  const std::string base = "/apis/rbac.authorization.k8s.io/v1";
  EXPECT_EQ(call("POST", base + "/namespaces/cicd/roles", "admin-token",
                 R"({"metadata":{"name":"reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]})")
                .status,
            201);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/pods", "alice-token").status, 403);
  EXPECT_EQ(
      call(
          "POST", base + "/namespaces/cicd/rolebindings", "admin-token",
          R"({"metadata":{"name":"reader"},"roleRef":{"kind":"Role","name":"reader"},"subjects":[{"kind":"User","name":"alice"}]})")
          .status,
      201);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/pods", "alice-token").status, 200);
  EXPECT_EQ(json::parse(call("GET", base + "/namespaces/cicd/roles").body)["kind"], "RoleList");
  const HttpResponse missing = call("GET", base + "/namespaces/cicd/roles/runner");
  EXPECT_EQ(json::parse(missing.body)["message"], R"(roles.rbac.authorization.k8s.io "runner" not found)");
  EXPECT_EQ(call("DELETE", base + "/namespaces/cicd/rolebindings/reader").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/cicd/pods", "alice-token").status, 403);
  EXPECT_EQ(call("POST", base + "/clusterroles", "admin-token", R"({"metadata":{"name":"c"},"rules":[]})").status, 201);
  EXPECT_EQ(server_.names("clusterroles", ""), std::vector<std::string>{"c"});
}

TEST_F(KubeApiServerTest, SelfSubjectAccessReviewAnswersForTheCaller) {
  grant_runner_role();
  const auto review = [&](const std::string& verb, const std::string& token,
                          std::map<std::string, std::string> headers = {}) {
    const json body = {
        {"apiVersion", "authorization.k8s.io/v1"},
        {"kind", "SelfSubjectAccessReview"},
        {"spec", {{"resourceAttributes", {{"namespace", "cicd"}, {"verb", verb}, {"resource", "pods"}}}}}};
    const HttpResponse r =
        call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", token, body.dump(), headers);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["status"];
  };
  EXPECT_EQ(
      review("list", "sa-token"),
      (json{
          {"allowed", true},
          {"reason",
           R"(RBAC: allowed by RoleBinding "gitlab-runner/cicd" of Role "gitlab-runner" to ServiceAccount "default/cicd")"}}));
  EXPECT_EQ(review("watch", "sa-token"), (json{{"allowed", false}}));
  EXPECT_EQ(review("watch", "admin-token"), (json{{"allowed", true}}));
  // kubectl auth can-i --as: the admin impersonates the service account.
  EXPECT_EQ(review("list", "admin-token", {{"impersonate-user", "system:serviceaccount:cicd:default"}})["allowed"],
            true);
  EXPECT_EQ(server_.call_log().back(),
            "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews 201 system:serviceaccount:cicd:default");
  const HttpResponse denied =
      call("GET", "/version", "alice-token", "", {{"impersonate-user", "system:serviceaccount:cicd:default"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(
      json::parse(denied.body)["message"],
      R"(serviceaccounts "default" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "cicd")");
}

TEST_F(KubeApiServerTest, NamespacesComeWithADefaultServiceAccountAndTakeTheirObjectsAlong) {
  HttpResponse r = call("POST", "/api/v1/namespaces", "admin-token", R"({"metadata":{"name":"ci-job-7"}})");
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(json::parse(r.body)["status"]["phase"], "Active");
  EXPECT_EQ(server_.count("serviceaccounts", "ci-job-7"), 1u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ci-job-7/serviceaccounts/default").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ci-job-7").status, 200);
  r = call("DELETE", "/api/v1/namespaces/ci-job-7");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"]["phase"], "Terminating");
  EXPECT_EQ(server_.count("serviceaccounts", "ci-job-7"), 0u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/ci-job-7").status, 404);
}

TEST_F(KubeApiServerTest, ExecRoutesToTheContainerWorld) {
  grant_runner_role();
  const std::string name = create_job_pod("sa-token");
  const std::string exec = "/api/v1/namespaces/cicd/pods/" + name + "/exec";
  const std::map<std::string, std::string> upgrade = {{"upgrade", "SPDY/3.1"}, {"connection", "Upgrade"}};
  const std::string query =
      "?container=build&container=build&command=sh&command=-c&command=echo+from-argv&stdin=true&stdout=true&stderr="
      "true";

  HttpResponse r = call("POST", exec + query, "sa-token", "", upgrade);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], R"(unable to upgrade connection: container not found ("build"))");

  clock_.advance(std::chrono::seconds(6));
  r = call("POST", exec + query, "sa-token", "", upgrade);
  ASSERT_EQ(r.status, 101) << r.body;
  ASSERT_TRUE(r.exec);
  ASSERT_TRUE(r.upgrade_failed);  // the transport's failed upgrades are answered in the API server's words
  EXPECT_EQ(json::parse(r.upgrade_failed(UpgradeFailure::kNotWebSocket).body)["message"], "Upgrade request required");
  ExecOutcome outcome = r.exec("echo from-stdin\n");
  std::string out;
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_NE(out.find("from-argv"), std::string::npos);
  EXPECT_EQ(out.find("from-stdin"), std::string::npos);
  EXPECT_EQ(outcome.status_json, exec_status_json(0, {"sh", "-c", "echo from-argv"}));
  EXPECT_EQ(worlds_.calls, std::vector<std::string>{name + "/build Running"});

  // The runner's legacy strategy: the detect script in argv, the stage script on stdin.
  r = call("POST",
           exec + "?container=build&command=sh&command=-c&command=" +
               "if+%5B+-x+%2Fbin%2Fbash+%5D%3B+then%0A%09exec+%2Fbin%2Fbash+%0Aelse%0A%09echo+shell+not+found%0A%"
               "09exit+1%0Afi%0A" +
               "&stdin=true&stdout=true&stderr=true",
           "sa-token", "", upgrade);
  ASSERT_EQ(r.status, 101);
  outcome = r.exec("echo \"$GREETING from $HOSTNAME\"\n");
  out.clear();
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_NE(out.find("hello"), std::string::npos) << out;
  EXPECT_NE(out.find(name), std::string::npos) << out;

  // A WebSocket GET is authorized as create as well.
  EXPECT_EQ(call("GET", exec + query, "sa-token", "", {{"upgrade", "websocket"}}).status, 101);
}

TEST_F(KubeApiServerTest, ExecErrors) {
  grant_runner_role();
  const std::string name = create_job_pod();
  clock_.advance(std::chrono::seconds(6));
  const std::map<std::string, std::string> upgrade = {{"upgrade", "SPDY/3.1"}};
  const std::string base = "/api/v1/namespaces/cicd/pods/";
  HttpResponse r = call("POST", base + "nope/exec?container=build&command=sh", "sa-token", "", upgrade);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["message"], R"(pods "nope" not found)");
  r = call("POST", base + name + "/exec?container=svc-9&command=sh", "sa-token", "", upgrade);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], "container svc-9 is not valid for pod " + name);
  r = call("POST", base + name + "/exec?command=sh", "sa-token", "", upgrade);
  EXPECT_EQ(json::parse(r.body)["message"],
            "a container name must be specified for pod " + name + ", choose one of: [build helper]");
  EXPECT_EQ(call("POST", base + name + "/exec?container=build&command=sh", "sa-token").status, 400);
  r = call("POST", base + name + "/exec?container=build&command=sh", "alice-token", "", upgrade);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      r.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \")" + name +
          R"(\" is forbidden: User \"alice\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"cicd\"","reason":"Forbidden","details":{"name":")" +
          name + R"(","kind":"pods"},"code":403})");
}

TEST_F(KubeApiServerTest, AttachTypesStdinIntoTheContainersShell) {
  grant_runner_role();  // pods/exec only
  const std::string name = create_job_pod();
  const std::string attach = "/api/v1/namespaces/cicd/pods/" + name + "/attach?container=build&stdin=true";
  const std::map<std::string, std::string> upgrade = {{"upgrade", "SPDY/3.1"}, {"connection", "Upgrade"}};
  HttpResponse r = call("POST", attach, "admin-token", "", upgrade);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], R"(unable to upgrade connection: container not found ("build"))");
  clock_.advance(std::chrono::seconds(6));
  r = call("POST", attach, "admin-token", "", upgrade);  // no command: the container's own process reads stdin
  ASSERT_EQ(r.status, 101) << r.body;
  ASSERT_TRUE(r.exec);
  const ExecOutcome outcome = r.exec("echo hi > /tmp/typed\n");
  EXPECT_TRUE(outcome.output.empty());  // stdout was not asked for
  EXPECT_EQ(outcome.status_json, exec_status_json(0, {}));
  r = call("POST", attach, "sa-token", "", upgrade);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find(R"(cannot create resource \"pods/attach\")"), std::string::npos) << r.body;
  r = call("POST", "/api/v1/namespaces/cicd/pods/" + name + "/attach?container=svc-9&stdin=true", "admin-token", "",
           upgrade);
  EXPECT_EQ(json::parse(r.body)["message"], "container svc-9 is not valid for pod " + name);
}

TEST_F(KubeApiServerTest, CallLogKeepsTheRawTarget) {
  call("GET", "/api/v1/namespaces/cicd/pods?labelSelector=a%3Db&limit=500", "sa-token");
  call("GET", "/version?timeout=32s", "sa-token");
  const auto& log = server_.call_log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0],
            "GET /api/v1/namespaces/cicd/pods?labelSelector=a%3Db&limit=500 403 system:serviceaccount:cicd:default");
  EXPECT_EQ(log[1], "GET /version?timeout=32s 200 system:serviceaccount:cicd:default");
}

TEST_F(KubeApiServerTest, SeedingErrorsAreValues) {
  EXPECT_FALSE(
      server_.seed({{"kind", "PersistentVolumeClaim"}, {"metadata", {{"name", "x"}, {"namespace", "cicd"}}}}).ok());
  const Status missing_ns = server_.seed({{"kind", "Secret"}, {"metadata", {{"name", "x"}, {"namespace", "prod"}}}});
  ASSERT_FALSE(missing_ns.ok());
  EXPECT_EQ(missing_ns.error().message, R"(namespaces "prod" not found)");
  EXPECT_EQ(missing_ns.error().where, "Secret prod/x");
  EXPECT_TRUE(
      server_.seed({{"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}, {"namespace", "cicd"}}}}).ok());
  EXPECT_EQ(server_.count("serviceaccounts", "cicd"), 1u);
}

}  // namespace
}  // namespace kexsim::fakes

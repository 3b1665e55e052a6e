#include <gtest/gtest.h>

#include "fakes/kube/admission.h"
#include "fakes/kube/admission_limits.h"
#include "fakes/kube/admission_psa.h"
#include "fakes/kube/admission_quota.h"
#include "fakes/kube/admission_webhooks.h"
#include "fakes/kube/api_server.h"
#include "tests/support/manual_clock.h"
#include "tests/support/no_worlds.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json container(const std::string& name, json requests = nullptr, json limits = nullptr) {
  json c = {{"name", name}, {"image", "alpine:3.20"}};
  if (!requests.is_null()) c["resources"]["requests"] = requests;
  if (!limits.is_null()) c["resources"]["limits"] = limits;
  return c;
}

json admission_pod(std::vector<json> containers, std::vector<json> init = {}) {
  json p = {{"metadata", {{"name", "runner-x"}}}, {"spec", {{"containers", containers}}}};
  if (!init.empty()) p["spec"]["initContainers"] = init;
  return p;
}

json quota(json hard) { return {{"metadata", {{"name", "compute"}}}, {"spec", {{"hard", hard}}}}; }

TEST(KubeAdmissionQuota, UsageAddsContainersAndTakesTheLargerInitContainer) {
  // 500m + 0.5 = 1 cpu of containers; the 1500m init container is larger, so the pod requests 1500m.
  const json p =
      admission_pod({container("build", {{"cpu", "500m"}, {"memory", "4Gi"}}), container("helper", {{"cpu", "0.5"}})},
                    {container("init-permissions", {{"cpu", "1500m"}, {"memory", "1Gi"}})});
  const ResourceList usage = pod_quota_usage(p);
  EXPECT_EQ(pretty_print(usage), "count/pods=1,cpu=1500m,memory=4Gi,pods=1,requests.cpu=1500m,requests.memory=4Gi");
}

TEST(KubeAdmissionQuota, TerminalPodsChargeOnlyTheirCount) {
  json p = admission_pod({container("build", {{"cpu", "2"}})});
  p["status"]["phase"] = "Succeeded";
  EXPECT_EQ(pretty_print(pod_quota_usage(p)), "count/pods=1");
}

TEST(KubeAdmissionQuota, ExceededNamesOnlyTheFailingResourcesSorted) {
  const std::vector<json> present = {admission_pod({container("app", {{"cpu", "1500m"}}, {{"memory", "3Gi"}})}),
                                     admission_pod({container("app", {{"cpu", "2"}}, {{"memory", "4Gi"}})})};
  const json q = quota({{"requests.cpu", "4"}, {"limits.memory", "8Gi"}, {"pods", "10"}});
  const json p = admission_pod({container("build", {{"cpu", "1"}}, {{"memory", "2Gi"}}),
                                container("helper", {{"cpu", "500m"}}, {{"memory", "1Gi"}})});
  EXPECT_EQ(check_quotas({q}, p, present, 33),
            "exceeded quota: compute, requested: limits.memory=3Gi,requests.cpu=1500m, used: "
            "limits.memory=7Gi,requests.cpu=3500m, limited: limits.memory=8Gi,requests.cpu=4");
}

TEST(KubeAdmissionQuota, DecimalAndBinaryMemoryCompareByValue) {
  // 4G is less than 4Gi: a 4G limit fits a 4Gi quota, a 4Gi limit does not fit a 4G one.
  const json p4g = admission_pod({container("build", nullptr, {{"memory", "4G"}})});
  const json p4gi = admission_pod({container("build", nullptr, {{"memory", "4Gi"}})});
  EXPECT_EQ(check_quotas({quota({{"limits.memory", "4Gi"}})}, p4g, {}, 33), std::nullopt);
  EXPECT_EQ(check_quotas({quota({{"limits.memory", "4G"}})}, p4gi, {}, 33),
            "exceeded quota: compute, requested: limits.memory=4Gi, used: limits.memory=0, limited: limits.memory=4G");
}

TEST(KubeAdmissionQuota, MustSpecifyListsContainersPerResource) {
  const json q = quota({{"limits.cpu", "8"}, {"limits.memory", "8Gi"}});
  const json p = admission_pod({container("build", nullptr, {{"cpu", "1"}}), container("helper")},
                               {container("init-permissions")});
  EXPECT_EQ(check_quotas({q}, p, {}, 33),
            "failed quota: compute: must specify limits.cpu for: helper,init-permissions; limits.memory for: "
            "build,helper,init-permissions");
  EXPECT_EQ(check_quotas({q}, p, {}, 23), "failed quota: compute: must specify limits.cpu,limits.memory");
}

TEST(KubeAdmissionQuota, StatusShowsHardAndUsedOfThePodsPresent) {
  const json shown = quota_with_status(quota({{"requests.cpu", "4"}, {"requests.memory", "0.5Gi"}}),
                                       {admission_pod({container("app", {{"cpu", "0.5"}, {"memory", "256Mi"}})})});
  EXPECT_EQ(shown["status"]["hard"], json({{"requests.cpu", "4"}, {"requests.memory", "512Mi"}}));
  EXPECT_EQ(shown["status"]["used"], json({{"requests.cpu", "500m"}, {"requests.memory", "256Mi"}}));
}

json range(json item) { return {{"metadata", {{"name", "limits"}}}, {"spec", {{"limits", json::array({item})}}}}; }

TEST(KubeAdmissionLimits, DefaultsFillOnlyWhatContainersLackAndAreAnnotated) {
  const json r = range({{"type", "Container"},
                        {"max", {{"cpu", "2"}}},
                        {"defaultRequest", {{"cpu", "100m"}, {"memory", "128Mi"}}},
                        {"default", {{"memory", "512Mi"}}}});
  json p = admission_pod({container("build", {{"cpu", "1"}}), container("helper")});
  apply_limit_defaults({r}, p);
  EXPECT_EQ(p["spec"]["containers"][0]["resources"],
            json({{"requests", {{"cpu", "1"}, {"memory", "128Mi"}}}, {"limits", {{"cpu", "2"}, {"memory", "512Mi"}}}}));
  EXPECT_EQ(p["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
            "LimitRanger plugin set: memory request for container build; cpu, memory limit for container build; cpu, "
            "memory request for container helper; cpu, memory limit for container helper");
}

TEST(KubeAdmissionLimits, MinAndMaxMessages) {
  const json r = range({{"type", "Container"}, {"max", {{"cpu", "1"}}}, {"min", {{"memory", "0.5Gi"}}}});
  EXPECT_EQ(check_limits({r}, admission_pod({container("build", {{"memory", "1Gi"}}, {{"cpu", "2"}})})),
            "maximum cpu usage per Container is 1, but limit is 2");
  EXPECT_EQ(check_limits({r}, admission_pod({container("build", {{"memory", "256Mi"}}, {{"cpu", "500m"}})})),
            "minimum memory usage per Container is 512Mi, but request is 256Mi");
  // Two violations are aggregated; the same message twice (two containers) is printed once.
  EXPECT_EQ(
      check_limits({r}, admission_pod({container("build", nullptr, {{"cpu", "2"}}),
                                       container("helper", nullptr, {{"cpu", "2"}})})),
      "[minimum memory usage per Container is 512Mi.  No request is specified, maximum cpu usage per Container is "
      "1, but limit is 2]");
}

TEST(KubeAdmissionLimits, PodMaximumCountsInitContainers) {
  const json r = range({{"type", "Pod"}, {"max", {{"memory", "4G"}}}});
  const json p = admission_pod({container("build", nullptr, {{"memory", "2G"}})},
                               {container("init", nullptr, {{"memory", "4Gi"}})});
  EXPECT_EQ(check_limits({r}, p), "maximum memory usage per Pod is 4G, but limit is 4Gi");
}

TEST(KubeAdmissionPodSecurity, RestrictedListsChecksInRegistryOrder) {
  json p = admission_pod({container("build"), container("helper")});
  p["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  p["spec"]["volumes"] = {{{"name", "docker-sock"}, {"hostPath", {{"path", "/var/run/docker.sock"}}}}};
  EXPECT_EQ(
      pod_security_violations("restricted", p, 33),
      "privileged (container \"build\" must not set securityContext.privileged=true), "
      "allowPrivilegeEscalation != false (containers \"build\", \"helper\" must set "
      "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (containers \"build\", \"helper\" "
      "must set securityContext.capabilities.drop=[\"ALL\"]), restricted volume types (volume \"docker-sock\" uses "
      "restricted volume type \"hostPath\"), runAsNonRoot != true (pod or containers \"build\", \"helper\" must "
      "set securityContext.runAsNonRoot=true), seccompProfile (pod or containers \"build\", \"helper\" must set "
      "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
  EXPECT_EQ(pod_security_violations("baseline", p, 33),
            "hostPath volumes (volume \"docker-sock\"), privileged (container \"build\" must not set "
            "securityContext.privileged=true)");
}

TEST(KubeAdmissionPodSecurity, RestrictedPodPasses) {
  json c = container("build");
  c["securityContext"] = {{"allowPrivilegeEscalation", false},
                          {"capabilities", {{"drop", {"ALL"}}}},
                          {"runAsNonRoot", true},
                          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  EXPECT_EQ(pod_security_violations("restricted", admission_pod({c}), 33), "");
}

TEST(KubeAdmissionPodSecurity, EnforceDeniesAndWarnOnlyWarns) {
  json p = admission_pod({container("build")});
  p["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  const json enforce = {{"pod-security.kubernetes.io/enforce", "baseline"},
                        {"pod-security.kubernetes.io/enforce-version", "v1.29"},
                        {"pod-security.kubernetes.io/warn", "restricted"}};
  PodSecurityOutcome o = check_pod_security(enforce, p, 33);
  EXPECT_EQ(o.denied,
            "violates PodSecurity \"baseline:v1.29\": privileged (container \"build\" must not set "
            "securityContext.privileged=true)");
  EXPECT_TRUE(o.warnings.empty());  // a denied request gets no warnings
  o = check_pod_security({{"pod-security.kubernetes.io/warn", "baseline"}}, p, 33);
  EXPECT_FALSE(o.denied);
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_EQ(o.warnings[0],
            "would violate PodSecurity \"baseline:latest\": privileged (container \"build\" must not set "
            "securityContext.privileged=true)");
  EXPECT_FALSE(check_pod_security(enforce, p, 22).denied);  // 1.22: the PodSecurity gate is off
  EXPECT_EQ(warning_header("a \"b\""), "299 - \"a \\\"b\\\"\"");
}

WebhookSpec gatekeeper() {
  WebhookSpec w;
  w.name = "validation.gatekeeper.sh";
  w.service_namespace = "gatekeeper-system";
  w.service_name = "gatekeeper-webhook-service";
  w.path = "/v1/admit";
  w.timeout_seconds = 3;
  w.deny = {"allow_privilege_escalation"};
  w.message = "[psp-allow-privilege-escalation-container] Privilege escalation container is not allowed: {container}";
  return w;
}

TEST(KubeAdmissionWebhooks, DenyRuleGivesOneLinePerContainer) {
  json p = admission_pod({container("build"), container("helper")});
  p["spec"]["containers"][1]["securityContext"] = {{"allowPrivilegeEscalation", false}};
  std::optional<ApiStatus> st = call_webhooks({gatekeeper()}, "ci", p, 33);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, 403);
  EXPECT_EQ(st->reason(), "Forbidden");
  EXPECT_EQ(
      st->message(),
      "admission webhook \"validation.gatekeeper.sh\" denied the request: [psp-allow-privilege-escalation-container] "
      "Privilege escalation container is not allowed: build");
  p["spec"]["containers"][0]["securityContext"] = {{"allowPrivilegeEscalation", false}};
  EXPECT_FALSE(call_webhooks({gatekeeper()}, "ci", p, 33));
}

TEST(KubeAdmissionWebhooks, DenialCodeIsAtLeast400AndMessageFallsBack) {
  WebhookSpec w = gatekeeper();
  w.deny = {"privileged"};
  w.message.clear();
  w.reason.clear();
  w.code = 200;
  json p = admission_pod({container("build")});
  p["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  std::optional<ApiStatus> st = call_webhooks({w}, "ci", p, 33);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, 400);
  EXPECT_EQ(st->message(), "admission webhook \"validation.gatekeeper.sh\" denied the request without explanation");
  EXPECT_FALSE(call_webhooks({w}, "other", admission_pod({container("build")}), 33));
}

TEST(KubeAdmissionWebhooks, CallFailuresFollowTheFailurePolicy) {
  WebhookSpec w = gatekeeper();
  w.failure = "timeout";
  std::optional<ApiStatus> st = call_webhooks({w}, "ci", admission_pod({container("build")}), 33);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, 500);
  EXPECT_EQ(
      st->message(),
      "Internal error occurred: failed calling webhook \"validation.gatekeeper.sh\": failed to call webhook: Post "
      "\"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": context deadline "
      "exceeded");
  w.failure = "no-endpoints";
  EXPECT_EQ(call_webhooks({w}, "ci", admission_pod({container("build")}), 22)->message(),
            "Internal error occurred: failed calling webhook \"validation.gatekeeper.sh\": Post "
            "\"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": no endpoints "
            "available for service \"gatekeeper-webhook-service\"");
  w.fail_open = true;
  EXPECT_FALSE(call_webhooks({w}, "ci", admission_pod({container("build")}), 33));
}

TEST(KubeAdmissionWebhooks, ATimeoutHoldsTheRequestWhateverThePolicy) {
  WebhookSpec w = gatekeeper();
  w.failure = "timeout";
  Duration waited{0};
  EXPECT_TRUE(call_webhooks({w}, "ci", admission_pod({container("build")}), 33, &waited));
  EXPECT_EQ(waited, std::chrono::seconds(3));
  w.fail_open = true;
  waited = Duration(0);
  EXPECT_FALSE(call_webhooks({w, w}, "ci", admission_pod({container("build")}), 33, &waited));
  EXPECT_EQ(waited, std::chrono::seconds(6));  // each ignored timeout still took its time
  w.failure = "refused";
  waited = Duration(0);
  EXPECT_FALSE(call_webhooks({w}, "ci", admission_pod({container("build")}), 33, &waited));
  EXPECT_EQ(waited, Duration(0));  // a refused connection fails at once
}

using testing::NoWorlds;

HttpRequest post(const std::string& path, const json& body) {
  HttpRequest r;
  r.method = "POST";
  r.target = r.path = path;
  r.headers = {{"authorization", "Bearer admin"}, {"content-type", "application/json"}};
  r.body = body.dump();
  return r;
}

TEST(KubeAdmissionServer, RejectedCreateIsAForbiddenStatusAndWarningsAreHeaders) {
  testing::ManualClock clock;
  NoWorlds worlds;
  KubeApiServer server(clock, Random(1), worlds);
  server.add_token("admin", "admin", {"system:masters"});
  ASSERT_TRUE(
      server.seed({{"apiVersion", "v1"},
                   {"kind", "Namespace"},
                   {"metadata", {{"name", "ci"}, {"labels", {{"pod-security.kubernetes.io/warn", "baseline"}}}}}}));
  ASSERT_TRUE(server.seed(
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}, {"namespace", "ci"}}}}));
  ASSERT_TRUE(server.seed({{"apiVersion", "v1"},
                           {"kind", "ResourceQuota"},
                           {"metadata", {{"name", "compute"}, {"namespace", "ci"}}},
                           {"spec", {{"hard", {{"pods", "1"}}}}}}));
  json p = admission_pod({container("build")});
  p["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  HttpResponse first = server.handle(post("/api/v1/namespaces/ci/pods", p));
  EXPECT_EQ(first.status, 201);
  bool warned = false;
  for (const auto& [k, v] : first.headers)
    warned |=
        k == "Warning" && v.rfind("299 - \"would violate PodSecurity \\\"baseline:latest\\\": privileged", 0) == 0;
  EXPECT_TRUE(warned);
  p["metadata"]["name"] = "runner-y";
  HttpResponse second = server.handle(post("/api/v1/namespaces/ci/pods", p));
  EXPECT_EQ(second.status, 403);
  const json status = json::parse(second.body);
  EXPECT_EQ(status["reason"], "Forbidden");
  EXPECT_EQ(
      status["message"],
      "pods \"runner-y\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1");
  const std::optional<json> shown = server.get("resourcequotas", "ci", "compute");
  ASSERT_TRUE(shown);
  EXPECT_EQ((*shown)["status"]["used"], json({{"pods", "1"}}));
}

}  // namespace
}  // namespace kexsim::fakes

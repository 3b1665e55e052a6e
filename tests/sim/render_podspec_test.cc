// kexsim render for the pod spec keys: security contexts, capabilities, DNS, affinity, classes,
// lifecycle hooks, helper image flavor and the attach directories. Each case follows a row of
// upstream's TestSetupBuildPod (executors/kubernetes/kubernetes_test.go) or its neighbours
// (TestScriptsBaseDir, TestLogsBaseDir, TestBuildContainerSecurityContext, TestPrepareLifecycleHooks):
// a [runners.kubernetes] body in, the fields that must appear in the pod out.
#include <algorithm>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "executor/config.h"
#include "sim/render.h"
#include "tests/support/render_texts.h"

namespace kexsim::sim {
namespace {

using nlohmann::json;

const char kPodspecRunner[] = R"([[runners]]
  name = "k8s"
  url = "https://gitlab.example.com"
  token = "glrt-t1_8xYzAbCdEfGhIjKlMnOp"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = "ci"
    image = "busybox:1"
)";
const char kJob[] = "image = \"alpine:3.20\"\nscript = [\"echo hi\"]\nproject = \"group/app\"\nproject_id = 7\n";
const char kPodspecServicesJob[] =
    "image = \"alpine:3.20\"\nscript = [\"true\"]\nproject_id = 7\n"
    "services = [{ name = \"test-service-0\", alias = \"svc-0\" }, { name = \"test-service-1\", alias = \"svc-1\" }]\n";

/// One rendering: the pod, the assumptions, the config warnings, or the error.
struct PodspecRendered {
  json pod;
  std::vector<std::string> assumptions, warnings;
  std::vector<std::string> calls;  ///< "METHOD path (when)"
  std::string error;

  const json& spec() const { return pod["spec"]; }
  const json& container(const std::string& name) const {
    for (const auto& c : pod["spec"]["containers"])
      if (c["name"] == name) return c;
    if (pod["spec"].contains("initContainers"))
      for (const auto& c : pod["spec"]["initContainers"])
        if (c["name"] == name) return c;
    static const json none;
    return none;
  }
  const json& sc(const std::string& name) const { return container(name)["securityContext"]; }
};

PodspecRendered render_podspec(const std::string& kubernetes, const std::string& profile = "19.4",
                               const std::string& job = kJob) {
  PodspecRendered r;
  auto rendering = testing::render_texts(std::string(kPodspecRunner) + kubernetes, job, profile, &r.warnings);
  if (!rendering) {
    r.error = rendering.error().describe();
    return r;
  }
  r.pod = rendering->objects.back();
  r.assumptions = rendering->assumptions;
  for (const auto& call : rendering->calls) r.calls.push_back(call.method + " " + call.path + " (" + call.when + ")");
  return r;
}

struct PodspecCase {
  std::string name;
  std::string kubernetes;  ///< lines appended to [runners.kubernetes] (sub-tables allowed)
  std::string profile = "19.4";
  std::string job = kJob;
  std::function<void(const PodspecRendered&)> verify;
};

std::vector<PodspecCase> podspec_cases() {
  std::vector<PodspecCase> c;
  auto add = [&](std::string name, std::string k8s, std::function<void(const PodspecRendered&)> verify) {
    c.push_back(PodspecCase{std::move(name), std::move(k8s), "19.4", kJob, std::move(verify)});
    return &c.back();
  };
  // ---- pod security context ----
  add("supports_pod_security_context",
      "    [runners.kubernetes.pod_security_context]\n      fs_group = 200\n      run_as_group = 200\n"
      "      run_as_non_root = true\n      run_as_user = 200\n      supplemental_groups = [200]\n"
      "      selinux_type = \"spc_t\"\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["securityContext"], (json{{"fsGroup", 200},
                                                     {"runAsGroup", 200},
                                                     {"runAsNonRoot", true},
                                                     {"runAsUser", 200},
                                                     {"supplementalGroups", {200}},
                                                     {"seLinuxOptions", {{"type", "spc_t"}}}}));
        // 18.4+ getSecurityContextWithUIDGID: the pod's ids reach build and helper, not init-permissions.
        EXPECT_EQ(r.sc("build")["runAsUser"], 200);
        EXPECT_EQ(r.sc("helper")["runAsGroup"], 200);
        EXPECT_FALSE(r.sc("init-permissions").contains("runAsUser"));
      });
  add("uses_default_security_context_when_unspecified", "",
      [](const PodspecRendered& r) { EXPECT_FALSE(r.spec().contains("securityContext")); });
  add("pod_security_context_seccomp_and_apparmor_profiles",
      "    [runners.kubernetes.pod_security_context]\n      seccomp_profile = { type = \"RuntimeDefault\" }\n"
      "      app_armor_profile = { type = \"Localhost\", localhost_profile = \"k8s-apparmor\" }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["securityContext"]["seccompProfile"], (json{{"type", "RuntimeDefault"}}));
        EXPECT_EQ(r.spec()["securityContext"]["appArmorProfile"],
                  (json{{"type", "Localhost"}, {"localhostProfile", "k8s-apparmor"}}));
      });
  add("localhost_seccomp_without_profile_is_dropped",
      "    [runners.kubernetes.pod_security_context]\n      seccomp_profile = { type = \"Localhost\" }\n",
      [](const PodspecRendered& r) {
        // GetPodSecurityContext: the table sets a field, so the context is sent, without the profile.
        EXPECT_EQ(r.spec()["securityContext"], json::object());
      });
  // ---- container security contexts ----
  add("build_container_security_context",
      "    [runners.kubernetes.build_container_security_context]\n      run_as_user = 65534\n"
      "      run_as_group = 65534\n      run_as_non_root = true\n      read_only_root_filesystem = true\n"
      "      allow_privilege_escalation = false\n      privileged = false\n      proc_mount = \"unmasked\"\n"
      "      selinux_type = \"container_t\"\n      [runners.kubernetes.build_container_security_context.capabilities]\n"
      "        add = [\"NET_ADMIN\"]\n        drop = [\"ALL\"]\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build"), (json{{"runAsUser", 65534},
                                       {"runAsGroup", 65534},
                                       {"runAsNonRoot", true},
                                       {"readOnlyRootFilesystem", true},
                                       {"allowPrivilegeEscalation", false},
                                       {"privileged", false},
                                       {"procMount", "Unmasked"},
                                       {"seLinuxOptions", {{"type", "container_t"}}},
                                       {"capabilities", {{"add", {"NET_ADMIN"}}, {"drop", {"ALL"}}}}}));
        EXPECT_EQ(r.sc("helper"), (json{{"capabilities", {{"drop", {"NET_RAW"}}}}}));
      });
  add("helper_container_security_context",
      "    [runners.kubernetes.helper_container_security_context]\n      run_as_user = 1000\n"
      "      capabilities = { drop = [\"ALL\"] }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("helper"), (json{{"runAsUser", 1000}, {"capabilities", {{"drop", {"ALL"}}}}}));
        EXPECT_FALSE(r.sc("build").contains("runAsUser"));
      });
  add("service_container_security_context",
      "    [runners.kubernetes.service_container_security_context]\n      run_as_user = 999\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("svc-0")["runAsUser"], 999);
        EXPECT_EQ(r.sc("svc-1")["runAsUser"], 999);
        EXPECT_FALSE(r.sc("build").contains("runAsUser"));
      })
      ->job = kPodspecServicesJob;
  add("init_permissions_container_security_context",
      "    [runners.kubernetes.init_permissions_container_security_context]\n      run_as_user = 0\n"
      "      seccomp_profile = { type = \"RuntimeDefault\" }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("init-permissions")["runAsUser"], 0);
        EXPECT_EQ(r.sc("init-permissions")["seccompProfile"], (json{{"type", "RuntimeDefault"}}));
        EXPECT_FALSE(r.sc("build").contains("seccompProfile"));
      });
  add("container_privileged_overrides_the_global_flag",
      "    privileged = true\n    [runners.kubernetes.helper_container_security_context]\n      privileged = false\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build")["privileged"], true);
        EXPECT_EQ(r.sc("helper")["privileged"], false);
      });
  add("allow_privilege_escalation_on_every_container", "    allow_privilege_escalation = false\n",
      [](const PodspecRendered& r) {
        for (const char* name : {"build", "helper", "init-permissions"})
          EXPECT_EQ(r.sc(name)["allowPrivilegeEscalation"], false) << name;
      });
  add("invalid_proc_mount_is_left_out",
      "    [runners.kubernetes.build_container_security_context]\n      proc_mount = \"sideways\"\n",
      [](const PodspecRendered& r) { EXPECT_FALSE(r.sc("build").contains("procMount")); });
  // ---- capabilities ----
  add("support_setting_linux_capabilities",
      "    cap_add = [\"CAP_1\", \"CAP_2\"]\n    cap_drop = [\"CAP_3\", \"CAP_4\"]\n", [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build")["capabilities"],
                  (json{{"add", {"CAP_1", "CAP_2"}}, {"drop", {"NET_RAW", "CAP_3", "CAP_4"}}}));
      });
  add("setting_linux_capabilities_overriding_defaults", "    cap_add = [\"NET_RAW\", \"CAP_2\"]\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build")["capabilities"], (json{{"add", {"NET_RAW", "CAP_2"}}}));
      });
  add("setting_same_linux_capabilities_drop_wins", "    cap_add = [\"CAP_1\"]\n    cap_drop = [\"CAP_1\"]\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build")["capabilities"], (json{{"drop", {"NET_RAW", "CAP_1"}}}));
      });
  add("support_setting_linux_capabilities_on_all_containers", "    cap_add = [\"CAP_1\"]\n    cap_drop = [\"CAP_2\"]\n",
      [](const PodspecRendered& r) {
        ASSERT_EQ(r.spec()["containers"].size(), 4u);
        for (const auto& ct : r.spec()["containers"])
          EXPECT_EQ(ct["securityContext"]["capabilities"], (json{{"add", {"CAP_1"}}, {"drop", {"NET_RAW", "CAP_2"}}}))
              << ct["name"];
      })
      ->job = kPodspecServicesJob;
  add("container_capabilities_replace_the_global_lists",
      "    cap_add = [\"CAP_1\"]\n    [runners.kubernetes.build_container_security_context]\n"
      "      capabilities = { drop = [\"ALL\"] }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.sc("build")["capabilities"], (json{{"add", {"CAP_1"}}, {"drop", {"ALL"}}}));
        EXPECT_EQ(r.sc("helper")["capabilities"], (json{{"add", {"CAP_1"}}, {"drop", {"NET_RAW"}}}));
      });
  // ---- DNS ----
  add("support_setting_dns_policy_to_empty_string", "",
      [](const PodspecRendered& r) { EXPECT_EQ(r.spec()["dnsPolicy"], "ClusterFirst"); });
  for (auto [value, api] :
       {std::pair{"none", "None"}, std::pair{"default", "Default"}, std::pair{"cluster-first", "ClusterFirst"},
        std::pair{"cluster-first-with-host-net", "ClusterFirstWithHostNet"}}) {
    std::string name = std::string("support_setting_dns_policy_to_") + value;
    for (char& ch : name)
      if (ch == '-') ch = '_';
    add(name, std::string("    dns_policy = \"") + value + "\"\n",
        [api = std::string(api)](const PodspecRendered& r) { EXPECT_EQ(r.spec()["dnsPolicy"], api); });
  }
  add("fail_setting_dns_policy_to_invalid_value", "    dns_policy = \"some-invalid-policy\"\n",
      [](const PodspecRendered& r) {
        EXPECT_FALSE(r.spec().contains("dnsPolicy"));
        EXPECT_FALSE(r.spec().contains("dnsConfig"));
        EXPECT_NE(std::find(r.assumptions.begin(), r.assumptions.end(),
                            "the job log warns: WARNING: falling back to cluster's default policy: unsupported "
                            "kubernetes-dns-policy: \"some-invalid-policy\""),
                  r.assumptions.end());
      });
  add("support_setting_pod_dns_config",
      "    [runners.kubernetes.dns_config]\n      nameservers = [\"1.2.3.4\"]\n"
      "      searches = [\"ns1.svc.cluster-domain.example\", \"my.dns.search.suffix\"]\n"
      "      [[runners.kubernetes.dns_config.options]]\n        name = \"ndots\"\n        value = \"2\"\n"
      "      [[runners.kubernetes.dns_config.options]]\n        name = \"edns0\"\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["dnsConfig"],
                  (json{{"nameservers", {"1.2.3.4"}},
                        {"searches", {"ns1.svc.cluster-domain.example", "my.dns.search.suffix"}},
                        {"options", {{{"name", "ndots"}, {"value", "2"}}, {{"name", "edns0"}}}}}));
      });
  // ---- affinity ----
  add("empty_affinity_is_always_sent", "",
      [](const PodspecRendered& r) { EXPECT_EQ(r.spec()["affinity"], json::object()); });
  add("supports_pod_node_affinities",
      "    [runners.kubernetes.affinity.node_affinity]\n"
      "      [[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution]]\n"
      "        weight = 100\n"
      "        [runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution."
      "preference]\n"
      "          [[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution."
      "preference.match_expressions]]\n"
      "            key = \"cpu_speed\"\n            operator = \"In\"\n            values = [\"fast\"]\n"
      "      [runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution]\n"
      "        [[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution."
      "node_selector_terms]]\n"
      "          [[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution."
      "node_selector_terms.match_expressions]]\n"
      "            key = \"kubernetes.io/e2e-az-name\"\n            operator = \"In\"\n"
      "            values = [\"e2e-az1\", \"e2e-az2\"]\n",
      [](const PodspecRendered& r) {
        const json& na = r.spec()["affinity"]["nodeAffinity"];
        EXPECT_EQ(na["preferredDuringSchedulingIgnoredDuringExecution"],
                  json::parse(R"([{"weight":100,"preference":{"matchExpressions":[
                    {"key":"cpu_speed","operator":"In","values":["fast"]}]}}])"));
        EXPECT_EQ(na["requiredDuringSchedulingIgnoredDuringExecution"],
                  json::parse(R"({"nodeSelectorTerms":[{"matchExpressions":[
                    {"key":"kubernetes.io/e2e-az-name","operator":"In","values":["e2e-az1","e2e-az2"]}]}]})"));
      });
  add("supports_pod_affinities",
      "    [runners.kubernetes.affinity.pod_affinity]\n"
      "      [[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution]]\n"
      "        topology_key = \"failure-domain.beta.kubernetes.io/zone\"\n        namespaces = [\"namespace_1\"]\n"
      "        match_label_keys = [\"pod-template-hash\"]\n"
      "        label_selector = { match_labels = { key = \"value\" }, match_expressions = [{ key = \"security\", "
      "operator = \"In\", values = [\"S1\"] }] }\n"
      "        namespace_selector = { match_labels = { team = \"ci\" } }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["affinity"]["podAffinity"],
                  json::parse(R"({"requiredDuringSchedulingIgnoredDuringExecution":[{
          "labelSelector":{"matchLabels":{"key":"value"},
                           "matchExpressions":[{"key":"security","operator":"In","values":["S1"]}]},
          "namespaces":["namespace_1"],"topologyKey":"failure-domain.beta.kubernetes.io/zone",
          "namespaceSelector":{"matchLabels":{"team":"ci"}},"matchLabelKeys":["pod-template-hash"]}]})"));
      });
  add("supports_pod_anti_affinities",
      "    [runners.kubernetes.affinity.pod_anti_affinity]\n"
      "      [[runners.kubernetes.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution]]\n"
      "        weight = 100\n"
      "        pod_affinity_term = { topology_key = \"kubernetes.io/hostname\", label_selector = { match_labels = { "
      "app = \"ci\" } } }\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["affinity"]["podAntiAffinity"],
                  json::parse(R"({"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,
          "podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"ci"}},"topologyKey":"kubernetes.io/hostname"}}]})"));
      });
  add("match_label_keys_are_unknown_before_19_1",
      "    [runners.kubernetes.affinity.pod_affinity]\n"
      "      [[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution]]\n"
      "        topology_key = \"zone\"\n        match_label_keys = [\"pod-template-hash\"]\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.spec()["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0],
                  (json{{"topologyKey", "zone"}}));
      })
      ->profile = "18.11";
  // ---- classes ----
  add("supports_runtime_class", "    runtime_class_name = \"gvisor\"\n",
      [](const PodspecRendered& r) { EXPECT_EQ(r.spec()["runtimeClassName"], "gvisor"); });
  add("no_runtime_class_when_not_specified", "",
      [](const PodspecRendered& r) { EXPECT_FALSE(r.spec().contains("runtimeClassName")); });
  add("support_setting_pod_priority_class", "    priority_class_name = \"priority-1\"\n",
      [](const PodspecRendered& r) { EXPECT_EQ(r.spec()["priorityClassName"], "priority-1"); });
  add("support_setting_scheduler_name", "    scheduler_name = \"foobar\"\n",
      [](const PodspecRendered& r) { EXPECT_EQ(r.spec()["schedulerName"], "foobar"); });
  add("scheduler_name_is_unknown_to_13_12", "    scheduler_name = \"foobar\"\n    priority_class_name = \"p\"\n",
      [](const PodspecRendered& r) {
        EXPECT_FALSE(r.spec().contains("schedulerName"));
        EXPECT_FALSE(r.spec().contains("priorityClassName"));
      })
      ->profile = "13.12";
  // ---- lifecycle ----
  add("valid_prestop_exec_and_poststart_httpget_hooks",
      "    [runners.kubernetes.container_lifecycle.pre_stop.exec]\n      command = [\"touch\", \"/tmp/stopped\"]\n"
      "    [runners.kubernetes.container_lifecycle.post_start.http_get]\n      port = 8080\n      host = "
      "\"localhost\"\n"
      "      path = \"/test\"\n      scheme = \"HTTP\"\n"
      "      http_headers = [{ name = \"header_name_1\", value = \"header_value_1\" }]\n",
      [](const PodspecRendered& r) {
        const json want = json::parse(R"({"preStop":{"exec":{"command":["touch","/tmp/stopped"]}},
          "postStart":{"httpGet":{"port":8080,"host":"localhost","path":"/test","scheme":"HTTP",
          "httpHeaders":[{"name":"header_name_1","value":"header_value_1"}]}}})");
        EXPECT_EQ(r.container("build")["lifecycle"], want);
        EXPECT_EQ(r.container("helper")["lifecycle"], want);
        EXPECT_FALSE(r.container("init-permissions").contains("lifecycle"));
      });
  add("valid_prestop_tcpsocket_hook",
      "    [runners.kubernetes.container_lifecycle.pre_stop.tcp_socket]\n      port = 8080\n      host = "
      "\"localhost\"\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.container("build")["lifecycle"],
                  json::parse(R"({"preStop":{"tcpSocket":{"port":8080,"host":"localhost"}}})"));
      });
  add("empty_container_lifecycle", "    [runners.kubernetes.container_lifecycle]\n",
      [](const PodspecRendered& r) { EXPECT_FALSE(r.container("build").contains("lifecycle")); });
  // ---- helper image flavor ----
  add("helper_image_flavor_ubuntu", "    helper_image_flavor = \"ubuntu\"\n", [](const PodspecRendered& r) {
    EXPECT_EQ(r.container("helper")["image"],
              "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:ubuntu-x86_64-v19.4.0");
  });
  add("helper_image_flavor_alpine_is_not_in_the_tag", "    helper_image_flavor = \"alpine\"\n",
      [](const PodspecRendered& r) {
        EXPECT_EQ(r.container("helper")["image"],
                  "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v19.4.0");
      });
  // ---- attach directories ----
  add("scripts_and_logs_base_dir_trailing_slashes",
      "    scripts_base_dir = \"/tmp//\"\n    logs_base_dir = \"/var/\"\n", [](const PodspecRendered& r) {
        bool scripts = false, logs = false;
        for (const auto& m : r.container("build")["volumeMounts"]) {
          const std::string path = m["mountPath"];
          if (m["name"] == "scripts") scripts = path.rfind("/tmp/scripts-7-", 0) == 0;
          if (m["name"] == "logs") logs = path.rfind("/var/logs-7-", 0) == 0;
        }
        EXPECT_TRUE(scripts && logs) << r.container("build")["volumeMounts"].dump();
        EXPECT_EQ(r.container("init-permissions")["command"][2].get<std::string>().rfind("touch /var/logs-7-", 0), 0u);
      });
  add("base_dirs_are_unknown_before_17_2", "    scripts_base_dir = \"/tmp\"\n", [](const PodspecRendered& r) {
    for (const auto& m : r.container("build")["volumeMounts"])
      if (m["name"] == "scripts") {
        EXPECT_EQ(m["mountPath"].get<std::string>().rfind("/scripts-7-", 0), 0u);
      }
  })->profile = "16.11";
  // ---- resource availability checks ----
  add("resource_availability_check_gets_service_account_and_pull_secrets",
      "    service_account = \"ci-sa\"\n    image_pull_secrets = [\"regcred\"]\n"
      "    resource_availability_check_max_attempts = 2\n",
      [](const PodspecRendered& r) {
        const std::string when = " (until it exists, at most 3 times, 5 s apart)";
        const std::vector<std::string> want = {"GET /api/v1/namespaces/ci/serviceaccounts/ci-sa" + when,
                                               "GET /api/v1/namespaces/ci/secrets/regcred" + when};
        // Where the checks fall in the plan depends on the release (the informer's calls come first from 17.9).
        const auto first = std::find(r.calls.begin(), r.calls.end(), want[0]);
        ASSERT_LE(first + 2, r.calls.end()) << "no availability check in the plan";
        EXPECT_EQ(std::vector<std::string>(first, first + 2), want);
      });
  add("no_resource_availability_check_by_default", "    service_account = \"ci-sa\"\n", [](const PodspecRendered& r) {
    for (const auto& call : r.calls) EXPECT_EQ(call.find("serviceaccounts"), std::string::npos) << call;
  });
  add("no_default_capabilities_in_the_13_12_profile", "    cap_add = [\"SYS_TIME\"]\n", [](const PodspecRendered& r) {
    EXPECT_EQ(r.sc("build")["capabilities"], (json{{"add", {"SYS_TIME"}}}));
  })->profile = "13.12";
  return c;
}

void PrintTo(const PodspecCase& c, std::ostream* os) { *os << c.name; }

class RenderPodSpecKeys : public ::testing::TestWithParam<PodspecCase> {};

TEST_P(RenderPodSpecKeys, FieldsMustAppear) {
  const PodspecCase& tc = GetParam();
  const PodspecRendered r = render_podspec(tc.kubernetes, tc.profile, tc.job);
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  tc.verify(r);
}

INSTANTIATE_TEST_SUITE_P(SetupBuildPod, RenderPodSpecKeys, ::testing::ValuesIn(podspec_cases()),
                         [](const ::testing::TestParamInfo<PodspecCase>& info) { return info.param.name; });

TEST(RenderPodSpecKeysTable, HasACasePerKey) { EXPECT_GE(podspec_cases().size(), 35u); }

TEST(RenderPodSpecKeysWarnings, UnknownSubKeysWarnWithTheirPosition) {
  const PodspecRendered r = render_podspec(
      "    [runners.kubernetes.pod_security_context]\n      run_as_usr = 1000\n"
      "    [runners.kubernetes.affinity.node_affinity]\n      required = {}\n"
      "    [runners.kubernetes.dns_config]\n      nameserver = [\"1.1.1.1\"]\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{
                "config.toml:10:7: unknown key \"runners.kubernetes.pod_security_context.run_as_usr\" (did you "
                "mean \"run_as_user\"?)",
                "config.toml:12:7: unknown key \"runners.kubernetes.affinity.node_affinity.required\"",
                "config.toml:14:7: unknown key \"runners.kubernetes.dns_config.nameserver\" (did you mean "
                "\"nameservers\"?)",
            }));
}

TEST(RenderPodSpecKeysWarnings, AWrongTypeIsAnError) {
  const PodspecRendered r =
      render_podspec("    [runners.kubernetes.pod_security_context]\n      run_as_user = \"1000\"\n");
  EXPECT_NE(r.error.find("runners.kubernetes.pod_security_context.run_as_user: expected an integer"), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace kexsim::sim

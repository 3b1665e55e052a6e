// What the wait loop gives up on, per profile; Warning events printed once; pull policies and the
// helper image's architecture.

#include "executor/pod_checks.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

using nlohmann::json;

json waiting(const std::string& name, const std::string& reason, const std::string& message,
             const std::string& image = "alpine:3.200") {
  return {{"name", name},
          {"image", image},
          {"ready", false},
          {"state", {{"waiting", {{"reason", reason}, {"message", message}}}}}};
}

json status_of(json containers, json init = json::array()) {
  return {{"phase", "Pending"}, {"containerStatuses", containers}, {"initContainerStatuses", init}};
}

TEST(PodChecks, ImagePullErrorsAreClassified) {
  const std::string nf = "rpc error: code = NotFound desc = failed to pull and unpack image \"x\": x: not found";
  auto e = check_terminal_containers(status_of({waiting("build", "ErrImagePull", nf)}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "pulling image \"alpine:3.200\" for container build: image pull failed: " + nf);
  EXPECT_EQ(e->reason, FailureReason::kRunnerConfigurationError);
  EXPECT_TRUE(e->image_pull);
  EXPECT_EQ(e->container, "build");
  EXPECT_EQ(e->pull_message, "image pull failed: " + nf);

  const std::string dial =
      "failed to do request: Head \"https://r/v2/a/manifests/1\": dial tcp 10.0.0.5:443: i/o timeout";
  e = check_terminal_containers(status_of({waiting("helper", "ImagePullBackOff", dial)}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, FailureReason::kRunnerExternalDependencyFailure);
  e = check_terminal_containers(status_of({waiting("build", "ErrImagePull", "pull QPS exceeded")}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, FailureReason::kImagePullFailure);
  // A lookup failure mentions neither "not found" nor access: the network wins either way.
  EXPECT_EQ(classify_image_pull_failure("dial tcp: lookup r on 10.0.0.2:53: no such host"),
            FailureReason::kRunnerExternalDependencyFailure);
}

TEST(PodChecks, ThirteenTwelveReportsImagesOnlyWithoutAReason) {
  auto e = check_terminal_containers(status_of({waiting("build", "ErrImagePull", "boom")}), Profile::kV13_12);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "pulling image \"alpine:3.200\": image pull failed: boom");
  EXPECT_EQ(e->reason, FailureReason::kScriptFailure);
  e = check_terminal_containers(status_of({waiting("build", "InvalidImageName", "bad")}), Profile::kV13_12);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "image pull failed: bad");
  EXPECT_EQ(e->reason, FailureReason::kScriptFailure);
  EXPECT_FALSE(check_terminal_containers(status_of({waiting("build", "CrashLoopBackOff", "x")}), Profile::kV13_12));
}

TEST(PodChecks, OtherTerminalStatesIn19_4) {
  auto e = check_terminal_containers(status_of({waiting("build", "InvalidImageName", "bad")}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, FailureReason::kRunnerConfigurationError);
  EXPECT_FALSE(e->image_pull);
  json crash = waiting("build", "CrashLoopBackOff", "back-off 10s restarting failed container=build pod=p_ns(u)");
  crash["lastState"] = {{"terminated", {{"message", "oom"}}}};
  e = check_terminal_containers(status_of({crash}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(
      e->message,
      "container \"build\" is in CrashLoopBackOff: back-off 10s restarting failed container=build pod=p_ns(u): oom");
  e = check_terminal_containers(status_of({waiting("build", "CreateContainerConfigError", "secret \"s\" not found")}),
                                Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "container configuration error: secret \"s\" not found");
  // Ready containers, running ones and ContainerCreating are not terminal; init containers are checked too.
  json ready = waiting("build", "ErrImagePull", "x");
  ready["ready"] = true;
  EXPECT_FALSE(check_terminal_containers(status_of({ready}), Profile::kV19_4));
  EXPECT_FALSE(check_terminal_containers(status_of({waiting("build", "ContainerCreating", "")}), Profile::kV19_4));
  e = check_terminal_containers(
      status_of({waiting("build", "PodInitializing", "")}, {waiting("init", "ErrImagePull", "x")}), Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->container, "init");
}

TEST(PodChecks, SandboxUserNamespaceEvents) {
  const json list = {{"items",
                      {{{"reason", "FailedCreatePodSandBox"},
                        {"message", "Failed to create pod sandbox: runtime does not support user namespaces"}}}}};
  auto e = check_sandbox_user_namespace(list);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "pod sandbox creation failed: Failed to create pod sandbox: runtime does not support user namespaces");
  EXPECT_FALSE(check_sandbox_user_namespace(json{{"items", {{{"reason", "FailedScheduling"}, {"message", "x"}}}}}));
}

TEST(PodChecks, WarningEventsArePrintedOnceOldestFirst) {
  WarningEventPrinter printer;
  json list = {
      {"items",
       {{{"metadata", {{"uid", "b"}}}, {"count", 1}, {"lastTimestamp", "2026-01-01T00:00:05Z"}, {"message", "second"}},
        {{"metadata", {{"uid", "a"}}},
         {"count", 1},
         {"lastTimestamp", "2026-01-01T00:00:01Z"},
         {"message", "first"}}}}};
  EXPECT_EQ(printer.take_new(list), (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(printer.take_new(list).empty());
  // A repeat (count 2) is new; an event older than the newest printed is skipped.
  list["items"][0]["count"] = 2;
  list["items"][0]["lastTimestamp"] = "2026-01-01T00:00:09Z";
  list["items"][1]["count"] = 2;
  EXPECT_EQ(printer.take_new(list), (std::vector<std::string>{"second"}));
  // The scheduler's events have a series and an eventTime instead.
  json series = {{"items",
                  {{{"metadata", {{"uid", "c"}}},
                    {"eventTime", "2026-01-01T00:00:10.000000Z"},
                    {"series", {{"count", 2}, {"lastObservedTime", "2026-01-01T00:00:12.000000Z"}}},
                    {"message", "0/1 nodes are available"}}}}};
  EXPECT_EQ(printer.take_new(series), (std::vector<std::string>{"0/1 nodes are available"}));
}

TEST(PodChecks, PullPolicies) {
  KubernetesConfig kube;
  EXPECT_EQ(pull_policy_list(*effective_pull_policies(Profile::kV19_4, kube, {}, "build")), "[]");
  kube.pull_policy = {"always", "if-not-present"};
  EXPECT_EQ(pull_policy_list(*effective_pull_policies(Profile::kV19_4, kube, {}, "build")), "[Always IfNotPresent]");
  kube.allowed_pull_policies = {"if-not-present"};
  EXPECT_EQ(pull_policy_list(*effective_pull_policies(Profile::kV19_4, kube, {}, "build")), "[IfNotPresent]");
  kube.pull_policy = {"if-not-present"};
  kube.allowed_pull_policies = {"always"};
  auto denied = effective_pull_policies(Profile::kV19_4, kube, {}, "build");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message,
            "invalid pull policy for container \"build\": pull_policy ([IfNotPresent]) defined in Runner config is not "
            "one of the allowed_pull_policies ([Always])");
  denied = effective_pull_policies(Profile::kV19_4, kube, {"never"}, "build");
  ASSERT_FALSE(denied);
  EXPECT_EQ(
      denied.error().message,
      "invalid pull policy for container \"build\": pull_policy ([Never]) defined in GitLab pipeline config is not "
      "one of the allowed_pull_policies ([Always])");
  kube.pull_policy = {};
  denied = effective_pull_policies(Profile::kV19_4, kube, {}, "helper");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message,
            "invalid pull policy for container \"helper\": pull_policy ([]) defined in Runner config (default) is not "
            "one of the allowed_pull_policies ([Always])");
  kube.pull_policy = {"sometimes"};
  EXPECT_EQ(
      effective_pull_policies(Profile::kV19_4, kube, {}, "build").error().message,
      "converting pull policy for container \"build\": pull_policy config: unsupported pull policy: \"sometimes\"");
}

TEST(PodChecks, PullManagerLines) {
  TerminalContainerError e;
  e.image = "alpine:3.20";
  e.container = "build";
  e.pull_message = "image pull failed: x";
  EXPECT_EQ(
      pull_policy_failed(Profile::kV19_4, e, "Always"),
      "Failed to pull image \"alpine:3.20\" for container \"build\" with policy \"Always\": image pull failed: x");
  EXPECT_EQ(pull_policy_failed(Profile::kV13_12, e, ""), "Failed to pull image with policy \"\": image pull failed: x");
  EXPECT_EQ(pull_policy_attempt(Profile::kV19_4, 2, "IfNotPresent", e),
            "Attempt #2: Trying \"IfNotPresent\" pull policy for \"alpine:3.20\" image for container \"build\"");
  EXPECT_EQ(pull_policy_attempt(Profile::kV13_12, 2, "IfNotPresent", e),
            "Attempt #2: Trying \"IfNotPresent\" pull policy for \"alpine:3.20\" image");
}

TEST(PodChecks, HelperImageArchitecture) {
  KubernetesConfig kube;
  const std::string base = "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:";
  EXPECT_EQ(default_helper_image_for(Profile::kV19_4, kube), base + "x86_64-v19.4.0");
  kube.node_selector["kubernetes.io/arch"] = "arm64";
  EXPECT_EQ(default_helper_image_for(Profile::kV19_4, kube), base + "arm64-v19.4.0");
  kube.node_selector["kubernetes.io/arch"] = "armv7l";
  EXPECT_EQ(default_helper_image_for(Profile::kV19_4, kube), base + "arm-v19.4.0");
  kube.node_selector.clear();
  kube.helper_image_autoset_arch_and_os = true;
  EXPECT_EQ(default_helper_image_for(Profile::kV19_4, kube, "aarch64"), base + "arm64-v19.4.0");
  EXPECT_EQ(default_helper_image_for(Profile::kV19_4, kube, "s390x"), base + "s390x-v19.4.0");
  // 13.12 knows neither setting.
  kube.node_selector["kubernetes.io/arch"] = "arm64";
  EXPECT_EQ(default_helper_image_for(Profile::kV13_12, kube).rfind("gitlab/gitlab-runner-helper:x86_64-", 0), 0u);
}

}  // namespace
}  // namespace kexsim::executor

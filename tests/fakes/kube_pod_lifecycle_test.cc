#include "fakes/kube/pod_lifecycle.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const TimePoint kCreated = TimePoint(Duration(1767225600LL * 1000000));  // 2026-01-01T00:00:00Z

json lifecycle_pod() {
  return {{"metadata", {{"name", "runner-x"}, {"namespace", "cicd"}, {"uid", "u-1"}}},
          {"spec",
           {{"containers",
             {{{"name", "build"}, {"image", "alpine:3.20"}},
              {{"name", "helper"}, {"image", "gitlab-runner-helper:x86_64-v17.0.0"}},
              {{"name", "svc-0"}, {"image", "postgres:16"}}}}}}};
}

TEST(KubePodLifecycle, ScheduledAndCreatingWhilePending) {
  const json status = pod_status(lifecycle_pod(), kCreated, kCreated + std::chrono::seconds(3), PodTiming{});
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["hostIP"], "10.0.0.10");
  EXPECT_EQ(status["startTime"], "2026-01-01T00:00:00Z");
  EXPECT_FALSE(status.contains("podIP"));
  const std::string unready = "containers with unready status: [build helper svc-0]";
  const json expected_conditions = json::array({
      {{"type", "PodReadyToStartContainers"},
       {"status", "False"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", "2026-01-01T00:00:00Z"}},
      {{"type", "Initialized"},
       {"status", "True"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", "2026-01-01T00:00:00Z"}},
      {{"type", "Ready"},
       {"status", "False"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", "2026-01-01T00:00:00Z"},
       {"reason", "ContainersNotReady"},
       {"message", unready}},
      {{"type", "ContainersReady"},
       {"status", "False"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", "2026-01-01T00:00:00Z"},
       {"reason", "ContainersNotReady"},
       {"message", unready}},
      {{"type", "PodScheduled"},
       {"status", "True"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", "2026-01-01T00:00:00Z"}},
  });
  EXPECT_EQ(status["conditions"], expected_conditions);
  ASSERT_EQ(status["containerStatuses"].size(), 3u);
  EXPECT_EQ(status["containerStatuses"][0], (json{{"name", "build"},
                                                  {"image", "alpine:3.20"},
                                                  {"imageID", ""},
                                                  {"ready", false},
                                                  {"restartCount", 0},
                                                  {"started", false},
                                                  {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}},
                                                  {"lastState", json::object()}}));
  EXPECT_EQ(status["qosClass"], "BestEffort");
}

TEST(KubePodLifecycle, RunningOncePendingHasPassed) {
  const TimePoint ready = kCreated + std::chrono::seconds(6);
  const json status = pod_status(lifecycle_pod(), kCreated, ready, PodTiming{}, "10.244.0.7");
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "10.244.0.7");
  EXPECT_EQ(status["podIPs"], json::array({{{"ip", "10.244.0.7"}}}));
  for (const auto& c : status["conditions"]) {
    EXPECT_EQ(c["status"], "True") << c.dump();
    EXPECT_FALSE(c.contains("reason"));
  }
  for (const auto& c : status["containerStatuses"]) {
    EXPECT_TRUE(c["ready"].get<bool>());
    EXPECT_TRUE(c["started"].get<bool>());
    EXPECT_EQ(c["state"]["running"]["startedAt"], "2026-01-01T00:00:06Z");
    EXPECT_EQ(c["containerID"].get<std::string>().rfind("containerd://", 0), 0u);
  }
}

TEST(KubePodLifecycle, NeverStartStaysPendingAndNodeNameIsSetAtOnce) {
  PodTiming timing;
  timing.never_start = true;
  timing.node_name = "worker-3";
  const json pod = pod_with_status(lifecycle_pod(), kCreated, kCreated + std::chrono::hours(5), timing);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["spec"]["nodeName"], "worker-3");
  json pinned = lifecycle_pod();
  pinned["spec"]["nodeName"] = "chosen";
  EXPECT_EQ(pod_with_status(pinned, kCreated, kCreated, timing)["spec"]["nodeName"], "chosen");
}

TEST(KubePodLifecycle, InitContainersHoldInitializedFalse) {
  json pod = lifecycle_pod();
  pod["spec"]["initContainers"] = {{{"name", "init-permissions"}, {"image", "helper"}}};
  const json pending = pod_status(pod, kCreated, kCreated, PodTiming{});
  EXPECT_EQ(pending["conditions"][1]["status"], "False");
  EXPECT_EQ(pending["conditions"][1]["reason"], "ContainersNotInitialized");
  EXPECT_EQ(pending["conditions"][1]["message"], "containers with incomplete status: [init-permissions]");
  EXPECT_EQ(pending["containerStatuses"][0]["state"]["waiting"]["reason"], "PodInitializing");
  EXPECT_EQ(pending["initContainerStatuses"][0]["state"]["waiting"]["reason"], "PodInitializing");
  const json running = pod_status(pod, kCreated, kCreated + std::chrono::seconds(10), PodTiming{});
  EXPECT_EQ(running["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(running["initContainerStatuses"][0]["state"]["terminated"]["exitCode"], 0);
}

TEST(KubePodLifecycle, ContainerStatusesAreSortedByName) {
  json pod = lifecycle_pod();
  pod["spec"]["containers"] = {{{"name", "helper"}, {"image", "h"}}, {{"name", "build"}, {"image", "b"}}};
  const json status = pod_status(pod, kCreated, kCreated, PodTiming{});
  EXPECT_EQ(status["containerStatuses"][0]["name"], "build");
  EXPECT_EQ(status["conditions"][2]["message"], "containers with unready status: [helper build]");
}

TEST(KubePodLifecycle, QosClass) {
  json pod = lifecycle_pod();
  EXPECT_EQ(pod_qos_class(pod), "BestEffort");
  pod["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "100m"}}}};
  EXPECT_EQ(pod_qos_class(pod), "Burstable");
  pod["spec"]["containers"] = {{{"name", "b"}, {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}};
  EXPECT_EQ(pod_qos_class(pod), "Guaranteed");
}

}  // namespace
}  // namespace kexsim::fakes

// The simulated scheduler: filter plugins, FitError wording by release, and the scheduling queue with
// its events and the autoscaler model (k8s-cluster-messages.md §1).

#include <gtest/gtest.h>

#include "fakes/kube/scheduler.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json pod_with_spec(json spec, const std::string& name = "p") {
  if (!spec.contains("containers"))
    spec["containers"] = {{{"name", "build"}, {"image", "alpine"}, {"resources", {{"requests", {{"cpu", "2"}}}}}}};
  return {{"metadata", {{"name", name}, {"namespace", "ci"}, {"uid", "uid-" + name}, {"resourceVersion", "5"}}},
          {"spec", spec}};
}

NodeSpec node(const std::string& name, std::map<std::string, std::string> capacity = {}) {
  NodeSpec n;
  n.name = name;
  n.capacity = std::move(capacity);
  return n;
}

std::string message(const json& p, const std::vector<NodeSpec>& nodes, int minor = 33) {
  std::vector<NodeView> views;
  for (const NodeSpec& n : nodes)
    views.push_back({&n, parse_resources(allocatable_of(n)).value(), parse_resources(n.used).value()});
  return schedule_pod(p, views, minor).message;
}

TEST(KubeScheduler, PodRequestsSumContainersAndTakeTheLargestInit) {
  const json p =
      pod_with_spec({{"containers",
                      {{{"name", "a"}, {"resources", {{"requests", {{"cpu", "500m"}, {"memory", "1Gi"}}}}}},
                       {{"name", "b"}, {"resources", {{"limits", {{"cpu", "1"}, {"nvidia.com/gpu", "1"}}}}}}}},
                     {"initContainers", {{{"name", "i"}, {"resources", {{"requests", {{"cpu", "3"}}}}}}}}});
  const Resources r = pod_requests(p);
  EXPECT_EQ(r.milli_cpu, 3000);
  EXPECT_EQ(r.memory, 1LL << 30);
  EXPECT_EQ(r.scalar.at("nvidia.com/gpu"), 1);
  EXPECT_EQ(r.pods, 1);
}

TEST(KubeScheduler, InsufficientResourcesByRelease) {
  const json p = pod_with_spec(json::object());
  const std::vector<NodeSpec> one = {node("n1", {{"cpu", "1"}})};
  EXPECT_EQ(message(p, one, 22), "0/1 nodes are available: 1 Insufficient cpu.");
  EXPECT_EQ(message(p, one, 24),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims "
            "found for incoming pod.");
  EXPECT_EQ(message(p, one, 27),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims "
            "found for incoming pod..");
  EXPECT_EQ(message(p, one, 30),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims "
            "found for incoming pod.");
}

TEST(KubeScheduler, ReasonsAreCountedAndSortedAsStrings) {
  json p = pod_with_spec(
      {{"containers", {{{"name", "b"}, {"resources", {{"requests", {{"cpu", "2"}, {"memory", "20Gi"}}}}}}}}});
  NodeSpec cp = node("cp");
  cp.taints = {{"node-role.kubernetes.io/control-plane", "", "NoSchedule"}};
  std::vector<NodeSpec> nodes = {cp, node("a", {{"cpu", "1"}}), node("b")};
  // node a lacks cpu and memory (two reasons from one plugin), b lacks memory.
  EXPECT_EQ(message(p, nodes),
            "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 "
            "Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
  // Ten of a reason sort before two of another: the sort is over the whole "N reason" string.
  std::vector<NodeSpec> many;
  for (int i = 0; i < 10; ++i) many.push_back(node("small-" + std::to_string(i), {{"cpu", "1"}}));
  NodeSpec labelled = node("x");
  p["spec"]["nodeSelector"] = {{"pool", "ci"}};
  many.push_back(labelled);
  many.push_back(labelled);
  for (auto& n : many) n.labels["pool"] = n.name.rfind("small", 0) == 0 ? "ci" : "web";
  EXPECT_EQ(message(p, many, 29).substr(0, 123),
            "0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) didn't match Pod's node "
            "affinity/selector.");
}

TEST(KubeScheduler, FirstFailingPluginDecides) {
  json p = pod_with_spec({{"nodeSelector", {{"disk", "ssd"}}}});
  NodeSpec cordoned = node("c", {{"cpu", "1"}});
  cordoned.unschedulable = true;
  NodeSpec tainted = node("t", {{"cpu", "1"}});
  tainted.taints = {{"dedicated", "gpu", "NoExecute"}, {"other", "x", "NoSchedule"}};
  NodeSpec prefer = node("p", {{"cpu", "1"}});
  prefer.taints = {{"soft", "x", "PreferNoSchedule"}};
  EXPECT_EQ(
      message(p, {cordoned, tainted, prefer}, 33),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated "
      "taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is "
      "not helpful for scheduling.");
  EXPECT_EQ(message(p, {tainted}, 23),
            "0/1 nodes are available: 1 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.");
  EXPECT_EQ(message(p, {tainted}, 35).substr(0, 65),
            "0/1 nodes are available: 1 node(s) had untolerated taint(s). pree");
  NodeSpec not_ready = node("nr");
  not_ready.ready = false;
  EXPECT_EQ(
      message(pod_with_spec(json::object()), {not_ready}, 29),
      "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 "
      "nodes are available: 1 Preemption is not helpful for scheduling.");
}

TEST(KubeScheduler, TolerationsAndAffinityLetPodsIn) {
  NodeSpec tainted = node("t");
  tainted.taints = {{"dedicated", "ci", "NoSchedule"}};
  tainted.labels = {{"pool", "ci"}, {"cores", "16"}};
  std::vector<NodeView> views = {{&tainted, parse_resources(allocatable_of(tainted)).value(), {}}};
  const json equal =
      pod_with_spec({{"tolerations", {{{"key", "dedicated"}, {"value", "ci"}, {"effect", "NoSchedule"}}}}});
  EXPECT_EQ(schedule_pod(equal, views, 33).node, "t");
  const json exists = pod_with_spec({{"tolerations", {{{"operator", "Exists"}}}}});
  EXPECT_EQ(schedule_pod(exists, views, 33).node, "t");
  const json wrong = pod_with_spec({{"tolerations", {{{"key", "dedicated"}, {"value", "web"}}}}});
  EXPECT_EQ(schedule_pod(wrong, views, 33).node, "");
  json affinity = exists;
  affinity["spec"]["affinity"] = {
      {"nodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution",
         {{"nodeSelectorTerms",
           {{{"matchExpressions", {{{"key", "pool"}, {"operator", "In"}, {"values", {"gpu"}}}}}},
            {{"matchExpressions", {{{"key", "cores"}, {"operator", "Gt"}, {"values", {"8"}}}}}}}}}}}}};
  EXPECT_EQ(schedule_pod(affinity, views, 33).node, "t");
  affinity["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
      .erase(1);
  EXPECT_EQ(schedule_pod(affinity, views, 33).message,
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are "
            "available: 1 Preemption is not helpful for scheduling.");
}

TEST(KubeScheduler, TooManyPodsExtendedResourcesAndNoNodes) {
  NodeSpec full = node("f", {{"pods", "3"}});
  full.used = {{"pods", "3"}};
  json gpu = pod_with_spec({{"containers", {{{"name", "b"}, {"resources", {{"limits", {{"nvidia.com/gpu", "1"}}}}}}}}});
  EXPECT_EQ(message(gpu, {full}, 33).substr(0, 72),
            "0/1 nodes are available: 1 Insufficient nvidia.com/gpu, 1 Too many pods.");
  EXPECT_EQ(message(gpu, {}, 33), "no nodes available to schedule pods");
  json never = pod_with_spec({{"preemptionPolicy", "Never"}});
  EXPECT_EQ(message(never, {node("s", {{"cpu", "1"}})}, 33),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
}

TEST(KubeScheduler, QueueBindsRetriesAndRecordsEvents) {
  Scheduler s;
  EventLog events;
  const TimePoint t0 = TimePoint(std::chrono::seconds(1'700'000'000));
  s.add_node(node("n1", {{"cpu", "3"}}), t0);
  s.admit(pod_with_spec(json::object(), "a"), t0, events, "10");
  ASSERT_TRUE(s.placement("uid-a")->bound);
  EXPECT_EQ(s.placement("uid-a")->node, "n1");
  EXPECT_EQ(s.placement("uid-a")->host_ip, "10.0.0.10");
  s.admit(pod_with_spec(json::object(), "b"), t0 + std::chrono::seconds(1), events, "11");
  EXPECT_FALSE(s.placement("uid-b")->bound);
  EXPECT_EQ(s.placement("uid-b")->message,
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims "
            "found for incoming pod.");
  const auto list = events.list("ci");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["reason"], "Scheduled");
  EXPECT_EQ(list[0]["message"], "Successfully assigned ci/a to n1");
  EXPECT_EQ(list[0]["action"], "Binding");
  EXPECT_EQ(list[1]["reason"], "FailedScheduling");
  EXPECT_EQ(list[1]["type"], "Warning");
  EXPECT_EQ(list[1]["reportingComponent"], "default-scheduler");
  EXPECT_EQ(list[1]["eventTime"], "2023-11-14T22:13:21.000000Z");
  EXPECT_TRUE(list[1]["firstTimestamp"].is_null());
  EXPECT_EQ(list[1]["involvedObject"]["name"], "b");
  EXPECT_EQ(list[1]["metadata"]["name"], "b.17979cfe71c4ca00");
  // a leaves: b is retried at once and bound.
  s.release("uid-a", t0 + std::chrono::seconds(5), events, "12");
  EXPECT_TRUE(s.placement("uid-b")->bound);
  EXPECT_EQ(s.placement("uid-b")->at, t0 + std::chrono::seconds(5));
  EXPECT_EQ(events.list("ci").back()["message"], "Successfully assigned ci/b to n1");
}

TEST(KubeScheduler, AutoscalerAddsANodeAfterItsDelay) {
  Scheduler s;
  EventLog events;
  const TimePoint t0 = TimePoint(std::chrono::seconds(1'700'000'000));
  s.add_node(node("small", {{"cpu", "1"}}), t0);
  NodeGroup group;
  group.name = "ci-pool";
  group.node = node("", {{"cpu", "8"}});
  group.scale_up = std::chrono::seconds(90);
  group.max_size = 2;
  s.add_group(group);
  s.admit(pod_with_spec(json::object(), "a"), t0, events, "1");
  EXPECT_FALSE(s.placement("uid-a")->bound);
  auto list = events.list("ci");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["reason"], "TriggeredScaleUp");
  EXPECT_EQ(list[1]["message"], "pod triggered scale-up: [{ci-pool 0->1 (max: 2)}]");
  EXPECT_EQ(list[1]["source"]["component"], "cluster-autoscaler");
  EXPECT_EQ(list[1]["count"], 1);
  s.advance(t0 + std::chrono::seconds(89), events, "2");
  EXPECT_FALSE(s.placement("uid-a")->bound);
  s.advance(t0 + std::chrono::seconds(200), events, "3");
  ASSERT_TRUE(s.placement("uid-a")->bound);
  EXPECT_EQ(s.placement("uid-a")->node, "ci-pool-1");
  EXPECT_EQ(s.placement("uid-a")->at, t0 + std::chrono::seconds(90));
  ASSERT_EQ(s.nodes().size(), 2u);
  EXPECT_EQ(s.nodes()[1].since, t0 + std::chrono::seconds(90));
  // A pod no template fits does not trigger a scale-up, and says why.
  json big = pod_with_spec({{"containers", {{{"name", "b"}, {"resources", {{"requests", {{"cpu", "64"}}}}}}}}}, "big");
  s.admit(big, t0 + std::chrono::seconds(300), events, "4");
  EXPECT_EQ(events.list("ci").back()["message"], "pod didn't trigger scale-up: 1 Insufficient cpu");
}

TEST(KubeScheduler, LongNotesAreTruncated) {
  EXPECT_EQ(truncate_event_note("short"), "short");
  const std::string note = truncate_event_note(std::string(2000, 'x'));
  EXPECT_EQ(note.size(), 1024u);
  EXPECT_EQ(note.substr(1016), "xxxx ...");
}

}  // namespace
}  // namespace kexsim::fakes

namespace kexsim::fakes {
namespace {

TEST(KubeSchedulerQueue, UnschedulablePodsAreRetriedEveryFiveMinutes) {
  Scheduler s;
  EventLog events;
  const TimePoint t0 = TimePoint(std::chrono::seconds(1'700'000'000));
  NodeSpec n;
  n.name = "n1";
  n.capacity = {{"cpu", "1"}};
  s.add_node(n, t0);
  s.admit(pod_with_spec(json::object(), "a"), t0, events, "1");
  s.advance(t0 + std::chrono::minutes(4), events, "2");
  ASSERT_EQ(events.list("ci").size(), 1u);
  EXPECT_FALSE(events.list("ci")[0].contains("series"));
  s.advance(t0 + std::chrono::minutes(11), events, "3");
  const auto list = events.list("ci");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["series"]["count"], 3);
  EXPECT_EQ(list[0]["series"]["lastObservedTime"], "2023-11-14T22:23:20.000000Z");
  EXPECT_EQ(s.placement("uid-a")->at, t0);  // the condition's transition stays at the first failure
}

}  // namespace
}  // namespace kexsim::fakes

namespace kexsim::fakes {
namespace {

TEST(KubeSchedulerDisruptedNodes, CordonedUnreachableAndGoneNodesAreFilteredOut) {
  Scheduler s;
  EventLog events;
  const TimePoint t0{};
  s.add_node(node("a"), t0);
  s.add_node(node("b"), t0);
  s.disrupt_node("a", true, false, false, t0, events, "1");
  s.admit(pod_with_spec({}, "first"), t0, events, "2");
  ASSERT_NE(s.placement("uid-first"), nullptr);
  EXPECT_EQ(s.placement("uid-first")->node, "b");
  s.disrupt_node("b", false, true, false, t0, events, "3");
  s.admit(pod_with_spec({}, "second"), t0, events, "4");
  ASSERT_NE(s.placement("uid-second"), nullptr);
  EXPECT_FALSE(s.placement("uid-second")->bound);
  EXPECT_EQ(s.placement("uid-second")->message,
            "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) "
            "were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  s.disrupt_node("a", false, false, true, t0, events, "5");
  s.disrupt_node("b", false, false, true, t0, events, "6");
  EXPECT_EQ(s.placement("uid-second")->message, "no nodes available to schedule pods");
}

}  // namespace
}  // namespace kexsim::fakes

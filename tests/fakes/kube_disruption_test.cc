// The disruption model (fakes/kube/disruption.h) on its own, and through the API server: the
// Eviction subresource, a timed eviction over virtual time, a lost node, preemption's wordings.
#include "fakes/kube/disruption.h"

#include <gtest/gtest.h>

#include "fakes/kube/api_server.h"
#include "tests/support/manual_clock.h"
#include "tests/support/no_worlds.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

json running_pod(const std::string& name = "runner-abc-0", std::optional<int64_t> grace = std::nullopt) {
  json pod = {{"metadata", {{"name", name}, {"namespace", "ci"}, {"uid", "uid-" + name}}},
              {"spec", {{"nodeName", "node-1"}, {"containers", {{{"name", "build"}}, {{"name", "helper"}}}}}},
              {"status",
               {{"phase", "Running"},
                {"conditions", {{{"type", "Ready"}, {"status", "True"}}}},
                {"containerStatuses",
                 {{{"name", "build"}, {"ready", true}, {"state", {{"running", {{"startedAt", "x"}}}}}}}}}}};
  if (grace) pod["spec"]["terminationGracePeriodSeconds"] = *grace;
  return pod;
}

const json* condition(const json& pod, const std::string& type) {
  for (const json& c : pod["status"]["conditions"])
    if (c["type"] == type) return &c;
  return nullptr;
}

const TimePoint kStart = testing::kTestEpoch;

TEST(Disruptions, ActionNamesRoundTrip) {
  for (const char* name : {"evict", "delete", "drain", "node_lost", "preempt"})
    EXPECT_EQ(disruption_action_name(parse_disruption_action(name).value()), name);
  EXPECT_FALSE(parse_disruption_action("cordon").has_value());
}

TEST(Disruptions, EvictionMarksThePodAndKillsAtTheGracePeriodsEnd) {
  Disruptions d;
  d.set_plans({{DisruptionAction::kEvict, seconds(10)}}, kStart);
  const json pod = running_pod();
  // Before it fires, an exec already knows when its processes die: the default 30 s grace period.
  EXPECT_EQ(d.kill_time(pod), kStart + seconds(40));
  d.advance(kStart + seconds(9), {pod});
  EXPECT_EQ(d.find("uid-runner-abc-0"), nullptr);
  d.advance(kStart + seconds(10), {pod});
  ASSERT_NE(d.find("uid-runner-abc-0"), nullptr);

  json shown = pod;
  d.apply(shown, kStart + seconds(12));
  EXPECT_EQ(shown["metadata"]["deletionTimestamp"], "2026-01-01T00:00:40Z");
  EXPECT_EQ(shown["metadata"]["deletionGracePeriodSeconds"], 30);
  ASSERT_NE(condition(shown, "DisruptionTarget"), nullptr);
  EXPECT_EQ((*condition(shown, "DisruptionTarget"))["reason"], "EvictionByEvictionAPI");
  EXPECT_EQ((*condition(shown, "DisruptionTarget"))["message"], "Eviction API: evicting");
  EXPECT_EQ(shown["status"]["phase"], "Running");  // the shell ignores SIGTERM

  json killed = pod;
  d.apply(killed, kStart + seconds(40));
  EXPECT_EQ(killed["status"]["phase"], "Failed");
  EXPECT_EQ(killed["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 137);

  Disruptions::strip(shown);
  EXPECT_FALSE(shown["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(condition(shown, "DisruptionTarget"), nullptr);

  EventLog events;
  d.record_events(kStart + seconds(10), events, "5");
  const std::vector<json> listed = events.list("ci");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["reason"], "Killing");
  EXPECT_EQ(listed[0]["message"], "Stopping container build");
  EXPECT_EQ(listed[0]["involvedObject"]["fieldPath"], "spec.containers{build}");
  EXPECT_EQ(listed[1]["message"], "Stopping container helper");

  EXPECT_TRUE(d.take_removals(kStart + seconds(39)).empty());
  ASSERT_EQ(d.take_removals(kStart + seconds(40)).size(), 1u);
  EXPECT_TRUE(d.take_removals(kStart + seconds(41)).empty());  // once
}

TEST(Disruptions, GraceZeroRemovesAtOnceAndKillsAfterTheKubeletsMinimum) {
  Disruptions d;
  DisruptionPlan plan{DisruptionAction::kDelete, seconds(5)};
  d.set_plans({plan}, kStart);
  d.advance(kStart + seconds(5), {running_pod("runner-abc-0", 0)});
  const PodDisruption* hit = d.find("uid-runner-abc-0");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->removed_at, kStart + seconds(5));
  EXPECT_EQ(hit->kill_at, kStart + seconds(7));
  EXPECT_TRUE(hit->reason.empty());  // a plain delete sets no DisruptionTarget
}

TEST(Disruptions, OnOutputFiresWhenTheTextIsPrintedAndOnlyForMatchingPods) {
  Disruptions d;
  DisruptionPlan plan;
  plan.on_output = "starting";
  plan.after = seconds(5);
  plan.pod = "runner-";
  d.set_plans({plan}, kStart);
  const json other = running_pod("web-1");
  d.saw_output(other, kStart, {{seconds(1), 1, "starting\n"}});
  EXPECT_EQ(d.find("uid-web-1"), nullptr);
  const json pod = running_pod();
  EXPECT_EQ(d.kill_time(pod), std::nullopt);
  d.saw_output(pod, kStart + seconds(20), {{seconds(0), 1, "$ echo\n"}, {seconds(2), 1, "starting\n"}});
  ASSERT_NE(d.find("uid-runner-abc-0"), nullptr);
  EXPECT_EQ(d.find("uid-runner-abc-0")->at, kStart + seconds(27));
  EXPECT_EQ(d.kill_time(pod), kStart + seconds(57));
}

TEST(Disruptions, LostNodeGoesNotReadyThenItsPodsAreCollected) {
  Disruptions d;
  d.set_kubernetes_minor(33);
  d.set_plans({{DisruptionAction::kNodeLost, seconds(10)}}, kStart);
  const json pod = running_pod();
  EXPECT_EQ(d.kill_time(pod), kStart + seconds(10));  // the machine is gone
  d.advance(kStart + seconds(10), {pod});
  const PodDisruption* hit = d.find("uid-runner-abc-0");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->not_ready_at, kStart + seconds(60));  // node-monitor-grace-period 50 s on 1.33
  EXPECT_EQ(hit->removed_at, kStart + seconds(105));   // + 5 s cloud controller + 40 s PodGC quarantine

  json stale = pod;
  d.apply(stale, kStart + seconds(59));
  EXPECT_EQ(stale, pod);  // nobody reports for the pod
  json not_ready = pod;
  d.apply(not_ready, kStart + seconds(60));
  EXPECT_EQ((*condition(not_ready, "Ready"))["status"], "False");
  EXPECT_EQ(not_ready["status"]["phase"], "Running");
  json last = pod;
  d.apply(last, kStart + seconds(105));
  EXPECT_EQ(last["status"]["phase"], "Failed");
  EXPECT_EQ((*condition(last, "DisruptionTarget"))["reason"], "DeletionByPodGC");
  EXPECT_EQ((*condition(last, "DisruptionTarget"))["message"], "PodGC: node no longer exists");

  std::vector<json> nodes = {{{"metadata", {{"name", "node-1"}}},
                              {"spec", json::object()},
                              {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}}};
  std::vector<json> at_60 = nodes;
  d.apply_nodes(at_60, kStart + seconds(60));
  ASSERT_EQ(at_60.size(), 1u);
  EXPECT_EQ(at_60[0]["status"]["conditions"][0]["status"], "Unknown");
  EXPECT_EQ(at_60[0]["status"]["conditions"][0]["message"], "Kubelet stopped posting node status.");
  EXPECT_EQ(at_60[0]["spec"]["taints"][1]["key"], "node.kubernetes.io/unreachable");
  std::vector<json> at_65 = nodes;
  d.apply_nodes(at_65, kStart + seconds(65));
  EXPECT_TRUE(at_65.empty());

  EventLog events;
  d.record_events(kStart + seconds(60), events, "9");
  ASSERT_EQ(events.list("ci").size(), 1u);
  EXPECT_EQ(events.list("ci")[0]["reason"], "NodeNotReady");
  EXPECT_EQ(events.list("ci")[0]["message"], "Node is not ready");
  EXPECT_EQ(events.list("ci")[0]["type"], "Warning");
  EXPECT_EQ(node_monitor_grace_period(31), seconds(40));
}

TEST(Disruptions, DrainCordonsTheNodeAndEvictsItsPods) {
  Disruptions d;
  d.set_plans({{DisruptionAction::kDrain, seconds(3)}}, kStart);
  json neighbour = running_pod("web-1");
  d.advance(kStart + seconds(3), {running_pod(), neighbour});
  EXPECT_NE(d.find("uid-runner-abc-0"), nullptr);
  EXPECT_NE(d.find("uid-web-1"), nullptr);
  std::vector<json> nodes = {{{"metadata", {{"name", "node-1"}}}, {"spec", json::object()}}};
  d.apply_nodes(nodes, kStart + seconds(3));
  EXPECT_EQ(nodes[0]["spec"]["unschedulable"], true);
  EXPECT_EQ(nodes[0]["spec"]["taints"][0]["key"], "node.kubernetes.io/unschedulable");
}

TEST(Disruptions, ADrainTheBudgetRefusesIsTriedAgainEveryFiveSeconds) {
  Disruptions d;
  d.set_plans({{DisruptionAction::kDrain, seconds(3)}}, kStart);
  bool protected_now = true;  // the PodDisruptionBudget's verdict (429 while it allows no disruption)
  d.set_eviction_guard([&protected_now](const json&) { return protected_now; });
  const json pod = running_pod();
  d.advance(kStart + seconds(3), {pod});
  EXPECT_EQ(d.find("uid-runner-abc-0"), nullptr);
  EXPECT_EQ(d.next_change(kStart + seconds(3)), kStart + seconds(8));  // kubectl drain: "will retry after 5s"
  d.advance(kStart + seconds(8), {pod});
  EXPECT_EQ(d.find("uid-runner-abc-0"), nullptr);
  protected_now = false;  // the budget allows it now: the try due at 13 s evicts
  d.advance(kStart + seconds(14), {pod});
  ASSERT_NE(d.find("uid-runner-abc-0"), nullptr);
  EXPECT_EQ(d.find("uid-runner-abc-0")->at, kStart + seconds(13));
  // A pod that is gone ends the retries.
  Disruptions gone;
  gone.set_plans({{DisruptionAction::kDrain, seconds(3)}}, kStart);
  gone.set_eviction_guard([](const json&) { return true; });
  gone.advance(kStart + seconds(3), {pod});
  gone.advance(kStart + seconds(5), {});
  EXPECT_EQ(gone.next_change(kStart + seconds(5)), std::nullopt);
}

TEST(Disruptions, PreemptionWordingsFollowTheRelease) {
  const auto preempted = [](int minor) {
    Disruptions d;
    d.set_kubernetes_minor(minor);
    DisruptionPlan plan{DisruptionAction::kPreempt, seconds(1)};
    plan.preemptor = "big";
    d.set_plans({plan}, kStart);
    d.advance(kStart + seconds(1), {running_pod()});
    EventLog events;
    d.record_events(kStart + seconds(1), events, "3");
    const PodDisruption* hit = d.find("uid-runner-abc-0");
    std::string preempted_message;
    for (const json& e : events.list("ci"))
      if (e.value("reason", "") == "Preempted")  // events.k8s.io/v1 says "note", core/v1 "message"
        preempted_message = e.contains("note") ? e.value("note", "") : e.value("message", "");
    return std::make_tuple(hit->reason, hit->message, preempted_message, hit->preemptor_uid);
  };
  auto [reason, message, event, uid] = preempted(33);
  EXPECT_EQ(reason, "PreemptionByScheduler");
  EXPECT_EQ(message, "default-scheduler: preempting to accommodate a higher priority pod");
  EXPECT_EQ(event, "Preempted by pod " + uid + " on node node-1");
  EXPECT_EQ(std::get<2>(preempted(28)), "Preempted by a pod on node node-1");
  EXPECT_EQ(std::get<0>(preempted(26)), "PreemptionByKubeScheduler");
  EXPECT_EQ(std::get<1>(preempted(26)), "Kube-scheduler: preempting to accommodate a higher priority pod: ci/big");
  EXPECT_EQ(std::get<2>(preempted(26)), "Preempted by ci/big on node node-1");
  EXPECT_EQ(std::get<0>(preempted(25)), "");  // PodDisruptionConditions was off by default
}

// Through the API server: the Eviction subresource and a planned eviction over virtual time.
using testing::NoWorlds;

class EvictionApiTest : public ::testing::Test {
 protected:
  EvictionApiTest() {
    server_.add_token("admin-token", "admin", {"system:masters"});
    server_.add_token("sa-token", "system:serviceaccount:ci:default", {});
    EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "ci"}}}}).ok());
  }
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& token = "admin-token") {
    HttpRequest r;
    r.method = method;
    r.target = r.path = path;
    r.headers["authorization"] = "Bearer " + token;
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.body = body;
    return server_.handle(r);
  }
  std::string create_running_pod() {
    const json pod = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"name", "runner-abc-0"}}},
                      {"spec", {{"containers", {{{"name", "build"}, {"image", "alpine:3.20"}}}}}}};
    EXPECT_EQ(call("POST", "/api/v1/namespaces/ci/pods", pod.dump()).status, 201);
    clock_.advance(seconds(6));
    return "/api/v1/namespaces/ci/pods/runner-abc-0";
  }
  static std::string eviction(const std::string& name) {
    return json{{"apiVersion", "policy/v1"}, {"kind", "Eviction"}, {"metadata", {{"name", name}, {"namespace", "ci"}}}}
        .dump();
  }

  testing::ManualClock clock_;
  NoWorlds worlds_;
  KubeApiServer server_{clock_, Random(3), worlds_};
};

TEST_F(EvictionApiTest, EvictionAnswers201SuccessAndStartsAGracefulDeletion) {
  const std::string pod = create_running_pod();
  const HttpResponse r = call("POST", pod + "/eviction", eviction("runner-abc-0"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201})");
  json shown = json::parse(call("GET", pod).body);
  EXPECT_EQ(shown["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_EQ((*condition(shown, "DisruptionTarget"))["reason"], "EvictionByEvictionAPI");
  clock_.advance(seconds(29));
  EXPECT_EQ(call("GET", pod).status, 200);
  clock_.advance(seconds(1));
  EXPECT_EQ(call("GET", pod).status, 404);
  EXPECT_EQ(server_.count("pods", "ci"), 0u);
}

TEST_F(EvictionApiTest, EvictionErrorsAndRbac) {
  const std::string pod = create_running_pod();
  const HttpResponse mismatch = call("POST", pod + "/eviction", eviction("other"));
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(json::parse(mismatch.body)["message"], "name in URL does not match name in Eviction object");
  EXPECT_EQ(call("POST", "/api/v1/namespaces/ci/pods/nope/eviction", eviction("nope")).status, 404);
  const HttpResponse denied = call("POST", pod + "/eviction", eviction("runner-abc-0"), "sa-token");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(json::parse(denied.body)["message"].get<std::string>().find("cannot create resource \"pods/eviction\""),
            std::string::npos)
      << denied.body;
}

TEST_F(EvictionApiTest, APlannedEvictionFiresOnTheVirtualClock) {
  server_.disruptions().set_plans({{DisruptionAction::kEvict, seconds(10)}}, clock_.now());
  const std::string pod = create_running_pod();  // now at 6 s
  EXPECT_FALSE(json::parse(call("GET", pod).body)["metadata"].contains("deletionTimestamp"));
  clock_.advance(seconds(4));
  EXPECT_TRUE(json::parse(call("GET", pod).body)["metadata"].contains("deletionTimestamp"));
  // The kubelet's Normal events (Created, Started) are there too; the eviction's is the one Killing.
  const json events = json::parse(call("GET", "/api/v1/namespaces/ci/events").body);
  std::vector<std::string> killing;
  for (const json& e : events["items"])
    if (e["reason"] == "Killing") killing.push_back(e["message"].get<std::string>());
  EXPECT_EQ(killing.size(), 1u);
  clock_.advance(seconds(30));
  EXPECT_EQ(call("GET", pod).status, 404);
}

}  // namespace
}  // namespace kexsim::fakes

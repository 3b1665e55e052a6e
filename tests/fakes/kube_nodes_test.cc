// Nodes as the fake API server serves them, and pods through the scheduler: Pending with
// PodScheduled=False/Unschedulable, FailedScheduling events, binding once the autoscaler adds a node.

#include <gtest/gtest.h>

#include "fakes/kube/api_server.h"
#include "tests/support/manual_clock.h"
#include "tests/support/no_worlds.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using testing::NoWorlds;

HttpRequest get(const std::string& path, const std::string& method = "GET", const std::string& body = "") {
  HttpRequest r;
  r.method = method;
  r.target = path;
  r.path = path.substr(0, path.find('?'));
  if (path.find('?') != std::string::npos) {
    // One key=value pair, with %3D for "=" in the value.
    const std::string pair = path.substr(path.find('?') + 1);
    std::string value = pair.substr(pair.find('=') + 1);
    for (size_t at; (at = value.find("%3D")) != std::string::npos;) value.replace(at, 3, "=");
    r.query.emplace_back(pair.substr(0, pair.find('=')), value);
  }
  r.headers = {{"authorization", "Bearer admin"}};
  if (!body.empty()) r.headers["content-type"] = "application/json";
  r.body = body;
  return r;
}

class KubeNodesTest : public ::testing::Test {
 protected:
  KubeNodesTest() {
    server_.add_token("admin", "admin", {"system:masters"});
    EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "ci"}}}}).ok());
  }
  json call(const std::string& path, const std::string& method = "GET", const std::string& body = "") {
    const HttpResponse r = server_.handle(get(path, method, body));
    return json::parse(r.body);
  }
  std::string create_pod(const std::string& cpu) {
    const json pod = {
        {"metadata", {{"generateName", "runner-"}}},
        {"spec",
         {{"containers", {{{"name", "build"}, {"image", "alpine"}, {"resources", {{"requests", {{"cpu", cpu}}}}}}}}}}};
    return call("/api/v1/namespaces/ci/pods", "POST", pod.dump())["metadata"]["name"];
  }

  testing::ManualClock clock_;
  NoWorlds worlds_;
  KubeApiServer server_{clock_, Random(3), worlds_};
};

TEST(KubeNodeObject, CarriesLabelsTaintsResourcesAndConditions) {
  NodeSpec n;
  n.name = "arm-1";
  n.arch = "arm64";
  n.labels = {{"pool", "ci"}};
  n.taints = {{"dedicated", "ci", "NoSchedule"}};
  n.capacity = {{"cpu", "8"}, {"memory", "32768Mi"}};
  n.allocatable = {{"cpu", "7.5"}};
  n.unschedulable = true;
  n.address = "10.0.0.20";
  const json o = node_object(n, TimePoint(std::chrono::seconds(1'700'000'000)), "v1.30.0", "9");
  EXPECT_EQ(o["metadata"]["labels"]["kubernetes.io/arch"], "arm64");
  EXPECT_EQ(o["metadata"]["labels"]["kubernetes.io/hostname"], "arm-1");
  EXPECT_EQ(o["metadata"]["labels"]["pool"], "ci");
  EXPECT_EQ(o["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(o["spec"]["unschedulable"], true);
  ASSERT_EQ(o["spec"]["taints"].size(), 2u);
  EXPECT_EQ(o["spec"]["taints"][1]["key"], "node.kubernetes.io/unschedulable");
  EXPECT_EQ(o["status"]["capacity"]["memory"], "32Gi");
  EXPECT_EQ(o["status"]["capacity"]["pods"], "110");
  EXPECT_EQ(o["status"]["allocatable"]["cpu"], "7500m");
  EXPECT_EQ(o["status"]["allocatable"]["memory"], "32Gi");
  EXPECT_EQ(o["status"]["conditions"][3]["type"], "Ready");
  EXPECT_EQ(o["status"]["conditions"][3]["reason"], "KubeletReady");
  EXPECT_EQ(o["status"]["nodeInfo"]["architecture"], "arm64");
  EXPECT_EQ(o["status"]["nodeInfo"]["kubeletVersion"], "v1.30.0");
  EXPECT_EQ(o["status"]["addresses"][0]["address"], "10.0.0.20");
}

TEST(KubeNodeObject, ValidationNamesTheBadQuantity) {
  NodeSpec n;
  n.name = "x";
  n.capacity = {{"cpu", "four"}};
  const Status st = validate_node(n, "scenario.toml:3:1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "cpu = \"four\": quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST_F(KubeNodesTest, WithoutDeclaredNodesNode1TakesEveryPod) {
  const json nodes = call("/api/v1/nodes");
  EXPECT_EQ(nodes["kind"], "NodeList");
  ASSERT_EQ(nodes["items"].size(), 1u);
  EXPECT_EQ(nodes["items"][0]["metadata"]["name"], "node-1");
  EXPECT_EQ(call("/api/v1/nodes/node-1")["status"]["addresses"][0]["address"], "10.0.0.10");
  EXPECT_EQ(call("/api/v1/nodes/nope")["message"], "nodes \"nope\" not found");
  const std::string pod = create_pod("64");
  EXPECT_EQ(call("/api/v1/namespaces/ci/pods/" + pod)["spec"]["nodeName"], "node-1");
  EXPECT_TRUE(call("/api/v1/namespaces/ci/events")["items"].empty());
}

TEST_F(KubeNodesTest, UnschedulablePodWaitsForTheAutoscalersNode) {
  NodeSpec small;
  small.name = "small";
  small.capacity = {{"cpu", "1"}};
  server_.scheduler().add_node(small, clock_.now());
  NodeGroup group;
  group.name = "pool";
  group.node.capacity = {{"cpu", "8"}};
  group.scale_up = std::chrono::seconds(60);
  server_.scheduler().add_group(group);

  const std::string pod = create_pod("2");
  json p = call("/api/v1/namespaces/ci/pods/" + pod);
  EXPECT_FALSE(p["spec"].contains("nodeName"));
  EXPECT_EQ(p["status"]["phase"], "Pending");
  ASSERT_EQ(p["status"]["conditions"].size(), 1u);
  EXPECT_EQ(p["status"]["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(p["status"]["conditions"][0]["status"], "False");
  EXPECT_EQ(p["status"]["conditions"][0]["reason"], "Unschedulable");
  EXPECT_EQ(p["status"]["conditions"][0]["message"],
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims "
            "found for incoming pod.");
  json events = call("/api/v1/namespaces/ci/events?fieldSelector=type%3DWarning");
  ASSERT_EQ(events["items"].size(), 1u);
  EXPECT_EQ(events["items"][0]["reason"], "FailedScheduling");

  clock_.advance(std::chrono::seconds(61));
  p = call("/api/v1/namespaces/ci/pods/" + pod);
  EXPECT_EQ(p["spec"]["nodeName"], "pool-1");
  EXPECT_EQ(p["status"]["hostIP"], "10.0.0.11");
  EXPECT_EQ(call("/api/v1/nodes")["items"].size(), 2u);
  events = call("/api/v1/namespaces/ci/events");
  std::vector<std::string> reasons;
  for (const auto& e : events["items"]) reasons.push_back(e["reason"]);
  EXPECT_EQ(reasons, (std::vector<std::string>{"FailedScheduling", "TriggeredScaleUp", "Scheduled"}));
  EXPECT_EQ(events["items"][2]["message"], "Successfully assigned ci/" + pod + " to pool-1");

  // Deleting the pod frees the node.
  call("/api/v1/namespaces/ci/pods/" + pod, "DELETE");
  const std::string next = create_pod("7");
  EXPECT_EQ(call("/api/v1/namespaces/ci/pods/" + next)["spec"]["nodeName"], "pool-1");
}

}  // namespace
}  // namespace kexsim::fakes

namespace kexsim::fakes {
namespace {

TEST_F(KubeNodesTest, PodQuantitiesAreStoredCanonically) {
  const std::string pod = create_pod("0.5");
  EXPECT_EQ(call("/api/v1/namespaces/ci/pods/" + pod)["spec"]["containers"][0]["resources"]["requests"]["cpu"], "500m");
}

}  // namespace
}  // namespace kexsim::fakes

// kubectl's view of pods: the server-side printer's STATUS, READY and RESTARTS columns (printPod in
// kubernetes' pkg/printers/internalversion/printers.go) for the states the simulated kubelet produces.

#include "fakes/kube/table.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 56);

std::string at(std::chrono::seconds before_now) { return format_rfc3339(kNow - before_now); }

json table_pod(json spec, json status) {
  return {{"metadata", {{"name", "job"}, {"creationTimestamp", at(std::chrono::seconds(90))}}},
          {"spec", std::move(spec)},
          {"status", std::move(status)}};
}

json two_containers() { return {{"containers", {{{"name", "build"}}, {{"name", "helper"}}}}}; }

json running(bool ready = true) {
  return {{"state", {{"running", {{"startedAt", at(std::chrono::seconds(60))}}}}}, {"ready", ready}};
}

json waiting(const char* reason) { return {{"state", {{"waiting", {{"reason", reason}}}}}, {"ready", false}}; }

json terminated(const char* reason, int code) {
  return {{"state", {{"terminated", {{"reason", reason}, {"exitCode", code}}}}}, {"ready", false}};
}

json with_name(json status, const char* name) {
  status["name"] = name;
  return status;
}

std::string cell(const json& pod, size_t i) { return pod_cells(pod, kNow)[i].get<std::string>(); }

TEST(PodTableTest, ContainerCreatingAndRunning) {
  json creating = table_pod(
      two_containers(),
      {{"phase", "Pending"},
       {"containerStatuses",
        {with_name(waiting("ContainerCreating"), "build"), with_name(waiting("ContainerCreating"), "helper")}}});
  EXPECT_EQ(cell(creating, 1), "0/2");
  EXPECT_EQ(cell(creating, 2), "ContainerCreating");
  EXPECT_EQ(cell(creating, 3), "0");
  EXPECT_EQ(cell(creating, 4), "90s");
  json up = table_pod(
      two_containers(),
      {{"phase", "Running"}, {"containerStatuses", {with_name(running(), "build"), with_name(running(), "helper")}}});
  EXPECT_EQ(cell(up, 1), "2/2");
  EXPECT_EQ(cell(up, 2), "Running");
}

TEST(PodTableTest, AWaitingOrTerminatedContainerNamesTheStatus) {
  for (const char* reason : {"ErrImagePull", "ImagePullBackOff", "CreateContainerConfigError", "InvalidImageName"}) {
    json p = table_pod(two_containers(),
                       {{"phase", "Pending"},
                        {"containerStatuses",
                         {with_name(waiting(reason), "build"), with_name(waiting("ContainerCreating"), "helper")}}});
    EXPECT_EQ(cell(p, 2), reason);  // the first container in spec order wins (the walk goes backwards)
  }
  json oom = table_pod(
      two_containers(),
      {{"phase", "Running"},
       {"containerStatuses", {with_name(terminated("OOMKilled", 137), "build"), with_name(running(), "helper")}}});
  EXPECT_EQ(cell(oom, 1), "1/2");
  EXPECT_EQ(cell(oom, 2), "OOMKilled");
  json failed =
      table_pod(two_containers(),
                {{"phase", "Failed"},
                 {"containerStatuses",
                  {with_name(terminated("Error", 1), "build"), with_name(terminated("Completed", 0), "helper")}}});
  EXPECT_EQ(cell(failed, 2), "Error");
  json done =
      table_pod(two_containers(),
                {{"phase", "Succeeded"},
                 {"containerStatuses",
                  {with_name(terminated("Completed", 0), "build"), with_name(terminated("Completed", 0), "helper")}}});
  EXPECT_EQ(cell(done, 2), "Completed");
  EXPECT_EQ(pod_table({done}, kNow, "7")["rows"][0]["conditions"][0]["message"], "The pod has completed successfully.");
}

TEST(PodTableTest, CompletedWithARunningContainerIsRunningOrNotReady) {
  json status = {
      {"phase", "Running"},
      {"conditions", {{{"type", "Ready"}, {"status", "False"}}}},
      {"containerStatuses", {with_name(terminated("Completed", 0), "build"), with_name(running(), "helper")}}};
  EXPECT_EQ(cell(table_pod(two_containers(), status), 2), "NotReady");
  status["conditions"][0]["status"] = "True";
  EXPECT_EQ(cell(table_pod(two_containers(), status), 2), "Running");
}

TEST(PodTableTest, CrashLoopBackOffCountsRestartsWithTheLastOnesAge) {
  json loop = waiting("CrashLoopBackOff");
  loop["name"] = "build";
  loop["restartCount"] = 3;
  loop["lastState"] = {
      {"terminated", {{"reason", "Error"}, {"exitCode", 255}, {"finishedAt", at(std::chrono::seconds(40))}}}};
  json p = table_pod(two_containers(),
                     {{"phase", "Running"}, {"containerStatuses", {loop, with_name(running(), "helper")}}});
  EXPECT_EQ(cell(p, 1), "1/2");
  EXPECT_EQ(cell(p, 2), "CrashLoopBackOff");
  EXPECT_EQ(cell(p, 3), "3 (40s ago)");
}

TEST(PodTableTest, InitContainersShowProgressThenPodInitializing) {
  json spec = two_containers();
  spec["initContainers"] = {{{"name", "init-permissions"}}};
  json statuses = {with_name(waiting("PodInitializing"), "build"), with_name(waiting("PodInitializing"), "helper")};
  json pending =
      table_pod(spec, {{"phase", "Pending"},
                       {"conditions", {{{"type", "Initialized"}, {"status", "False"}}}},
                       {"initContainerStatuses", {with_name(waiting("PodInitializing"), "init-permissions")}},
                       {"containerStatuses", statuses}});
  EXPECT_EQ(cell(pending, 2), "Init:0/1");
  json pulling = pending;
  pulling["status"]["initContainerStatuses"][0] = with_name(waiting("ErrImagePull"), "init-permissions");
  EXPECT_EQ(cell(pulling, 2), "Init:ErrImagePull");
  json init_failed = pending;
  init_failed["status"]["initContainerStatuses"][0] = with_name(terminated("", 2), "init-permissions");
  EXPECT_EQ(cell(init_failed, 2), "Init:ExitCode:2");
  json initialized = pending;
  initialized["status"]["conditions"][0]["status"] = "True";
  initialized["status"]["initContainerStatuses"][0] = with_name(terminated("Completed", 0), "init-permissions");
  EXPECT_EQ(cell(initialized, 2), "PodInitializing");
}

TEST(PodTableTest, ADeletedPodIsTerminatingUnlessItEnded) {
  json p = table_pod(
      two_containers(),
      {{"phase", "Running"}, {"containerStatuses", {with_name(running(), "build"), with_name(running(), "helper")}}});
  p["metadata"]["deletionTimestamp"] = at(std::chrono::seconds(1));
  EXPECT_EQ(cell(p, 2), "Terminating");
  p["status"]["reason"] = "NodeLost";
  EXPECT_EQ(cell(p, 2), "Unknown");
  p["status"].erase("reason");
  p["status"]["phase"] = "Succeeded";
  p["status"]["containerStatuses"] = {with_name(terminated("Completed", 0), "build"),
                                      with_name(terminated("Completed", 0), "helper")};
  EXPECT_EQ(cell(p, 2), "Completed");
}

TEST(PodTableTest, WideColumnsAndTableShape) {
  json p = table_pod(two_containers(), {{"phase", "Pending"}});
  EXPECT_EQ(cell(p, 2), "Pending");
  EXPECT_EQ(cell(p, 5), "<none>");  // IP
  EXPECT_EQ(cell(p, 6), "<none>");  // NODE
  p["spec"]["nodeName"] = "ci-1";
  p["status"]["podIPs"] = {{{"ip", "10.244.0.9"}}};
  EXPECT_EQ(cell(p, 5), "10.244.0.9");
  EXPECT_EQ(cell(p, 6), "ci-1");
  const json table = pod_table({p}, kNow, "12");
  EXPECT_EQ(table["kind"], "Table");
  ASSERT_EQ(table["columnDefinitions"].size(), 9u);
  EXPECT_EQ(table["columnDefinitions"][2]["name"], "Status");
  EXPECT_EQ(table["columnDefinitions"][5]["priority"], 1);
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
}

}  // namespace
}  // namespace kexsim::fakes

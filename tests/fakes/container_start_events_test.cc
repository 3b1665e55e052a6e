#include "fakes/kube/container_start_events.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json restarting_pod(int restarts) {
  return {
      {"metadata", {{"namespace", "ci"}, {"name", "job-pod"}, {"uid", "u-1"}, {"resourceVersion", "7"}}},
      {"spec", {{"nodeName", "node-a"}}},
      {"status",
       {{"initContainerStatuses",
         {{{"name", "init-permissions"},
           {"containerID", "containerd://1"},
           {"restartCount", 0},
           {"state", {{"terminated", {{"startedAt", "2026-01-01T00:00:01Z"}}}}}}}},
        {"containerStatuses",
         {{{"name", "build"},
           {"containerID", "containerd://2"},
           {"restartCount", restarts},
           {"state", {{"running", {{"startedAt", "2026-01-01T00:00:03Z"}}}}}},
          {{"name", "helper"}, {"restartCount", 0}, {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}}}}}}};
}

std::vector<std::string> messages(const EventLog& log) {
  std::vector<std::string> out;
  for (const json& e : log.list("ci"))
    out.push_back(e["reason"].get<std::string>() + " " + e["involvedObject"].value("fieldPath", "") + " " +
                  e["message"].get<std::string>() + " x" + std::to_string(e["count"].get<int>()));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ContainerStartEvents, CreatedWordingFollowsTheKubeletRelease) {
  EXPECT_EQ(created_container_message("build", 30), "Created container build");
  EXPECT_EQ(created_container_message("build", 31), "Created container: build");
  EXPECT_EQ(started_container_message("build"), "Started container build");
}

TEST(ContainerStartEvents, RecordsEachStartedContainerOnce) {
  ContainerStartEvents starts;
  EventLog log;
  starts.record(restarting_pod(0), 33, log, "8");
  starts.record(restarting_pod(0), 33, log, "9");
  EXPECT_EQ(messages(log), (std::vector<std::string>{
                               "Created spec.containers{build} Created container: build x1",
                               "Created spec.initContainers{init-permissions} Created container: init-permissions x1",
                               "Started spec.containers{build} Started container build x1",
                               "Started spec.initContainers{init-permissions} Started container init-permissions x1",
                           }));
}

TEST(ContainerStartEvents, ARestartCountsTheEventsOn) {
  ContainerStartEvents starts;
  EventLog log;
  starts.record(restarting_pod(0), 29, log, "8");
  starts.record(restarting_pod(1), 29, log, "9");
  const auto got = messages(log);
  EXPECT_NE(std::find(got.begin(), got.end(), "Created spec.containers{build} Created container build x2"), got.end());
  starts.forget("u-1");
  starts.record(restarting_pod(1), 29, log, "10");
  const auto again = messages(log);
  EXPECT_NE(std::find(again.begin(), again.end(), "Started spec.containers{build} Started container build x3"),
            again.end());
}

}  // namespace
}  // namespace kexsim::fakes

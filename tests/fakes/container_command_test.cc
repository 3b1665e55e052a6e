// A container's own command (fakes/kube/container_command.h): `kubectl run x -- sh -c '…'` runs its
// script when the container starts, its exit ends the container, restartPolicy and the crash-loop
// back-off restart it, and `pods/log` (previous too) reads each run's own log.

#include "fakes/kube/container_command.h"

#include <gtest/gtest.h>

#include "tests/fakes/admin_api_test.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

CommandRun ran(int start, int end, int code) {
  CommandRun r;
  r.start = TimePoint(seconds(start));
  r.end = TimePoint(seconds(end));
  r.exit_code = code;
  return r;
}

TEST(ContainerCommand, WhichContainersRunTheirOwnCommand) {
  EXPECT_TRUE(runs_own_command(json{{"name", "x"}, {"image", "alpine"}, {"args", {"sh", "-c", "echo hi"}}}));
  EXPECT_TRUE(runs_own_command(json{{"name", "x"}, {"image", "alpine"}, {"command", {"sleep", "5"}}}));
  // The executor's containers read stdin (attach, exec): their shell waits for what is typed.
  EXPECT_FALSE(runs_own_command(json{{"name", "build"}, {"stdin", true}, {"command", {"sh", "-c", "x"}}}));
  // No command: the image's entrypoint, which the model does not know, keeps running.
  EXPECT_FALSE(runs_own_command(json{{"name", "x"}, {"image", "alpine"}}));
  // docker:dind's entrypoint is the service model's.
  EXPECT_FALSE(runs_own_command(json{{"name", "svc-0"}, {"image", "docker:24-dind"}, {"args", {"--tls=false"}}}));
  EXPECT_EQ(container_argv(json{{"command", {"sh", "-c"}}, {"args", {"echo hi"}}}),
            (std::vector<std::string>{"sh", "-c", "echo hi"}));
}

TEST(ContainerCommand, RestartPolicyAndTheKubeletBackOff) {
  std::vector<CommandRun> runs = {ran(0, 2, 3)};
  EXPECT_FALSE(next_restart(runs, "Never"));
  // The first restart is immediate; then 10 s, 20 s, 40 s after each exit.
  auto next = next_restart(runs, "OnFailure");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->first, TimePoint(seconds(2)));
  EXPECT_EQ(next->second, Duration(0));
  runs.push_back(ran(2, 4, 3));
  next = next_restart(runs, "Always");
  EXPECT_EQ(next->first, TimePoint(seconds(14)));
  EXPECT_EQ(next->second, Duration(seconds(10)));
  runs.push_back(ran(14, 16, 3));
  EXPECT_EQ(next_restart(runs, "Always")->first, TimePoint(seconds(36)));
  // OnFailure stops at a clean exit; Always restarts it too.
  runs.push_back(ran(36, 38, 0));
  EXPECT_FALSE(next_restart(runs, "OnFailure"));
  EXPECT_EQ(next_restart(runs, "Always")->second, Duration(seconds(40)));
  // A run that outlives twice the maximum back-off (10 min) starts the back-off over: restarted at once.
  runs.push_back(ran(78, 78 + 700, 1));
  EXPECT_EQ(next_restart(runs, "Always")->second, Duration(0));
}

class OwnCommandTest : public api_testing::AdminApiTest {
 protected:
  OwnCommandTest() : AdminApiTest(1) {}

  // kubectl run x --image=alpine --restart=POLICY -- sh -c SCRIPT
  void run(const std::string& policy, const std::string& script) {
    create_pod("x", {{"restartPolicy", policy},
                     {"containers", {{{"name", "x"}, {"image", "alpine"}, {"args", {"sh", "-c", script}}}}}});
  }

  json pod() { return get_pod("x"); }
  json container() { return pod()["status"]["containerStatuses"][0]; }
  std::string log(bool previous = false) {
    std::vector<std::pair<std::string, std::string>> q;
    if (previous) q.emplace_back("previous", "true");
    return call("GET", "/api/v1/namespaces/ci/pods/x/log", "", q).body;
  }

};

TEST_F(OwnCommandTest, NeverRunsOnceAndTheExitEndsThePod) {
  run("Never", "echo hi; echo oops >&2; sleep 3; exit 3");
  clock_.advance(seconds(7));  // started at 6 s (the kubelet's pending stage)
  EXPECT_EQ(container()["state"].begin().key(), "running");
  EXPECT_EQ(log(), "hi\noops\n");
  clock_.advance(seconds(5));
  const json status = pod()["status"];
  EXPECT_EQ(status["phase"], "Failed");
  const json& terminated = status["containerStatuses"][0]["state"]["terminated"];
  EXPECT_EQ(terminated["exitCode"], 3);
  EXPECT_EQ(terminated["reason"], "Error");
  EXPECT_EQ(log(), "hi\noops\n");  // a terminated container's log is still there
  EXPECT_EQ(json::parse(log(true))["message"], R"(previous terminated container "x" in pod "x" not found)");
}

TEST_F(OwnCommandTest, CompletedSucceeds) {
  run("Never", "echo done");
  clock_.advance(seconds(7));
  EXPECT_EQ(pod()["status"]["phase"], "Succeeded");
  EXPECT_EQ(container()["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(log(), "done\n");
}

TEST_F(OwnCommandTest, AlwaysCrashLoopsAndPreviousIsTheRunBefore) {
  run("Always", "echo \"run at $(date +%s)\"; exit 1");
  clock_.advance(seconds(6));
  // Exited at once and restarted at once (restartCount 1), exited again: back-off 10 s.
  json c = container();
  EXPECT_EQ(c["restartCount"], 1);
  EXPECT_EQ(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_NE(c["state"]["waiting"]["message"].get<std::string>().find("back-off 10s restarting failed container=x pod=x_ci("),
            std::string::npos);
  EXPECT_EQ(c["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(pod()["status"]["phase"], "Running");
  // Waiting out the back-off, the current log and previous are the run that just ended.
  EXPECT_EQ(log(), log(true));
  clock_.advance(seconds(10));
  c = container();
  EXPECT_EQ(c["restartCount"], 2);
  EXPECT_EQ(c["state"]["waiting"]["message"].get<std::string>().substr(0, 12), "back-off 20s");
  bool back_off = false;
  const json events = json::parse(call("GET", "/api/v1/namespaces/ci/events").body);
  for (const json& e : events["items"])
    if (e["reason"] == "BackOff") {
      back_off = true;
      EXPECT_EQ(e["type"], "Warning");
      EXPECT_EQ(e["count"], 2);  // one per wait: after the second exit (at 6 s) and the third (16 s)
      EXPECT_NE(e["message"].get<std::string>().find("Back-off restarting failed container x in pod x_ci("),
                std::string::npos);
    }
  EXPECT_TRUE(back_off);
}

TEST_F(OwnCommandTest, OnFailureRestartsAFailureButNotASuccess) {
  run("OnFailure", "echo failing; exit 2");
  clock_.advance(seconds(6));
  json c = container();
  EXPECT_EQ(c["restartCount"], 1);
  EXPECT_EQ(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(c["lastState"]["terminated"]["exitCode"], 2);
  EXPECT_EQ(log(true), "failing\n");
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/ci/pods/x").status, 200);
  run("OnFailure", "echo fine");
  clock_.advance(seconds(6));
  c = container();
  EXPECT_EQ(c["restartCount"], 0);
  EXPECT_EQ(c["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(pod()["status"]["phase"], "Succeeded");
}

}  // namespace
}  // namespace kexsim::fakes

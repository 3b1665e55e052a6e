// The kubelet beyond the happy path, through the fake API server: an OOM-killed container in the
// pod status, activeDeadlineSeconds, a secret volume whose Secret is missing, RunOnceDurationOverride.

#include "fakes/kube/container_states.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/fakes/admin_api_test.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class ContainerStatesTest : public api_testing::AdminApiTest {
 protected:
  ContainerStatesTest() { worlds_.commands["hog"] = api_testing::memory_hog(); }

  std::string create(json spec) { return create_pod("job", std::move(spec)); }
  json pod() { return get_pod("job"); }
  static json two_containers(const std::string& build_limit) { return build_and_helper(build_limit); }

  // Runs script in the container (sh -c) and returns the exec's outcome.
  ExecOutcome exec(const std::string& container, const std::string& script) {
    HttpResponse response = exec_request("job", container, script);
    last_exec_status_ = response.status;
    if (!response.exec) return {};
    return response.exec("");
  }

  static const json& condition(const json& pod, const std::string& type) {
    for (const json& c : pod["status"]["conditions"])
      if (c["type"] == type) return c;
    static const json kNone;
    return kNone;
  }

  std::vector<std::string> events() {
    std::vector<std::string> out;
    for (const json& e : server_.events().list("ci"))
      out.push_back(e["type"].get<std::string>() + " " + e["reason"].get<std::string>() + " " +
                    e["message"].get<std::string>() + " x" + std::to_string(e.value("count", 1)));
    return out;
  }

  int last_exec_status_ = 0;
};

TEST_F(ContainerStatesTest, AGroupOomKillTerminatesTheContainerOOMKilled) {
  server_.set_oom_policy({2, false, 33});
  create(two_containers("64Mi"));
  clock_.advance(seconds(6));  // running
  const ExecOutcome outcome = exec("build", "echo start; hog; echo never");
  EXPECT_EQ(outcome.status_json, exec_status_json(137, {"sh", "-c", "echo start; hog; echo never"}));
  std::string out;
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_EQ(out, "start\nlinking\n");

  // Until the kill the pod looks as before; afterwards build is terminated, helper runs on.
  EXPECT_TRUE(status_of(pod(), "build")["state"].contains("running"));
  clock_.advance(seconds(10));
  const json after = pod();
  const json& build = status_of(after, "build");
  ASSERT_TRUE(build["state"].contains("terminated")) << build.dump();
  EXPECT_EQ(build["state"]["terminated"]["reason"], "OOMKilled");
  EXPECT_EQ(build["state"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(build["ready"], false);
  EXPECT_TRUE(status_of(after, "helper")["state"].contains("running"));
  EXPECT_EQ(after["status"]["phase"], "Running");
  EXPECT_EQ(condition(after, "Ready")["status"], "False");
  EXPECT_EQ(condition(after, "ContainersReady")["message"], "containers with unready status: [build]");

  // The runner's next exec into build finds no container.
  exec("build", "true");
  EXPECT_EQ(last_exec_status_, 400);
}

TEST_F(ContainerStatesTest, ASingleProcessKillLeavesTheContainerRunning) {
  server_.set_oom_policy({2, true, 33});
  create(two_containers("64Mi"));
  clock_.advance(seconds(6));
  const ExecOutcome outcome = exec("build", "hog; echo \"status $?\"");
  std::string out;
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_EQ(out, "linking\nstatus 137\n");
  clock_.advance(seconds(30));
  EXPECT_TRUE(status_of(pod(), "build")["state"].contains("running"));
  exec("build", "true");
  EXPECT_EQ(last_exec_status_, 101);
}

TEST_F(ContainerStatesTest, ActiveDeadlineFailsThePodAndKillsItsProcessesAfterTheGracePeriod) {
  json spec = two_containers("1Gi");
  spec["activeDeadlineSeconds"] = 20;
  create(spec);
  clock_.advance(seconds(6));
  const ExecOutcome outcome = exec("build", "echo go; sleep 100; echo done");
  // Killed at 20 s + 30 s grace from the pod's start, 44 s into the exec.
  EXPECT_EQ(outcome.duration, seconds(44));
  EXPECT_EQ(outcome.status_json, exec_status_json(137, {"sh", "-c", "echo go; sleep 100; echo done"}));

  clock_.advance(seconds(14));  // t = 20
  json failed = pod();
  EXPECT_EQ(failed["status"]["phase"], "Failed");
  EXPECT_EQ(failed["status"]["reason"], "DeadlineExceeded");
  EXPECT_EQ(failed["status"]["message"], "Pod was active on the node longer than the specified deadline");
  EXPECT_TRUE(status_of(failed, "build")["state"].contains("running"));  // still in its grace period
  EXPECT_EQ(condition(failed, "Ready")["reason"], "PodFailed");
  // The kubelet's Created and Started are recorded as the containers start (fakes/kube/container_start_events.h).
  EXPECT_EQ(events(),
            (std::vector<std::string>{
                "Normal Created Created container: build x1", "Normal Started Started container build x1",
                "Normal Created Created container: helper x1", "Normal Started Started container helper x1",
                "Normal DeadlineExceeded Pod was active on the node longer than the specified deadline x1",
                "Normal Killing Stopping container build x1", "Normal Killing Stopping container helper x1"}));

  clock_.advance(seconds(30));  // t = 50
  failed = pod();
  EXPECT_EQ(status_of(failed, "build")["state"]["terminated"]["reason"], "Error");
  EXPECT_EQ(status_of(failed, "build")["state"]["terminated"]["exitCode"], 137);
}

TEST_F(ContainerStatesTest, AMissingSecretVolumeKeepsThePodCreatingWithFailedMount) {
  server_.set_oom_policy({2, false, 30});
  json spec = two_containers("1Gi");
  spec["volumes"] = {{{"name", "creds"}, {"secret", {{"secretName", "db-creds"}}}}};
  create(spec);
  clock_.advance(seconds(60));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Pending");
  EXPECT_EQ(status_of(p, "build")["state"]["waiting"]["reason"], "ContainerCreating");
  // Retries at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: one event, counted.
  EXPECT_EQ(
      events(),
      (std::vector<std::string>{
          R"(Warning FailedMount MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found x7)"}));
  clock_.advance(seconds(63));  // t = 123
  pod();                        // events are recorded as requests come
  const std::vector<std::string> later = events();
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[1],
            "Warning FailedMount Unable to attach or mount volumes: unmounted volumes=[creds], unattached volumes=[], "
            "failed to process volumes=[]: context deadline exceeded x1");
  exec("build", "true");
  EXPECT_EQ(last_exec_status_, 400);
}

TEST_F(ContainerStatesTest, APresentSecretIsMountedAsFiles) {
  seed_secret("db-creds", "password", "s3cr3t");
  json spec = two_containers("1Gi");
  spec["volumes"] = {{{"name", "creds"}, {"secret", {{"secretName", "db-creds"}}}}};
  spec["containers"][0]["volumeMounts"] = {{{"name", "creds"}, {"mountPath", "/etc/creds"}}};
  create(spec);
  clock_.advance(seconds(6));
  const ExecOutcome outcome = exec("build", "cat /etc/creds/password");
  std::string out;
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_EQ(out, "s3cr3t");
}

TEST_F(ContainerStatesTest, RunOnceDurationOverrideCapsTheDeadlineOfRunOncePods) {
  server_.set_run_once_deadline(600);
  json spec = two_containers("1Gi");
  spec["activeDeadlineSeconds"] = 3601;
  EXPECT_EQ(json::parse(create(spec))["spec"]["activeDeadlineSeconds"], 600);

  json pod = {{"spec", {{"restartPolicy", "Always"}}}};
  apply_run_once_deadline(pod, 600);
  EXPECT_FALSE(pod["spec"].contains("activeDeadlineSeconds"));
  pod = {{"spec", {{"restartPolicy", "OnFailure"}, {"activeDeadlineSeconds", 60}}}};
  apply_run_once_deadline(pod, 600);
  EXPECT_EQ(pod["spec"]["activeDeadlineSeconds"], 60);
}

TEST_F(ContainerStatesTest, EnvFromAMissingSecretKeyIsACreateContainerConfigError) {
  seed_secret("db-creds", "pass", "s3cr3t");
  json spec = two_containers("1Gi");
  spec["containers"][0]["env"] = {
      {{"name", "DB_PASSWORD"}, {"valueFrom", {{"secretKeyRef", {{"name", "db-creds"}, {"key", "password"}}}}}}};
  create(spec);
  clock_.advance(seconds(20));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Pending");
  const json& waiting = status_of(p, "build")["state"]["waiting"];
  EXPECT_EQ(waiting["reason"], "CreateContainerConfigError");
  EXPECT_EQ(waiting["message"], "couldn't find key password in Secret ci/db-creds");
  EXPECT_TRUE(status_of(p, "helper")["state"].contains("running"));
  EXPECT_EQ(condition(p, "ContainersReady")["message"], "containers with unready status: [build]");
  // Syncs at 6 s and 16 s.
  EXPECT_EQ(events(), (std::vector<std::string>{
                          "Normal Created Created container: helper x1", "Normal Started Started container helper x1",
                          "Warning Failed Error: couldn't find key password in Secret ci/db-creds x2"}));

  json missing = {{"metadata", {{"namespace", "ci"}}}};
  const SecretLookup none = [](const std::string&, const std::string&) -> const json* { return nullptr; };
  EXPECT_EQ(container_config_error(missing, spec["containers"][0], none), R"(secret "db-creds" not found)");
  EXPECT_EQ(container_config_error(missing, spec["containers"][1], none), std::nullopt);
}

TEST_F(ContainerStatesTest, EnvFromASecretReachesTheProcess) {
  seed_secret("db-creds", "password", "s3cr3t");
  json spec = two_containers("1Gi");
  spec["containers"][0]["env"] = {
      {{"name", "DB_PASSWORD"}, {"valueFrom", {{"secretKeyRef", {{"name", "db-creds"}, {"key", "password"}}}}}}};
  create(spec);
  clock_.advance(seconds(6));
  EXPECT_EQ(pod()["status"]["phase"], "Running");
  const ExecOutcome outcome = exec("build", "echo \"$DB_PASSWORD\"");
  std::string out;
  for (const auto& chunk : outcome.output) out += chunk.data;
  EXPECT_EQ(out, "s3cr3t\n");
}

TEST_F(ContainerStatesTest, ABrokenCniFailsEverySandboxWithANewId) {
  server_.set_sandbox_failure({"aws-cni", "aws-cni", "add cmd: failed to assign an IP address to container"});
  create(two_containers("1Gi"));
  clock_.advance(seconds(35));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Pending");
  EXPECT_EQ(condition(p, "PodReadyToStartContainers")["status"], "False");
  const std::vector<json> list = server_.events().list("ci");
  ASSERT_EQ(list.size(), 3u);  // attempts at 0, 10 and 30 s
  std::set<std::string> messages;
  for (const json& e : list) {
    EXPECT_EQ(e["reason"], "FailedCreatePodSandBox");
    EXPECT_EQ(e["type"], "Warning");
    messages.insert(e["message"].get<std::string>());
  }
  EXPECT_EQ(messages.size(), 3u);
  const std::string first = list[0]["message"];
  const std::string prefix =
      "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"";
  ASSERT_EQ(first.rfind(prefix, 0), 0u) << first;
  EXPECT_EQ(first.substr(prefix.size() + 64),
            "\": plugin type=\"aws-cni\" name=\"aws-cni\" failed (add): add cmd: failed to assign an IP address to "
            "container");
  EXPECT_EQ(
      sandbox_failure_message({"calico", "", "boom"}, "ab"),
      "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"ab\": "
      "plugin type=\"calico\" failed (add): boom");
}

TEST(CrashLoopTest, RestartsAtOnceThenBacksOffTenSecondsDoublingToFiveMinutes) {
  const TimePoint t0 = TimePoint{} + seconds(1000);
  CrashLoop at_once = crash_loop_at(t0, t0);
  EXPECT_EQ(at_once.restarts, 1);
  EXPECT_EQ(at_once.back_off, seconds(10));
  EXPECT_EQ(crash_loop_at(t0, t0 + seconds(9)).restarts, 1);
  const CrashLoop second = crash_loop_at(t0, t0 + seconds(10));
  EXPECT_EQ(second.restarts, 2);
  EXPECT_EQ(second.last_exit, t0 + seconds(10));
  EXPECT_EQ(second.back_off, seconds(20));
  EXPECT_EQ(crash_loop_at(t0, t0 + seconds(30)).back_off, seconds(40));
  // 10+20+40+80+160 = 310 s: the sixth restart, whose back-off is capped at 5 min.
  const CrashLoop capped = crash_loop_at(t0, t0 + seconds(310));
  EXPECT_EQ(capped.restarts, 6);
  EXPECT_EQ(capped.back_off, seconds(300));
  EXPECT_EQ(crash_loop_at(t0, t0 + seconds(610)).back_off, seconds(300));
  EXPECT_EQ(crash_loop_at(t0, t0 + seconds(610)).restarts, 7);
}

TEST(CrashLoopTest, ExecFormatExitCodeFollowsTheRuncRelease) {
  EXPECT_EQ(exec_format_exit_code(31), 1);
  EXPECT_EQ(exec_format_exit_code(32), 255);
}

// A single linux/arm64 manifest on the (amd64) node: pulled, then the build container cannot exec.
class WrongArchTest : public ContainerStatesTest {
 protected:
  WrongArchTest() {
    ImageSettings settings;
    Registry registry;
    registry.host = "registry.example.com";
    registry.pull_time = seconds(2);
    RegistryImage image{"acme/app", {"1"}, {"linux/arm64"}, 1000};
    image.index = false;
    registry.images.push_back(image);
    RegistryImage helper{"helper", {}, {"linux/amd64"}, 1000};
    registry.images.push_back(helper);
    settings.registries.push_back(registry);
    server_.images().configure(settings, 33);
  }
  static json spec(const char* restart_policy) {
    return {{"restartPolicy", restart_policy},
            {"containers",
             {{{"name", "build"}, {"image", "registry.example.com/acme/app:1"}},
              {{"name", "helper"}, {"image", "registry.example.com/helper:1"}}}}};
  }
};

TEST_F(WrongArchTest, UnderRestartPolicyNeverTheContainerEndsWithError) {
  create(spec("Never"));
  clock_.advance(seconds(30));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Running");  // helper runs on
  const json& build = status_of(p, "build");
  EXPECT_EQ(build["state"]["terminated"]["reason"], "Error");
  EXPECT_EQ(build["state"]["terminated"]["exitCode"], 255);
  EXPECT_EQ(build["ready"], false);
  EXPECT_EQ(condition(p, "ContainersReady")["message"], "containers with unready status: [build]");
  EXPECT_TRUE(status_of(p, "helper")["state"]["running"].is_object());
}

TEST_F(WrongArchTest, OtherwiseTheKubeletCrashLoopsWithBackOffEvents) {
  create(spec("OnFailure"));
  clock_.advance(seconds(8));
  const json first = pod();
  const json& build = status_of(first, "build");
  ASSERT_EQ(build["state"]["waiting"]["reason"], "CrashLoopBackOff") << build.dump();
  const std::string uid = first["metadata"]["uid"];
  EXPECT_EQ(build["state"]["waiting"]["message"],
            "back-off 10s restarting failed container=build pod=job_ci(" + uid + ")");
  EXPECT_EQ(build["restartCount"], 1);
  EXPECT_EQ(build["lastState"]["terminated"]["exitCode"], 255);
  clock_.advance(seconds(35));  // two more restarts (after 10 s and 20 s)
  const json later = pod();
  EXPECT_EQ(status_of(later, "build")["restartCount"], 3);
  EXPECT_EQ(status_of(later, "build")["state"]["waiting"]["message"],
            "back-off 40s restarting failed container=build pod=job_ci(" + uid + ")");
  EXPECT_EQ(later["status"]["phase"], "Running");
  const std::vector<std::string> recorded = events();
  EXPECT_NE(std::find(recorded.begin(), recorded.end(),
                      "Warning BackOff Back-off restarting failed container build in pod job_ci(" + uid + ") x3"),
            recorded.end())
      << ::testing::PrintToString(recorded);
}

TEST_F(WrongArchTest, AnInitContainerOfAnotherPlatformFailsThePodUnderNever) {
  json s = spec("Never");
  s["containers"][0]["image"] = "registry.example.com/helper:1";
  s["initContainers"] = {{{"name", "init-permissions"}, {"image", "registry.example.com/acme/app:1"}}};
  create(s);
  clock_.advance(seconds(30));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Failed");
  const json& init = p["status"]["initContainerStatuses"][0];
  EXPECT_EQ(init["state"]["terminated"]["reason"], "Error");
  EXPECT_EQ(init["state"]["terminated"]["exitCode"], 255);
  EXPECT_EQ(status_of(p, "build")["state"]["waiting"]["reason"], "PodInitializing");
  EXPECT_EQ(condition(p, "Initialized")["message"], "containers with incomplete status: [init-permissions]");
  EXPECT_EQ(condition(p, "Ready")["reason"], "PodFailed");
}

TEST_F(WrongArchTest, AnInitContainerOfAnotherPlatformCrashLoopsUnderAlways) {
  json s = spec("Always");
  s["containers"][0]["image"] = "registry.example.com/helper:1";
  s["initContainers"] = {{{"name", "init-permissions"}, {"image", "registry.example.com/acme/app:1"}}};
  create(s);
  clock_.advance(seconds(30));
  const json p = pod();
  EXPECT_EQ(p["status"]["phase"], "Pending");
  const json& init = p["status"]["initContainerStatuses"][0];
  EXPECT_EQ(init["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(init["restartCount"], 2);  // at once, then after 10 s
  EXPECT_EQ(condition(p, "ContainersReady")["message"], "containers with unready status: [build helper]");
}

}  // namespace
}  // namespace kexsim::fakes

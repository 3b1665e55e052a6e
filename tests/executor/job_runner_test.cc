// Execution's last duties under a crash: an exception thrown in a stage must still end in pod and
// secret cleanup and a failed final update to GitLab (GitLab Runner recovers a panicking build into
// a "panic: ..." system failure, common/build.go, and its Cleanup is deferred). Driven through the
// real fakes, as the harness runs a scenario, with JobRunnerOptions::before_stage as the seam.

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "base/files.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/runner.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/sim_dialer.h"
#include "sim/virtual_clock.h"
#include "sim/world.h"

namespace kexsim::executor {
namespace {

/// What a run with a throwing stage left behind.
struct CrashRun {
  std::string crash;  ///< the exception that reached the runner's caller
  std::string job_state, failure_reason, trace;
  std::vector<std::string> kube_calls, pods_left, secrets_left;
};

/// Runs a scenario of the library with before_stage throwing when `stage` begins.
CrashRun run_with_throw_at(const std::string& scenario_file, const std::string& stage) {
  CrashRun out;
  auto scenario = sim::load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + scenario_file);
  EXPECT_TRUE(scenario) << scenario.error().describe();
  if (!scenario) return out;
  auto config = parse_config(scenario->runner_config, scenario->path, scenario->runner_config_line - 1);
  EXPECT_TRUE(config) << config.error().describe();
  if (!config) return out;

  boost::asio::io_context io;
  TimePoint start;
  parse_rfc3339("2026-01-01T09:00:00Z", start);
  sim::VirtualClock clock(io, start);
  auto world = sim::SimWorld::start(*scenario, scenario->seed, io, clock);
  EXPECT_TRUE(world) << world.error().describe();
  if (!world) return out;

  TempDir dir("kexsim-crash-test");
  EXPECT_TRUE(write_file(dir.file("token"), (*world)->runner_token()));
  EXPECT_TRUE(write_file(dir.file("ca.crt"), (*world)->ca().cert_pem()));
  ExecutorEnvironment env;
  env.hostname = "gitlab-runner-0";
  env.system_id = "r_000000000000";
  env.in_cluster.env = {{"KUBERNETES_SERVICE_HOST", sim::kKubeAddress}, {"KUBERNETES_SERVICE_PORT", "443"}};
  env.in_cluster.service_account_dir = dir.path().string();
  env.job_options.before_stage = [stage](std::string_view now) {
    if (now == stage) throw std::runtime_error("injected by the test at " + std::string(now));
  };
  Random random(scenario->seed);
  sim::SimDialer dialer((*world)->network(), clock, (*world)->ca().cert_pem());
  Runner runner(io.get_executor(), clock, random, dialer, *config, env);

  bool done = false;
  boost::asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { (void)co_await runner.run_until_idle(); },
      [&](std::exception_ptr ep) {
        done = true;
        if (!ep) return;
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          out.crash = e.what();
        }
      });
  auto ran = clock.run_until([&] { return done; }, std::chrono::hours(1));
  EXPECT_TRUE(ran) << ran.error().describe();
  (*world)->stop();
  io.restart();
  io.poll();

  const auto& jobs = (*world)->gitlab().jobs();
  EXPECT_FALSE(jobs.empty());
  if (!jobs.empty()) {
    out.job_state = jobs.front().state;
    out.failure_reason = jobs.front().failure_reason;
    out.trace = jobs.front().trace;
  }
  out.kube_calls = (*world)->kube().call_log();
  for (const auto& ns : (*world)->namespaces()) {
    for (const auto& name : (*world)->kube().names("pods", ns)) out.pods_left.push_back(ns + "/" + name);
    for (const auto& name : (*world)->kube().names("secrets", ns)) out.secrets_left.push_back(ns + "/" + name);
  }
  return out;
}

bool has_call(const std::vector<std::string>& calls, const std::string& prefix) {
  for (const auto& c : calls)
    if (c.rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(JobRunnerTest, AThrowingStageStillDeletesThePodAndFailsTheJob) {
  // Given a job whose get_sources stage throws after the pod is up,
  const CrashRun run = run_with_throw_at("basics/hello.toml", "get_sources");
  // the exception still reaches the caller, as an infrastructure error,
  EXPECT_EQ(run.crash, "injected by the test at get_sources");
  // the pod is deleted and nothing is left,
  EXPECT_TRUE(has_call(run.kube_calls, "DELETE /api/v1/namespaces/"));
  EXPECT_TRUE(run.pods_left.empty());
  // and GitLab receives the failed state with a system failure, as for a recovered Go panic.
  EXPECT_EQ(run.job_state, "failed");
  EXPECT_EQ(run.failure_reason, "runner_system_failure");
  EXPECT_NE(run.trace.find("Job failed (system failure): panic: injected by the test at get_sources"),
            std::string::npos)
      << run.trace;
}

TEST(JobRunnerTest, AThrowInPrepareStillSendsTheFinalUpdate) {
  // Given a throw before any pod exists, there is nothing to delete, but GitLab still hears "failed".
  const CrashRun run = run_with_throw_at("basics/hello.toml", "prepare_executor");
  EXPECT_EQ(run.crash, "injected by the test at prepare_executor");
  EXPECT_FALSE(has_call(run.kube_calls, "POST"));
  EXPECT_EQ(run.job_state, "failed");
  EXPECT_EQ(run.failure_reason, "runner_system_failure");
}

TEST(JobRunnerTest, AThrowAfterTheSecretIsMadeCleansUpPodAndSecret) {
  // rbac/secrets-allowed creates a registry secret owned by the pod; a throw in step_script must
  // leave neither behind.
  const CrashRun run = run_with_throw_at("rbac/secrets-allowed.toml", "step_script");
  EXPECT_EQ(run.crash, "injected by the test at step_script");
  EXPECT_TRUE(run.pods_left.empty());
  EXPECT_TRUE(run.secrets_left.empty()) << run.secrets_left.front();
  EXPECT_EQ(run.job_state, "failed");
}

TEST(JobRunnerTest, AFailedSecretAdoptionFailsTheJobAndCleansUp) {
  // 19.4's setupBuildPod fails the job when the ownerReferences update is refused; the scenario
  // expects the error line, the failed state, and neither pod nor secret left behind.
  auto scenario = sim::load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/tests/data/secret-adoption-forbidden.toml");
  ASSERT_TRUE(scenario) << scenario.error().describe();
  auto run = sim::run_scenario(*scenario);
  ASSERT_TRUE(run) << run.error().describe();
  for (const auto& verdict : run->verdicts)
    EXPECT_TRUE(verdict.passed) << verdict.expectation << ": " << verdict.actual;
  EXPECT_TRUE(run->passed()) << run->error;
}

}  // namespace
}  // namespace kexsim::executor

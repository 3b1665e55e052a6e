// The cancellation and timeout state machine of a job's run (network/trace.go Cancel/Abort,
// common/build.go Run and executeUserScripts), driven through the real fakes as a scenario runs:
// where the cancel lands decides what stops, and the remote-state and duration parsing under it.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "executor/gitlab_client.h"
#include "executor/job.h"
#include "executor/stage_timeouts.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::executor {
namespace {

/// Runs a library scenario after `edit` changed it.
sim::RunResult run_edited(const std::string& file, const std::function<void(sim::Scenario&)>& edit) {
  auto scenario = sim::load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + file);
  EXPECT_TRUE(scenario) << scenario.error().describe();
  if (!scenario) return {};
  edit(*scenario);
  auto run = sim::run_scenario(*scenario);
  EXPECT_TRUE(run) << run.error().describe();
  if (!run) return {};
  EXPECT_EQ(run->error, "");
  return *run;
}

bool trace_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(JobCancelTest, GracefulCancelDuringTheScriptStopsOnlyTheScript) {
  auto run = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(trace_has(run.trace, "script canceled externally (UI, API)"));
  EXPECT_TRUE(trace_has(run.trace, "after_script sees CI_JOB_STATUS=canceled"));
  EXPECT_TRUE(trace_has(run.trace, "Job failed: canceled"));
  EXPECT_FALSE(trace_has(run.trace, "never printed"));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, ASilentScriptHearsTheCancelThroughARunningTouch) {
  // `sleep 600` prints nothing: only the 30 s running PUT can carry `Job-Status: canceling`.
  auto run = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario&) {});
  int puts = 0;
  for (const auto& call : run.gitlab_calls)
    if (trace_has(call, "PUT /api/v4/jobs/")) ++puts;
  EXPECT_GE(puts, 3);  // two-phase running, at least one touch, the final update
  EXPECT_LT(run.virtual_duration, std::chrono::seconds(120));
}

TEST(JobCancelTest, GracefulCancelBeforeTheUserScriptsCancelsTheWholeBuild) {
  auto run = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario& s) { s.jobs[0].cancel_after_ms = 500; });
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(trace_has(run.trace, "Job failed: canceled"));
  EXPECT_FALSE(trace_has(run.trace, "script canceled externally"));
  EXPECT_FALSE(trace_has(run.trace, "after_script sees"));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, ACancelDuringAfterScriptChangesNothingForTheRunner) {
  auto run = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario& s) {
    s.jobs[0].script = {"echo quick"};
    s.jobs[0].after_script = {"sleep 120", "echo \"after_script done\""};
  });
  // GitLab records the cancel, but the runner finished the job as it would have.
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(trace_has(run.trace, "after_script done"));
  EXPECT_TRUE(trace_has(run.trace, "Job succeeded"));
  EXPECT_FALSE(trace_has(run.trace, "script canceled externally"));
}

TEST(JobCancelTest, In13_12ACancelStopsTheWholeBuildWithoutAfterScript) {
  auto run = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario& s) { s.profile = "13.12"; });
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(trace_has(run.trace, "Job failed: canceled"));
  EXPECT_FALSE(trace_has(run.trace, "script canceled externally"));
  EXPECT_FALSE(trace_has(run.trace, "after_script sees"));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, AForcedCancelAbortsWithoutAfterScriptAndCleansUp) {
  auto run = run_edited("jobs/cancel-force.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_FALSE(trace_has(run.trace, "after_script ran"));
  EXPECT_TRUE(run.leftovers.empty());
  bool pod_deleted = false;
  for (const auto& call : run.kube_calls)
    pod_deleted = pod_deleted || (trace_has(call, "DELETE") && trace_has(call, "/pods/"));
  EXPECT_TRUE(pod_deleted);
}

TEST(JobCancelTest, TheJobTimeoutEndsTheScriptAtTheDeadline) {
  auto run = run_edited("jobs/job-timeout.toml", [](sim::Scenario& s) { s.jobs[0].timeout_seconds = 90; });
  EXPECT_EQ(run.job_state, "failed");
  EXPECT_EQ(run.failure_reason, "job_execution_timeout");
  EXPECT_TRUE(trace_has(run.trace, "Job failed: execution took longer than 1m30s seconds"));
  EXPECT_GE(run.virtual_duration, std::chrono::seconds(90));
  EXPECT_LT(run.virtual_duration, std::chrono::seconds(100));
  EXPECT_TRUE(run.leftovers.empty());
}

int count_calls(const std::vector<std::string>& calls, const std::string& part) {
  int n = 0;
  for (const auto& call : calls) n += has(call, part) ? 1 : 0;
  return n;
}

TEST(JobCancelTest, ACancelEndsTheWaitForAPendingPodAtTheNextPoll) {
  auto run = run_edited("jobs/cancel-pod-pending.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(has(run.trace, "Job failed: canceled"));
  // retryCreateExecutor: a Prepare error while the context is done is not retried.
  EXPECT_FALSE(has(run.trace, "Preparation failed"));
  EXPECT_FALSE(has(run.trace, "timed out waiting for pod to start"));
  // The cancel lands at 20 s; waitForPodRunning sees the context at its next 3 s poll.
  EXPECT_GE(run.virtual_duration, std::chrono::seconds(20));
  EXPECT_LE(run.virtual_duration, std::chrono::seconds(24));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, AGracefulCancelEndsAHungAttachAndAfterScriptStillRuns) {
  auto run = run_edited("jobs/cancel-attach-black-holed.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(has(run.trace, "script canceled externally (UI, API)"));
  EXPECT_TRUE(has(run.trace, "after_script sees CI_JOB_STATUS=canceled"));
  EXPECT_FALSE(has(run.trace, "execution took longer than"));
  EXPECT_LT(run.virtual_duration, std::chrono::seconds(120));
  // step_script never started (its attach hangs), so the remote stage status is still get_sources'
  // exit: runWithAttach sends no kill script. Build-container execs: the trapping scripts and the
  // saves of step_script and after_script; jobs/cancel-graceful, whose script did start, has a 4th.
  EXPECT_EQ(count_calls(run.kube_calls, "/exec?container=build&"), 3);
  auto started = run_edited("jobs/cancel-graceful.toml", [](sim::Scenario&) {});
  EXPECT_EQ(count_calls(started.kube_calls, "/exec?container=build&"), 4);
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, AForcedCancelEndsAHungAttachWithoutAfterScript) {
  auto run = run_edited("jobs/cancel-attach-black-holed-force.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_FALSE(has(run.trace, "Running after_script"));
  EXPECT_FALSE(has(run.trace, "execution took longer than"));
  EXPECT_LT(run.virtual_duration, std::chrono::seconds(120));
  EXPECT_EQ(count_calls(run.kube_calls, "DELETE /api/v1/namespaces/gitlab-runner/pods/"), 1);
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(JobCancelTest, In13_12ACancelEndsAHungExecAndTheWholeBuild) {
  auto run = run_edited("jobs/cancel-attach-black-holed.toml", [](sim::Scenario& s) {
    s.profile = "13.12";
    s.faults[0].resource = "pods/exec";  // one exec per stage: the second is get_sources
    s.faults[0].nth = 2;
  });
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(has(run.trace, "Job failed: canceled"));
  EXPECT_FALSE(has(run.trace, "after_script sees"));
  EXPECT_EQ(count_calls(run.kube_calls, "black-hole - fault"), 1);
  EXPECT_LT(run.virtual_duration, std::chrono::seconds(120));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(CleanupTimeoutTest, ABlackHoledDeleteEndsExactlyAtCleanupResourcesTimeout) {
  auto fast = run_edited("faults/cleanup-delete-black-holed-timeout.toml", [](sim::Scenario&) {});
  auto slow = run_edited("faults/cleanup-delete-black-holed.toml", [](sim::Scenario&) {});
  for (const auto* run : {&fast, &slow}) {
    EXPECT_EQ(run->job_state, "success");  // the final update still goes out, after cleanup
    EXPECT_TRUE(has(run->trace, "Error cleaning up pod: Delete \"https://10.96.0.1:443/api/v1/namespaces/"));
    EXPECT_TRUE(has(run->trace, "\": context deadline exceeded"));
    EXPECT_EQ(run->leftovers.size(), 1u);
    // BuildLogger.Errorln tees the line to the runner's log.
    bool teed = false;
    for (const auto& line : run->runner_log)
      teed = teed || (has(line, "ERROR: Error cleaning up pod: Delete") && has(line, "job=1000"));
    EXPECT_TRUE(teed);
  }
  // Everything before cleanup is the same: the runs differ by the timeouts, 5 minutes and 30 s.
  EXPECT_EQ(slow.virtual_duration - fast.virtual_duration, Duration(std::chrono::seconds(270)));
}

TEST(CleanupTimeoutTest, TheTimeoutIsCleanupsOwnNotTheCanceledBuildContext) {
  // 16.4+: a cancel ended the build context, yet cleanup's DELETE is sent and waited on.
  auto run = run_edited("faults/cleanup-delete-black-holed-timeout.toml",
                        [](sim::Scenario& s) {
                          s.jobs[0].cancel_after_ms = 500;
                          s.jobs[0].cancel_graceful = true;  // a forced cancel's trace never reaches GitLab
                        });
  EXPECT_EQ(run.job_state, "canceled");
  EXPECT_TRUE(has(run.trace, "Error cleaning up pod: Delete"));
  EXPECT_TRUE(has(run.trace, "\": context deadline exceeded"));
  EXPECT_FALSE(has(run.trace, "\": context canceled"));
}

TEST(RemoteJobStateTest, JobStatusAndForbiddenAsUpstreamReadsThem) {
  EXPECT_EQ(remote_job_state(202, "running"), RemoteJobState::kRunning);
  EXPECT_EQ(remote_job_state(200, ""), RemoteJobState::kRunning);
  EXPECT_EQ(remote_job_state(202, "canceling"), RemoteJobState::kCancelRequested);
  EXPECT_EQ(remote_job_state(200, "canceled"), RemoteJobState::kAbort);
  EXPECT_EQ(remote_job_state(200, "failed"), RemoteJobState::kAbort);
  EXPECT_EQ(remote_job_state(403, ""), RemoteJobState::kAbort);
  EXPECT_EQ(remote_job_state(403, "canceling"), RemoteJobState::kAbort);
}

TEST(StageTimeoutsTest, ParsesGoDurations) {
  EXPECT_EQ(parse_go_duration("10m"), Duration(std::chrono::minutes(10)));
  EXPECT_EQ(parse_go_duration("1h30m"), Duration(std::chrono::minutes(90)));
  EXPECT_EQ(parse_go_duration("1.5s"), Duration(std::chrono::milliseconds(1500)));
  EXPECT_EQ(parse_go_duration("300ms"), Duration(std::chrono::milliseconds(300)));
  EXPECT_EQ(parse_go_duration("-10m"), Duration(-std::chrono::minutes(10)));
  EXPECT_EQ(parse_go_duration("0"), Duration(0));
  EXPECT_FALSE(parse_go_duration("10"));
  EXPECT_FALSE(parse_go_duration("ten minutes"));
  EXPECT_FALSE(parse_go_duration(""));
  EXPECT_FALSE(parse_go_duration("5d"));
}

Job job_with(std::vector<JobVariable> variables) {
  Job job;
  job.variables = std::move(variables);
  return job;
}

JobVariable var(std::string key, std::string value) {
  JobVariable v;
  v.key = std::move(key);
  v.value = std::move(value);
  return v;
}

TEST(StageTimeoutsTest, DefaultsAndValidValues) {
  auto none = read_stage_timeouts(job_with({}), std::chrono::hours(1));
  EXPECT_FALSE(none.script);
  EXPECT_EQ(none.after_script, Duration(std::chrono::minutes(5)));
  EXPECT_TRUE(none.warnings.empty());

  auto set = read_stage_timeouts(
      job_with({var("RUNNER_SCRIPT_TIMEOUT", "10m"), var("RUNNER_AFTER_SCRIPT_TIMEOUT", "1m")}), std::chrono::hours(1));
  EXPECT_EQ(set.script, Duration(std::chrono::minutes(10)));
  EXPECT_EQ(set.after_script, Duration(std::chrono::minutes(1)));
  EXPECT_TRUE(set.warnings.empty());
}

TEST(StageTimeoutsTest, BadValuesWarnAsUpstreamDoes) {
  auto bad =
      read_stage_timeouts(job_with({var("RUNNER_SCRIPT_TIMEOUT", "-5m"), var("RUNNER_AFTER_SCRIPT_TIMEOUT", "soon")}),
                          std::chrono::hours(1));
  EXPECT_FALSE(bad.script);
  EXPECT_EQ(bad.after_script, Duration(std::chrono::minutes(5)));
  ASSERT_EQ(bad.warnings.size(), 2u);
  EXPECT_EQ(bad.warnings[0], "Ignoring relative RUNNER_SCRIPT_TIMEOUT timeout: -5m");
  EXPECT_EQ(bad.warnings[1], "Ignoring malformed RUNNER_AFTER_SCRIPT_TIMEOUT timeout: soon");

  auto long_one = read_stage_timeouts(job_with({var("RUNNER_SCRIPT_TIMEOUT", "2h")}), std::chrono::hours(1));
  EXPECT_FALSE(long_one.script);
  ASSERT_EQ(long_one.warnings.size(), 1u);
  EXPECT_EQ(long_one.warnings[0],
            "RUNNER_SCRIPT_TIMEOUT timeout: 2h is longer than job timeout. Setting to job timeout");
}

}  // namespace
}  // namespace kexsim::executor

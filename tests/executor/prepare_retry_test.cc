// GitLab Runner's retry policies of a job's stages, per profile: preparation retries
// (common/build.go retryCreateExecutor), GET_SOURCES_ATTEMPTS and friends (attemptExecuteStage,
// common/build_settings.go), the final update's bound, and output_limit (helpers/trace/buffer.go).

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "executor/job.h"
#include "executor/prepare_retry.h"
#include "executor/section_attempts.h"
#include "executor/stage_timeouts.h"
#include "executor/trace.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

Job retry_job(std::vector<std::pair<std::string, std::string>> vars) {
  Job job;
  for (auto& [k, v] : vars) {
    JobVariable var;
    var.key = k;
    var.value = v;
    job.variables.push_back(var);
  }
  return job;
}

/// Runs a library scenario after `edit` changed it.
sim::RunResult run_retry_edited(const std::string& file, const std::function<void(sim::Scenario&)>& edit,
                                const sim::RunOptions& options = {}) {
  auto scenario = sim::load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + file);
  EXPECT_TRUE(scenario) << scenario.error().describe();
  if (!scenario) return {};
  edit(*scenario);
  auto run = sim::run_scenario(*scenario, options);
  EXPECT_TRUE(run) << run.error().describe();
  if (!run) return {};
  EXPECT_EQ(run->error, "");
  return *run;
}

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

int count_matching_calls(const std::vector<std::string>& calls, const std::string& part) {
  int n = 0;
  for (const auto& c : calls) n += c.find(part) != std::string::npos;
  return n;
}

// --- Preparation retries ---------------------------------------------------------------------

TEST(PrepareRetryTest, OnlyPlainErrorsAreRetriedAndNotOnceTheContextEnded) {
  EXPECT_TRUE(retries_preparation(PrepareErrorKind::kPlain, false));
  EXPECT_FALSE(retries_preparation(PrepareErrorKind::kPlain, true));
  EXPECT_FALSE(retries_preparation(PrepareErrorKind::kBuildError, false));
  EXPECT_EQ(kPreparationRetries, 3);
  EXPECT_EQ(kPreparationRetryInterval, Duration(std::chrono::seconds(3)));
}

TEST(PrepareRetryTest, ConfigErrorsAreBuildErrorsIn19_4AndPlainIn13_12) {
  EXPECT_EQ(config_prepare_error_kind(Profile::kV19_4), PrepareErrorKind::kBuildError);
  EXPECT_EQ(config_prepare_error_kind(Profile::kV13_12), PrepareErrorKind::kPlain);
}

TEST(PrepareRetryTest, TheLinesBetweenTries) {
  EXPECT_EQ(preparation_failed("getting Kubernetes config: boom"),
            "Preparation failed: getting Kubernetes config: boom");
  EXPECT_EQ(will_be_retried(), "Will be retried in 3s ...");
}

TEST(PrepareRetryTest, In13_12AFailingPrepareIsTriedThreeTimesThreeSecondsApart) {
  auto run = run_retry_edited("jobs/prepare-retried-13.12.toml", [](sim::Scenario&) {});
  EXPECT_EQ(count(run.trace, "ERROR: Preparation failed: getting Kubernetes config: "), 3) << run.trace;
  EXPECT_EQ(count(run.trace, "Will be retried in 3s ..."), 3);
  EXPECT_EQ(count(run.trace, "Preparing the \"kubernetes\" executor"), 1);  // the section's header, once
  EXPECT_EQ(run.failure_reason, "runner_system_failure");
  EXPECT_EQ(run.virtual_duration, Duration(std::chrono::seconds(9)));
}

TEST(PrepareRetryTest, In19_4AConfigErrorFailsAtOnce) {
  auto run = run_retry_edited("jobs/prepare-retried-13.12.toml", [](sim::Scenario& s) { s.profile = "19.4"; });
  EXPECT_EQ(count(run.trace, "Preparation failed"), 0) << run.trace;
  EXPECT_EQ(run.failure_reason, "runner_configuration_error");
  EXPECT_TRUE(run.trace.find("KUBERNETES_MASTER") != std::string::npos);
  EXPECT_LT(run.virtual_duration, Duration(std::chrono::seconds(6)));
}

// --- GET_SOURCES_ATTEMPTS and friends --------------------------------------------------------

TEST(SectionAttemptsTest, DefaultsAreOneTry) {
  for (Profile p : {Profile::kV19_4, Profile::kV13_12}) {
    const SectionAttempts a = read_section_attempts(retry_job({}), p);
    EXPECT_EQ(a.get_sources, 1);
    EXPECT_EQ(a.artifact_download, 1);
    EXPECT_EQ(a.restore_cache, 1);
    EXPECT_EQ(a.executor_job_section, 1);
    EXPECT_TRUE(a.warnings.empty());
  }
}

TEST(SectionAttemptsTest, In19_4MalformedValuesKeepTheDefaultAndOutOfRangeOnesAreClamped) {
  const SectionAttempts a = read_section_attempts(retry_job({{"GET_SOURCES_ATTEMPTS", "0"},
                                                             {"RESTORE_CACHE_ATTEMPTS", "three"},
                                                             {"ARTIFACT_DOWNLOAD_ATTEMPTS", "11"},
                                                             {"EXECUTOR_JOB_SECTION_ATTEMPTS", "-2"}}),
                                                  Profile::kV19_4);
  EXPECT_EQ(a.get_sources, 1);
  EXPECT_EQ(a.restore_cache, 1);
  EXPECT_EQ(a.artifact_download, 10);
  EXPECT_EQ(a.executor_job_section, 1);
  // validateVariables' errors first, then validateAttemptSettings' in its own order.
  ASSERT_EQ(a.warnings.size(), 4u);
  EXPECT_EQ(a.warnings[0], "RESTORE_CACHE_ATTEMPTS: expected int got \"three\", using default value: 1");
  EXPECT_EQ(a.warnings[1],
            "EXECUTOR_JOB_SECTION_ATTEMPTS: number of attempts out of the range [1, 10], clamping to: 1");
  EXPECT_EQ(a.warnings[2], "GET_SOURCES_ATTEMPTS: number of attempts out of the range [1, 10], clamping to: 1");
  EXPECT_EQ(a.warnings[3], "ARTIFACT_DOWNLOAD_ATTEMPTS: number of attempts out of the range [1, 10], clamping to: 10");
}

TEST(SectionAttemptsTest, GoIntegerSyntax) {
  EXPECT_EQ(read_section_attempts(retry_job({{"GET_SOURCES_ATTEMPTS", "+4"}}), Profile::kV19_4).get_sources, 4);
  for (const char* bad : {" 4", "4 ", "4.0", "0x4", "99999999999999999999"}) {
    const SectionAttempts a = read_section_attempts(retry_job({{"GET_SOURCES_ATTEMPTS", bad}}), Profile::kV19_4);
    EXPECT_EQ(a.get_sources, 1) << bad;
    ASSERT_EQ(a.warnings.size(), 1u) << bad;
    EXPECT_NE(a.warnings[0].find("expected int got"), std::string::npos) << bad;
  }
}

TEST(SectionAttemptsTest, In13_12MalformedIsSilentAndOutOfRangeFailsTheStage) {
  const SectionAttempts a = read_section_attempts(
      retry_job({{"GET_SOURCES_ATTEMPTS", "20"}, {"RESTORE_CACHE_ATTEMPTS", "x"}}), Profile::kV13_12);
  EXPECT_EQ(a.get_sources, 20);
  EXPECT_EQ(a.restore_cache, 1);
  EXPECT_TRUE(a.warnings.empty());
  EXPECT_EQ(attempts_out_of_range(Profile::kV13_12, 20, "get_sources"),
            "number of attempts out of the range [1, 10] for stage: get_sources");
  EXPECT_EQ(attempts_out_of_range(Profile::kV13_12, 0, "restore_cache"),
            "number of attempts out of the range [1, 10] for stage: restore_cache");
  EXPECT_FALSE(attempts_out_of_range(Profile::kV13_12, 10, "get_sources"));
  EXPECT_FALSE(attempts_out_of_range(Profile::kV19_4, 20, "get_sources"));
}

TEST(SectionAttemptsTest, PausesBetweenTries) {
  using std::chrono::seconds;
  // FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY (on by default): 5 s doubling to 5 min.
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, true, 0), Duration(seconds(5)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, true, 1), Duration(seconds(10)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, true, 5), Duration(seconds(160)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, true, 6), Duration(seconds(300)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, true, 8), Duration(seconds(300)));
  // Off: helpers/retry's default back-off, 1 s doubling to 5 s.
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, false, 0), Duration(seconds(1)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, false, 2), Duration(seconds(4)));
  EXPECT_EQ(stage_retry_pause(Profile::kV19_4, false, 3), Duration(seconds(5)));
  EXPECT_EQ(stage_retry_pause(Profile::kV13_12, true, 0), Duration(0));
}

TEST(SectionAttemptsTest, GetSourcesRunsAgainUntilItSucceedsOrTheTriesRunOut) {
  // jobs/get-sources-attempts-exhausted: three 502s, three tries.
  auto run = run_retry_edited("jobs/get-sources-attempts-exhausted.toml", [](sim::Scenario&) {});
  EXPECT_EQ(count_matching_calls(run.gitlab_calls, "GET /root/mycicd.git/info/refs 502 fault"), 3);
  EXPECT_EQ(count(run.trace, "WARNING: Retrying..."), 2);
  EXPECT_EQ(count(run.trace, "Deleting all tracked and untracked files due to source fetch failure"), 1);
  EXPECT_EQ(run.job_state, "failed");
  // One more try than failures: the job goes on.
  auto more = run_retry_edited("jobs/get-sources-attempts-exhausted.toml", [](sim::Scenario& s) {
    for (auto& v : s.jobs[0].variables)
      if (v.key == "GET_SOURCES_ATTEMPTS") v.value = "4";
  });
  EXPECT_EQ(more.job_state, "success") << more.trace;
  EXPECT_EQ(count(more.trace, "WARNING: Retrying..."), 3);
}

TEST(SectionAttemptsTest, In13_12TheStageRepeatsAtOnceWithoutAWord) {
  auto run =
      run_retry_edited("jobs/get-sources-attempts-exhausted.toml", [](sim::Scenario& s) { s.profile = "13.12"; });
  EXPECT_EQ(count_matching_calls(run.gitlab_calls, "GET /root/mycicd.git/info/refs 502 fault"), 3);
  EXPECT_EQ(count(run.trace, "Retrying..."), 0);
  EXPECT_EQ(count(run.trace, "Getting source from Git repository"), 3);
  EXPECT_LT(run.virtual_duration, Duration(std::chrono::seconds(10)));
}

// --- output_limit ----------------------------------------------------------------------------

TEST(OutputLimitTest, TheWriteThatReachesTheLimitIsCutAndNothingFollows) {
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {}, {});
  t.set_limit(10);
  t.raw("12345");
  EXPECT_FALSE(t.limit_exceeded());
  t.raw("67890abc");
  t.flush();
  EXPECT_TRUE(t.limit_exceeded());
  EXPECT_EQ(t.bytes(),
            "1234567890\n\033[33;1mJob's log exceeded limit of 10 bytes.\n"
            "Job execution will continue but no more output will be collected.\033[0;m\n");
  const std::string before = t.bytes();
  t.raw("more\n");
  t.info("Job succeeded");
  t.flush();
  EXPECT_EQ(t.bytes(), before);
}

TEST(OutputLimitTest, ExactlyReachingTheLimitAlreadyPrintsTheNotice) {
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV13_12, false, {}, {});
  t.set_limit(4);
  t.raw("abcd");
  t.flush();
  EXPECT_TRUE(t.limit_exceeded());
  EXPECT_EQ(t.bytes().rfind("abcd\n\033[33;1mJob's log exceeded limit of 4 bytes.", 0), 0u);
}

TEST(OutputLimitTest, In19_4AMultiByteCharacterIsNotSplit) {
  testing::ManualClock clock;
  for (Profile p : {Profile::kV19_4, Profile::kV13_12}) {
    JobTrace t(clock, p, false, {}, {});
    t.set_limit(3);
    t.raw("ab\xc3\xa9z");  // "abéz": the limit falls inside é
    t.flush();
    const std::string kept = t.bytes().substr(0, t.bytes().find('\n'));
    EXPECT_EQ(kept, p == Profile::kV19_4 ? "ab" : "ab\xc3") << profile_name(p);
  }
}

TEST(OutputLimitTest, MaskingComesBeforeTheLimit) {
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {"s3cr3tvalue"}, {});
  t.set_limit(12);
  t.raw("s3cr3tvalue!");  // masked to 9 bytes, then "!" fits
  t.flush();
  EXPECT_FALSE(t.limit_exceeded());
  EXPECT_EQ(t.bytes(), "[MASKED]!");
}

TEST(OutputLimitTest, TheJobGoesOnAfterTheLimit) {
  auto run = run_retry_edited("jobs/output-limit.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.job_state, "success");
  EXPECT_EQ(count(run.trace, "Job's log exceeded limit of 4096 bytes."), 1);
  const size_t notice = run.trace.find("Job execution will continue but no more output will be collected.");
  ASSERT_NE(notice, std::string::npos);
  EXPECT_LE(run.trace.size(), 4096u + 200u);
}

// --- The 19.4 final update -------------------------------------------------------------------

/// Answers every final job update (a PUT that is not `running`) with 202, as a GitLab that never
/// finishes processing the job would; `active` false passes everything through.
class AlwaysAccepted : public fakes::HttpHandler {
 public:
  AlwaysAccepted(fakes::HttpHandler& inner, bool active) : inner_(inner), active_(active) {}
  fakes::HttpResponse handle(const fakes::HttpRequest& request) override {
    if (active_ && request.method == "PUT" && request.body.find("\"running\"") == std::string::npos) {
      fakes::HttpResponse r;
      r.status = 202;
      r.headers.emplace_back("Job-Status", "running");
      r.headers.emplace_back("X-GitLab-Trace-Update-Interval", "3");
      return r;
    }
    return inner_.handle(request);
  }

 private:
  fakes::HttpHandler& inner_;
  bool active_;
};

TEST(FinalUpdateTest, RepeatedAcceptedAnswersEndAfterAnHourOfVirtualTime) {
  sim::RunOptions options;
  options.hooks.world.wrap_handler = [](const std::string& serves, fakes::HttpHandler& inner, Clock&) {
    return std::make_unique<AlwaysAccepted>(inner, serves == "gitlab");
  };
  auto run = run_retry_edited(
      "basics/hello.toml", [](sim::Scenario&) {}, options);
  bool stopped = false;
  for (const auto& line : run.runner_log)
    stopped = stopped || line.find("stopped the 19.4 final update loop after an hour") != std::string::npos;
  EXPECT_TRUE(stopped);
  EXPECT_GE(run.virtual_duration, Duration(std::chrono::hours(1)));
  EXPECT_LT(run.virtual_duration, Duration(std::chrono::hours(2)));
}

}  // namespace
}  // namespace kexsim::executor

namespace kexsim::executor {
namespace {

// --- Masking robustness (executor-gaps.md W4, W6) ---------------------------------------------

TEST(TokenMaskingTest, RoutableTokensWithDotsAndEqualsAreMaskedWhole) {
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {}, {"glrt-"});
  t.raw("token glrt-t1_abc.01.def=gh end\n");
  t.flush();
  EXPECT_EQ(t.bytes(), "token glrt-[MASKED] end\n");
}

TEST(TokenMaskingTest, ALongTokenIsNotHeldBackWhole) {
  // upstream's tokensanitizer swallows the body as it streams; kexsim used to hold all of it.
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {}, {});
  t.raw("x glpat-" + std::string(1 << 20, 'a'));
  EXPECT_EQ(t.bytes(), "x glpat-[MASKED]");
  t.raw(std::string(1000, 'b') + " after\n");  // the body goes on in the next write
  t.flush();
  EXPECT_EQ(t.bytes(), "x glpat-[MASKED] after\n");
}

TEST(TokenMaskingTest, APrefixSplitAcrossWritesIsStillFound) {
  testing::ManualClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {}, {});
  t.raw("x glp");
  t.raw("at-secret1 y\n");
  t.flush();
  EXPECT_EQ(t.bytes(), "x glpat-[MASKED] y\n");
  JobTrace u(clock, Profile::kV19_4, false, {}, {});
  u.raw("x glpat-");
  u.raw("secret2 y\n");
  u.flush();
  EXPECT_EQ(u.bytes(), "x glpat-[MASKED] y\n");
}

}  // namespace
}  // namespace kexsim::executor

namespace kexsim::executor {
namespace {

// --- prepare_timeout and get_sources_timeout (19.4) -------------------------------------------

TEST(RunnerStageTimeoutTest, UnsetNonPositiveAndTooLongFallBackToTheJobTimeout) {
  using std::chrono::hours;
  using std::chrono::seconds;
  std::string warning;
  EXPECT_FALSE(runner_stage_timeout("prepare_timeout", std::nullopt, hours(1), &warning));
  EXPECT_EQ(warning, "");
  EXPECT_EQ(runner_stage_timeout("prepare_timeout", Duration(seconds(30)), hours(1), &warning), Duration(seconds(30)));
  EXPECT_EQ(warning, "");
  EXPECT_FALSE(runner_stage_timeout("prepare_timeout", Duration(0), hours(1), &warning));
  EXPECT_EQ(warning, "prepare_timeout (0s) must be greater than 0; using job timeout (1h0m0s)");
  EXPECT_FALSE(runner_stage_timeout("get_sources_timeout", Duration(hours(2)), hours(1), &warning));
  EXPECT_EQ(warning, "get_sources_timeout (2h0m0s) exceeds job timeout (1h0m0s); using job timeout");
  EXPECT_EQ(stage_limit_exceeded("prepare timeout", seconds(90)), "prepare timeout: exceeded timeout of 1m30s");
}

TEST(RunnerStageTimeoutTest, PrepareTimeoutEndsTheJobAtItsDeadline) {
  auto run = run_retry_edited("jobs/prepare-timeout.toml", [](sim::Scenario&) {});
  EXPECT_EQ(run.failure_reason, "job_execution_timeout");
  EXPECT_EQ(count(run.trace, "prepare timeout: exceeded timeout of 30s"), 1);
  EXPECT_EQ(run.virtual_duration, Duration(std::chrono::seconds(30)));
  EXPECT_TRUE(run.leftovers.empty());
}

TEST(RunnerStageTimeoutTest, TooLongALimitIsWarnedOnTheRunnerLogAndIgnored) {
  auto run = run_retry_edited("jobs/prepare-timeout.toml", [](sim::Scenario& s) {
    s.config.runners[0].prepare_timeout = Duration(std::chrono::hours(3));
  });
  EXPECT_EQ(run.job_state, "success") << run.trace;
  bool warned = false;
  for (const auto& line : run.runner_log)
    warned = warned ||
             line.find("prepare_timeout (3h0m0s) exceeds job timeout (1h0m0s); using job timeout") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(RunnerStageTimeoutTest, In13_12TheKeysDoNothing) {
  auto run = run_retry_edited("jobs/get-sources-timeout.toml", [](sim::Scenario& s) { s.profile = "13.12"; });
  EXPECT_EQ(run.failure_reason, "script_failure");
  EXPECT_EQ(count(run.trace, "get sources timeout"), 0);
}

}  // namespace
}  // namespace kexsim::executor

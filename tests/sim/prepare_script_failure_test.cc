// E3: a prepare_script stage that exits non-zero keeps the stage's script_failure and exit code through
// executePrepareScripts' "prepare environment: %w" wrapper, in 13.12 and 19.4 alike. The runner's own
// prepare script (detect shell, `echo "Running on $(hostname) ..."`) cannot fail in the shell model, so
// the exec's shell is OOM-killed instead: a helper memory limit of 1Mi leaves it no room.

#include <string>

#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {
namespace {

RunResult run_with_tiny_helper(const std::string& file) {
  auto s = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + file);
  EXPECT_TRUE(s) << s.error().describe();
  if (!s) return {};
  s->faults.clear();  // no dropped stream: the exec ends with the kill's Status
  s->expect = {};
  for (auto& runner : s->config.runners) runner.kubernetes.helper_memory_limit = "1Mi";
  auto run = run_scenario(*s);
  EXPECT_TRUE(run) << run.error().describe();
  return run ? *run : RunResult{};
}

TEST(PrepareScriptFailure, KeepsScriptFailureAndTheExitCodeIn19_4) {
  const RunResult run = run_with_tiny_helper("faults/exec-stream-dropped-19.4.toml");
  EXPECT_EQ(run.job_state, "failed");
  EXPECT_EQ(run.failure_reason, "script_failure");
  EXPECT_EQ(run.exit_code, 137);
  EXPECT_NE(run.trace.find("ERROR: Job failed: prepare environment: command terminated with exit code 137. Check "
                           "https://docs.gitlab.com/runner/shells/#shell-profile-loading for more information"),
            std::string::npos)
      << run.trace;
}

TEST(PrepareScriptFailure, KeepsScriptFailureAndTheExitCodeIn13_12) {
  const RunResult run = run_with_tiny_helper("faults/exec-stream-dropped-13.12.toml");
  EXPECT_EQ(run.job_state, "failed");
  EXPECT_EQ(run.failure_reason, "script_failure");
  EXPECT_EQ(run.exit_code, 137);
  EXPECT_NE(run.trace.find("ERROR: Job failed: prepare environment: command terminated with exit code 137. Check "
                           "https://docs.gitlab.com/runner/shells/index.html#shell-profile-loading for more "
                           "information"),
            std::string::npos)
      << run.trace;
}

}  // namespace
}  // namespace kexsim::sim

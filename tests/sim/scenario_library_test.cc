// Every scenario in the library, run once more as a test with a seed other than its own: it still
// passes and, whatever its outcome, the job leaves no pod or secret behind. (Determinism, two runs
// with one seed, is ctest's `scenarios` test: `kexsim check --twice`; this adds the third run only.)
#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {
namespace {

/// A seed no scenario uses as its own, so this run differs from `check`'s.
constexpr uint64_t kOtherSeed = 4242;

class ScenarioLibrary : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioLibrary, AnotherSeedStillPassesAndLeavesNothingBehind) {
  auto scenario = load_scenario(GetParam());
  ASSERT_TRUE(scenario) << scenario.error().describe();
  ASSERT_NE(scenario->seed, kOtherSeed) << "pick another kOtherSeed: this scenario's own seed is it";
  RunOptions options;
  options.seed = kOtherSeed;
  auto run = run_scenario(*scenario, options);
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_TRUE(run->error.empty()) << run->error;
  for (const auto& v : run->verdicts) EXPECT_TRUE(v.passed) << v.expectation << " -- " << v.actual;
  // A scenario that declares what upstream leaves behind (leftover_pods / leftover_secrets) is held
  // to those counts by its verdicts; every other one must leave nothing.
  if (!scenario->expect.leftover_pods.value_or(0) && !scenario->expect.leftover_secrets.value_or(0)) {
    EXPECT_TRUE(run->leftovers.empty()) << "left behind: " << run->leftovers.front();
  }
  // A job the runner never took (a revoked token, GitLab unreachable) has no log.
  if (!run->job_state.empty()) {
    EXPECT_FALSE(run->trace.empty());
  }
}

std::string name_of(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(std::string(KEXSIM_SOURCE_DIR).size() + std::string("/scenarios/").size());
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(All, ScenarioLibrary,
                         ::testing::ValuesIn(list_scenarios(std::string(KEXSIM_SOURCE_DIR) + "/scenarios")), name_of);

}  // namespace
}  // namespace kexsim::sim

// Every scenario in the library, run as a test: it passes, it is deterministic, and whatever its
// outcome the job leaves no pod or secret behind.
#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {
namespace {

class ScenarioLibrary : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioLibrary, PassesLeavesNothingBehindAndIsDeterministic) {
  auto scenario = load_scenario(GetParam());
  ASSERT_TRUE(scenario) << scenario.error().describe();
  auto first = run_scenario(*scenario);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_TRUE(first->error.empty()) << first->error;
  for (const auto& v : first->verdicts) EXPECT_TRUE(v.passed) << v.expectation << " -- " << v.actual;
  EXPECT_TRUE(first->leftovers.empty()) << "left behind: " << first->leftovers.front();
  EXPECT_FALSE(first->trace.empty());

  auto second = run_scenario(*scenario);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->trace, second->trace) << "the job log differs between two runs with the same seed";
  EXPECT_EQ(first->kube_calls, second->kube_calls);
  EXPECT_EQ(first->gitlab_calls, second->gitlab_calls);
  EXPECT_EQ(first->digest, second->digest);
}

TEST_P(ScenarioLibrary, AnotherSeedStillPassesAndLeavesNothingBehind) {
  auto scenario = load_scenario(GetParam());
  ASSERT_TRUE(scenario);
  auto run = run_scenario(*scenario, 4242);
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->passed());
  EXPECT_TRUE(run->leftovers.empty());
}

std::string name_of(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(std::string(KEXSIM_SOURCE_DIR).size() + std::string("/scenarios/").size());
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(All, ScenarioLibrary,
                         testing::ValuesIn(list_scenarios(std::string(KEXSIM_SOURCE_DIR) + "/scenarios")), name_of);

}  // namespace
}  // namespace kexsim::sim

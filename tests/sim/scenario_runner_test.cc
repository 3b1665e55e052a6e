// What run_scenario checks beyond [expect]: every job of a scenario, not only the first.
#include "sim/scenario_runner.h"

#include <gtest/gtest.h>

#include <string>

#include "base/files.h"
#include "sim/scenario.h"

namespace kexsim::sim {
namespace {

/// basics/hello with a second job queued after the first.
std::string hello_with_a_second_job() {
  auto text = read_file(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/basics/hello.toml");
  EXPECT_TRUE(text) << text.error().describe();
  if (!text) return {};
  std::string s = *text;
  const size_t cluster = s.find("\n[cluster]\n");
  EXPECT_NE(cluster, std::string::npos);
  if (cluster == std::string::npos) return {};
  s.insert(cluster + 1,
           "[[gitlab.jobs]]\nname = \"second\"\nproject = \"root/mycicd\"\nproject_id = 2\n"
           "image = \"alpine:3.20\"\nscript = ['echo two']\n\n");
  return s;
}

TEST(ScenarioRunner, EveryLaterJobMustFinishAndIsListedAsACheck) {
  auto scenario = parse_scenario(hello_with_a_second_job(), "basics/two-jobs.toml");
  ASSERT_TRUE(scenario) << scenario.error().describe();
  ASSERT_EQ(scenario->jobs.size(), 2u);
  auto run = run_scenario(*scenario);
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_TRUE(run->error.empty()) << run->error;
  EXPECT_TRUE(run->passed());
  ASSERT_FALSE(run->verdicts.empty());
  EXPECT_EQ(run->verdicts.back().expectation, "job 1001 (second) finishes");
  EXPECT_TRUE(run->verdicts.back().passed);
  EXPECT_TRUE(run->leftovers.empty());
  EXPECT_EQ(exit_code_of(*run), kExitPassed);
}

TEST(ScenarioRunner, OneJobHasNoExtraCheck) {
  auto scenario = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/basics/hello.toml");
  ASSERT_TRUE(scenario) << scenario.error().describe();
  auto run = run_scenario(*scenario);
  ASSERT_TRUE(run) << run.error().describe();
  for (const auto& v : run->verdicts) EXPECT_EQ(v.expectation.find(" finishes"), std::string::npos) << v.expectation;
}

}  // namespace
}  // namespace kexsim::sim

// The scenario keys for many jobs and the runner process (sim/scenario_jobs.h).

#include "sim/scenario_jobs.h"

#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {
namespace {

std::string scenario_with(const std::string& runner_extra, const std::string& job_extra, const std::string& rest) {
  return "name = \"t\"\n[runner]\n" + runner_extra +
         "config = '''\n[[runners]]\n  url = \"https://gitlab.example.com\"\n  token = \"glrt-x\"\n"
         "  executor = \"kubernetes\"\n'''\n[[gitlab.jobs]]\nscript = ['true']\n" +
         job_extra + rest;
}

TEST(ScenarioJobsTest, CopiesQueueTheJobThatManyTimes) {
  auto s = parse_scenario(scenario_with("", "copies = 3\n", "[[gitlab.jobs]]\nscript = ['false']\n"), "x/t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  ASSERT_EQ(s->jobs.size(), 4u);
  EXPECT_EQ(s->jobs[2].script, std::vector<std::string>{"true"});
  EXPECT_EQ(s->jobs[3].script, std::vector<std::string>{"false"});
}

TEST(ScenarioJobsTest, ZeroCopiesIsAnError) {
  auto s = parse_scenario(scenario_with("", "copies = 0\n", ""), "x/t.toml");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("gitlab.jobs.copies: expected 1 to 100000"), std::string::npos) << s.error().message;
}

TEST(ScenarioJobsTest, RunnerHostKeys) {
  auto s = parse_scenario(scenario_with("in_cluster = false\nfiles = { \"/etc/ca.crt\" = \"untrusted-ca\" }\n", "",
                                        "[gitlab]\nrevoked_tokens = [\"glrt-x\"]\n"),
                          "x/t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_FALSE(s->runner_in_cluster);
  EXPECT_EQ(s->runner_files.at("/etc/ca.crt"), "untrusted-ca");
  EXPECT_EQ(s->revoked_tokens, std::vector<std::string>{"glrt-x"});
}

TEST(ScenarioJobsTest, AHostFileMustBeAbsoluteAndOfAKnownKind) {
  auto relative = parse_scenario(scenario_with("files = { \"ca.crt\" = \"untrusted-ca\" }\n", "", ""), "x/t.toml");
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().message.find("expected an absolute path"), std::string::npos);
  auto unknown = parse_scenario(scenario_with("files = { \"/ca.crt\" = \"my-ca\" }\n", "", ""), "x/t.toml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("expected \"simulation-ca\" or \"untrusted-ca\", got \"my-ca\""),
            std::string::npos);
}

TEST(ScenarioJobsTest, PerJobExpectationsNeedAnId) {
  auto ok = parse_scenario(scenario_with("", "",
                                         "[expect]\nrunner_log_contains = ['received']\n[[expect.jobs]]\nid = 1000\n"
                                         "status = \"pending\"\nstarted_after_seconds = 3\n"),
                           "x/t.toml");
  ASSERT_TRUE(ok) << ok.error().describe();
  ASSERT_EQ(ok->expect.jobs.size(), 1u);
  EXPECT_EQ(ok->expect.jobs[0].id, 1000);
  EXPECT_EQ(ok->expect.jobs[0].status, "pending");
  EXPECT_EQ(ok->expect.jobs[0].started_after_seconds, 3.0);
  EXPECT_EQ(ok->expect.runner_log_contains, std::vector<std::string>{"received"});
  auto missing = parse_scenario(scenario_with("", "", "[expect]\n[[expect.jobs]]\nstatus = \"success\"\n"), "x/t.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("id"), std::string::npos) << missing.error().message;
}

TEST(ScenarioJobsTest, TheRunnerLogAndEveryJobAreChecked) {
  auto s = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/runner/limit-reached.toml");
  ASSERT_TRUE(s) << s.error().describe();
  // A wrong expectation about a later job and the runner log must fail the run.
  s->expect.jobs.push_back({});
  s->expect.jobs.back().id = 1003;
  s->expect.jobs.back().started_before_seconds = 1;
  s->expect.runner_log_not_contains.push_back("Checking for jobs... received");
  auto run = run_scenario(*s);
  ASSERT_TRUE(run) << run.error().describe();
  std::vector<std::string> failed;
  for (const auto& v : run->verdicts)
    if (!v.passed) failed.push_back(v.expectation);
  EXPECT_EQ(failed, (std::vector<std::string>{"runner log does not contain: Checking for jobs... received",
                                              "job 1003 started at or before 1 s"}));
}

}  // namespace
}  // namespace kexsim::sim

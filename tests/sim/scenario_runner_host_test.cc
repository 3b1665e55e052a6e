// [runner] env and [[runner.host_files]] (sim/scenario_runner_host.h).

#include "sim/scenario_runner_host.h"

#include <gtest/gtest.h>

#include "sim/scenario.h"

namespace kexsim::sim {
namespace {

std::string host_scenario_with(const std::string& runner_extra, const std::string& after_runner) {
  return "name = \"t\"\n[runner]\n" + runner_extra +
         "config = '''\n[[runners]]\n  url = \"https://gitlab.example.com\"\n  token = \"glrt-x\"\n"
         "  executor = \"kubernetes\"\n'''\n" +
         after_runner + "[[gitlab.jobs]]\nscript = ['true']\n";
}

TEST(ScenarioRunnerHostTest, EnvAndHostFilesAreRead) {
  auto s =
      parse_scenario(host_scenario_with("env = { KUBECONFIG = \"/a:/b\" }\n",
                                        "[[runner.host_files]]\npath = \"/a\"\ncontent = \"server: @apiserver\"\n"),
                     "x/t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->runner_env.at("KUBECONFIG"), "/a:/b");
  ASSERT_EQ(s->runner_host_files.size(), 1u);
  EXPECT_EQ(s->runner_host_files[0].path, "/a");
  EXPECT_EQ(s->runner_host_files[0].content, "server: @apiserver");
  EXPECT_EQ(runner_host_env(*s).at("HOME"), "/root");
}

TEST(ScenarioRunnerHostTest, EnvHomeWinsOverTheDefault) {
  auto s = parse_scenario(host_scenario_with("env = { HOME = \"/home/gitlab-runner\" }\n", ""), "x/t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(runner_host_env(*s).at("HOME"), "/home/gitlab-runner");
}

TEST(ScenarioRunnerHostTest, AHostFileNeedsAnAbsolutePathAndContent) {
  auto relative = parse_scenario(
      host_scenario_with("", "[[runner.host_files]]\npath = \"kube/config\"\ncontent = \"\"\n"), "x/t.toml");
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().message.find("runner.host_files.path: \"kube/config\": expected an absolute path"),
            std::string::npos)
      << relative.error().message;
  auto no_content = parse_scenario(host_scenario_with("", "[[runner.host_files]]\npath = \"/k\"\n"), "x/t.toml");
  ASSERT_FALSE(no_content);
  EXPECT_NE(no_content.error().message.find("content"), std::string::npos) << no_content.error().message;
  auto typo = parse_scenario(host_scenario_with("", "[[runner.host_files]]\npath = \"/k\"\ncontent = \"\"\nmode = 1\n"),
                             "x/t.toml");
  EXPECT_FALSE(typo);
}

}  // namespace
}  // namespace kexsim::sim

// The containers keys of a scenario: the nodes' OOM policy, RunOnceDurationOverride, Secrets,
// repository sizes and a command's memory, each checked with a file position.
#include "sim/scenario_containers.h"
#include "tests/support/minimal_scenario.h"
#include "tests/support/scenario_error.h"

#include <gtest/gtest.h>

namespace kexsim::sim {
namespace {

using testing::minimal_scenario;

using testing::scenario_error;

TEST(ScenarioContainers, KeysAreRead) {
  auto s =
      parse_scenario(minimal_scenario("[gitlab]\nrepository_sizes = { \"root/app\" = \"1.5Gi\", \"root/b\" = 1024 }\n"
                                      "[cluster]\ncgroup_version = 1\nsingle_process_oom_kill = true\n"
                                      "run_once_active_deadline_seconds = 600\n"
                                      "[cluster.commands.gradle]\nmemory = \"3Gi\"\n"
                                      "[[cluster.secrets]]\nname = \"db\"\nnamespace = \"ci\"\n"
                                      "string_data = { password = \"s3cr3t\" }\n"),
                     "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->cgroup_version, 1);
  EXPECT_TRUE(s->single_process_oom_kill);
  EXPECT_EQ(s->run_once_deadline, 600);
  EXPECT_EQ(s->repository_sizes.at("root/app"), 1536ull * 1024 * 1024);
  EXPECT_EQ(s->repository_sizes.at("root/b"), 1024u);
  EXPECT_EQ(s->commands.at("gradle").memory_bytes, 3ull * 1024 * 1024 * 1024);
  ASSERT_EQ(s->cluster_objects.size(), 1u);
  EXPECT_EQ(s->cluster_objects[0]["kind"], "Secret");
  EXPECT_EQ(s->cluster_objects[0]["stringData"]["password"], "s3cr3t");
  EXPECT_EQ(s->cluster_objects[0]["type"], "Opaque");
}

TEST(ScenarioContainers, DefaultsAreCgroupV2AndNoOverride) {
  auto s = parse_scenario(minimal_scenario(), "s.toml");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cgroup_version, 2);
  EXPECT_FALSE(s->single_process_oom_kill);
  EXPECT_FALSE(s->run_once_deadline.has_value());
  EXPECT_TRUE(s->repository_sizes.empty());
}

TEST(ScenarioContainers, WrongValuesHavePositions) {
  Error cgroup = scenario_error(minimal_scenario("[cluster]\ncgroup_version = 3\n"));
  EXPECT_EQ(cgroup.where, "s.toml:12:18");
  EXPECT_EQ(cgroup.message, "cluster.cgroup_version: expected 1 or 2");
  Error deadline = scenario_error(minimal_scenario("[cluster]\nrun_once_active_deadline_seconds = 0\n"));
  EXPECT_EQ(deadline.message, "cluster.run_once_active_deadline_seconds: expected a number of seconds > 0");
  Error memory = scenario_error(minimal_scenario("[cluster.commands.make]\nmemory = \"lots\"\n"));
  EXPECT_EQ(memory.where, "s.toml:12:10");
  EXPECT_EQ(memory.message,
            "cluster.commands.make.memory: quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  Error size = scenario_error(minimal_scenario("[gitlab]\nrepository_sizes = { \"root/app\" = true }\n"));
  EXPECT_EQ(size.message,
            "gitlab.repository_sizes.root/app: expected a quantity such as \"3Gi\" or \"512Mi\", got a boolean");
  Error secret = scenario_error(minimal_scenario("[[cluster.secrets]]\nname = \"db\"\n"));
  EXPECT_EQ(secret.message, "cluster.secrets: missing required key \"namespace\"");
  Error typo =
      scenario_error(minimal_scenario("[[cluster.secrets]]\nname = \"db\"\nnamespace = \"ci\"\nstringdata = {}\n"));
  EXPECT_EQ(typo.message, "unknown key \"cluster.secrets.stringdata\" (did you mean \"string_data\"?)");
}

}  // namespace
}  // namespace kexsim::sim

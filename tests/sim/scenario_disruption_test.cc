// The [[cluster.disruptions]] keys: what is read, and wrong keys and values with a file position.
#include "sim/scenario_disruption.h"
#include "tests/support/minimal_scenario.h"
#include "tests/support/scenario_error.h"

#include <gtest/gtest.h>

namespace kexsim::sim {
namespace {

using testing::minimal_scenario;

using testing::scenario_error;

TEST(ScenarioDisruption, KeysAreRead) {
  auto s = parse_scenario(minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\nat_seconds = 12.5\n"
                                           "grace_period_seconds = 5\npod = \"runner-\"\n"
                                           "[[cluster.disruptions]]\naction = \"preempt\"\non_output = \"starting\"\n"
                                           "after_seconds = 3\npreemptor = \"big\"\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_EQ(s->disruptions.size(), 2u);
  const fakes::DisruptionPlan& evict = s->disruptions[0];
  EXPECT_EQ(evict.action, fakes::DisruptionAction::kEvict);
  EXPECT_EQ(evict.at, std::chrono::milliseconds(12500));
  EXPECT_EQ(evict.grace_period_seconds, 5);
  EXPECT_EQ(evict.pod, "runner-");
  const fakes::DisruptionPlan& preempt = s->disruptions[1];
  EXPECT_EQ(preempt.action, fakes::DisruptionAction::kPreempt);
  EXPECT_FALSE(preempt.at.has_value());
  EXPECT_EQ(preempt.on_output, "starting");
  EXPECT_EQ(preempt.after, std::chrono::seconds(3));
  EXPECT_EQ(preempt.preemptor, "big");
}

TEST(ScenarioDisruption, NoneByDefault) {
  auto s = parse_scenario(minimal_scenario(), "s.toml");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->disruptions.empty());
}

TEST(ScenarioDisruption, WrongKeysAndValuesHavePositions) {
  Error action = scenario_error(minimal_scenario("[[cluster.disruptions]]\naction = \"cordon\"\nat_seconds = 1\n"));
  EXPECT_EQ(action.where, "s.toml:12:10");
  EXPECT_EQ(action.message,
            "cluster.disruptions.action: expected evict, delete, drain, node_lost or preempt, got \"cordon\"");
  Error missing = scenario_error(minimal_scenario("[[cluster.disruptions]]\nat_seconds = 1\n"));
  EXPECT_EQ(missing.message, "cluster.disruptions: missing required key \"action\"");
  Error trigger = scenario_error(minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\n"));
  EXPECT_EQ(trigger.message, "cluster.disruptions: a disruption needs a trigger");
  Error both = scenario_error(
      minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\nat_seconds = 1\non_output = \"x\"\n"));
  EXPECT_EQ(both.where, "s.toml:14:13");
  EXPECT_EQ(both.message, "cluster.disruptions.on_output: give at_seconds or on_output, not both");
  Error negative = scenario_error(minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\nat_seconds = -1\n"));
  EXPECT_EQ(negative.where, "s.toml:13:14");
  EXPECT_EQ(negative.message, "cluster.disruptions.at_seconds: expected a number of seconds >= 0");
  Error grace =
      scenario_error(minimal_scenario("[[cluster.disruptions]]\naction = \"node_lost\"\nat_seconds = 1\n"
                                      "grace_period_seconds = 3\n"));
  EXPECT_EQ(grace.message, "cluster.disruptions.grace_period_seconds: a lost node stops nothing gracefully");
  Error preemptor = scenario_error(
      minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\nat_seconds = 1\npreemptor = \"x\"\n"));
  EXPECT_EQ(preemptor.message, "cluster.disruptions.preemptor: only preempt has a preemptor");
  Error typo = scenario_error(
      minimal_scenario("[[cluster.disruptions]]\naction = \"evict\"\nat_seconds = 1\ngrace_period = 1\n"));
  EXPECT_EQ(typo.where, "s.toml:14:1");
  EXPECT_NE(typo.message.find("unknown key \"cluster.disruptions.grace_period\""), std::string::npos) << typo.message;
}

}  // namespace
}  // namespace kexsim::sim

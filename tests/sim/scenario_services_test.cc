// The services keys of a scenario ([[cluster.services]]): start delays, ports and the failure
// override, each wrong value reported at its file position.
#include "sim/scenario_services.h"
#include "tests/support/minimal_scenario.h"
#include "tests/support/scenario_error.h"

#include <gtest/gtest.h>

namespace kexsim::sim {
namespace {

using testing::minimal_scenario;

using testing::scenario_error;

TEST(ScenarioServices, KeysAreRead) {
  auto s = parse_scenario(
      minimal_scenario("[[cluster.services]]\nimage = \"docker:24.0.6-dind\"\nlisten_after_seconds = 2.5\n"
                       "fails = false\n[[cluster.services]]\nimage = \"postgres\"\nports = [5432, 5433]\n"),
      "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_EQ(s->service_models.size(), 2u);
  EXPECT_EQ(s->service_models[0].image, "docker:24.0.6-dind");
  EXPECT_EQ(s->service_models[0].listen_after, std::chrono::milliseconds(2500));
  EXPECT_EQ(s->service_models[0].fails, std::optional<bool>(false));
  EXPECT_EQ(s->service_models[1].ports, (std::vector<int>{5432, 5433}));
  EXPECT_FALSE(s->service_models[1].fails.has_value());
}

TEST(ScenarioServices, WrongValuesHavePositions) {
  EXPECT_EQ(
      scenario_error(minimal_scenario("[[cluster.services]]\nlisten_after_seconds = 1\n")).where.rfind("s.toml:11:", 0),
      0u);
  const Error negative =
      scenario_error(minimal_scenario("[[cluster.services]]\nimage = \"x\"\nlisten_after_seconds = -1\n"));
  EXPECT_EQ(negative.where, "s.toml:13:24");
  EXPECT_NE(negative.message.find("expected a number of seconds >= 0"), std::string::npos) << negative.message;
  const Error port = scenario_error(minimal_scenario("[[cluster.services]]\nimage = \"x\"\nports = [80, 0]\n"));
  EXPECT_EQ(port.where, "s.toml:13:14");
  const Error typo = scenario_error(minimal_scenario("[[cluster.services]]\nimage = \"x\"\nlisten_afer_seconds = 3\n"));
  EXPECT_NE(typo.message.find("did you mean \"listen_after_seconds\""), std::string::npos) << typo.message;
}

}  // namespace
}  // namespace kexsim::sim

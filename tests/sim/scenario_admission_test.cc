#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "tests/support/minimal_scenario.h"

namespace kexsim::sim {
namespace {

using testing::minimal_scenario;

const nlohmann::json* object_of(const Scenario& s, const std::string& kind) {
  for (const auto& o : s.cluster_objects)
    if (o["kind"] == kind) return &o;
  return nullptr;
}

TEST(ScenarioAdmissionTest, KeysBecomeObjectsAndWebhooks) {
  auto s = parse_scenario(minimal_scenario("[cluster]\n"
                                           "namespaces = [\"ci\"]\n"
                                           "[cluster.namespace_labels]\n"
                                           "ci = { \"pod-security.kubernetes.io/enforce\" = \"restricted\" }\n"
                                           "[[cluster.pods]]\n"
                                           "name = \"web-1\"\n"
                                           "namespace = \"ci\"\n"
                                           "requests = { cpu = \"0.5\" }\n"
                                           "[[cluster.resource_quotas]]\n"
                                           "name = \"compute\"\n"
                                           "namespace = \"ci\"\n"
                                           "hard = { \"requests.cpu\" = \"4\", pods = 10 }\n"
                                           "[[cluster.limit_ranges]]\n"
                                           "name = \"limits\"\n"
                                           "namespace = \"ci\"\n"
                                           "[[cluster.limit_ranges.limits]]\n"
                                           "max = { cpu = \"1\" }\n"
                                           "default_request = { memory = \"128Mi\" }\n"
                                           "[[cluster.webhooks]]\n"
                                           "name = \"validation.gatekeeper.sh\"\n"
                                           "service = \"gatekeeper-system/gatekeeper-webhook-service\"\n"
                                           "failure_policy = \"Ignore\"\n"
                                           "failure = \"timeout\"\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const auto* ns = object_of(*s, "Namespace");
  ASSERT_TRUE(ns);
  EXPECT_EQ((*ns)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted");
  ASSERT_TRUE(object_of(*s, "Pod"));
  EXPECT_EQ((*object_of(*s, "Pod"))["spec"]["containers"][0]["resources"]["requests"]["cpu"], "0.5");
  ASSERT_TRUE(object_of(*s, "ResourceQuota"));
  EXPECT_EQ((*object_of(*s, "ResourceQuota"))["spec"]["hard"]["pods"], "10");
  ASSERT_TRUE(object_of(*s, "LimitRange"));
  EXPECT_EQ((*object_of(*s, "LimitRange"))["spec"]["limits"][0]["defaultRequest"]["memory"], "128Mi");
  EXPECT_EQ((*object_of(*s, "LimitRange"))["spec"]["limits"][0]["type"], "Container");
  ASSERT_EQ(s->webhooks.size(), 1u);
  EXPECT_EQ(s->webhooks[0].service_namespace, "gatekeeper-system");
  EXPECT_EQ(s->webhooks[0].service_name, "gatekeeper-webhook-service");
  EXPECT_TRUE(s->webhooks[0].fail_open);
  EXPECT_EQ(s->webhooks[0].failure, "timeout");
}

TEST(ScenarioAdmissionTest, WrongValuesHavePositions) {
  auto bad_quantity = parse_scenario(minimal_scenario("[[cluster.resource_quotas]]\nname = \"q\"\nnamespace = \"ci\"\n"
                                                      "hard = { cpu = \"4 cores\" }\n"),
                                     "s.toml");
  ASSERT_FALSE(bad_quantity.ok());
  EXPECT_EQ(bad_quantity.error().where.rfind("s.toml:14:", 0), 0u) << bad_quantity.error().where;
  EXPECT_NE(bad_quantity.error().message.find("cluster.resource_quotas.hard.cpu"), std::string::npos);

  auto bad_rule = parse_scenario(minimal_scenario("[[cluster.webhooks]]\nname = \"w\"\ndeny = [\"root\"]\n"), "s.toml");
  ASSERT_FALSE(bad_rule.ok());
  EXPECT_EQ(bad_rule.error().where.rfind("s.toml:13:", 0), 0u) << bad_rule.error().where;
  EXPECT_NE(bad_rule.error().message.find("got \"root\""), std::string::npos) << bad_rule.error().message;

  auto idle = parse_scenario(minimal_scenario("[[cluster.webhooks]]\nname = \"w\"\n"), "s.toml");
  ASSERT_FALSE(idle.ok());
  EXPECT_NE(idle.error().message.find("neither denies nor fails"), std::string::npos);

  auto unknown = parse_scenario(minimal_scenario("[[cluster.limit_ranges]]\nname = \"l\"\nnamespace = \"ci\"\n"
                                                 "[[cluster.limit_ranges.limits]]\nmaxx = { cpu = \"1\" }\n"),
                                "s.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unknown key \"cluster.limit_ranges.limits.maxx\" (did you mean \"max\"?)");
}

}  // namespace
}  // namespace kexsim::sim

// The image keys of a scenario: registries with their images, pull secrets, the kubelet's pull settings,
// and file:line:column errors for wrong values.

#include "sim/scenario_images.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "tests/support/minimal_scenario.h"

namespace kexsim::sim {
namespace {

std::string with_cluster(const std::string& cluster) { return testing::minimal_scenario("[cluster]\n" + cluster); }

TEST(ScenarioImages, RegistriesSecretsAndSettings) {
  auto s = parse_scenario(with_cluster(R"([[cluster.registries]]
host = "registry.example.com"
address = "10.20.0.15"
reach = "timeout"
private = true
username = "ci"
password = "pw"
pull_seconds = 4.5
[[cluster.registries.images]]
repository = "acme/app"
tags = ["1"]
platforms = ["linux/arm64"]
size_bytes = 1234

[[cluster.pull_secrets]]
name = "regcred"
namespace = "ci"
type = "dockercfg"
registry = "registry.example.com"
username = "ci"
password = "pw"

[cluster.image_pulls]
pull_qps = 2
pull_burst = 3
serialize_pulls = false
node_dns = "10.0.0.2:53"
[[cluster.image_pulls.preloaded]]
node = "node-1"
images = ["alpine:3.20"]
)"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_EQ(s->images.registries.size(), 1u);
  const fakes::Registry& r = s->images.registries[0];
  EXPECT_EQ(r.host, "registry.example.com");
  EXPECT_EQ(r.reach, fakes::RegistryReach::kTimeout);
  EXPECT_TRUE(r.private_registry);
  EXPECT_EQ(r.pull_time, std::chrono::milliseconds(4500));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].platforms, std::vector<std::string>{"linux/arm64"});
  EXPECT_EQ(r.images[0].size_bytes, 1234);
  EXPECT_EQ(s->images.pull_qps, 2);
  EXPECT_EQ(s->images.pull_burst, 3);
  EXPECT_FALSE(s->images.serialize_pulls);
  EXPECT_EQ(s->images.node_dns, "10.0.0.2:53");
  EXPECT_EQ(s->images.preloaded.at("node-1"), std::vector<std::string>{"alpine:3.20"});
  ASSERT_FALSE(s->cluster_objects.empty());
  const nlohmann::json& secret = s->cluster_objects.back();
  EXPECT_EQ(secret["type"], "kubernetes.io/dockercfg");
  const auto cfg = base64_decode(secret["data"][".dockercfg"].get<std::string>());
  ASSERT_TRUE(cfg);
  EXPECT_EQ(nlohmann::json::parse(*cfg)["registry.example.com"]["username"], "ci");
}

TEST(ScenarioImages, WrongValuesNameTheirPlace) {
  auto bad = parse_scenario(with_cluster("[[cluster.registries]]\nhost = \"r\"\nreach = \"down\"\n"), "s.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where, "s.toml:14:9");
  EXPECT_NE(bad.error().message.find("expected one of \"ok\""), std::string::npos);
  auto platform = parse_scenario(
      with_cluster("[[cluster.registries]]\nhost = \"r\"\n[[cluster.registries.images]]\nrepository = \"a\"\n"
                   "platforms = [\"arm64\"]\n"),
      "s.toml");
  ASSERT_FALSE(platform.ok());
  EXPECT_NE(platform.error().message.find("\"os/arch\""), std::string::npos);
  auto unknown = parse_scenario(with_cluster("[[cluster.registries]]\nhost = \"r\"\nprivat = true\n"), "s.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("did you mean \"private\""), std::string::npos) << unknown.error().message;
  auto no_creds = parse_scenario(with_cluster("[[cluster.registries]]\nhost = \"r\"\nprivate = true\n"), "s.toml");
  ASSERT_FALSE(no_creds.ok());
  EXPECT_NE(no_creds.error().message.find("needs username and password"), std::string::npos);
}

}  // namespace
}  // namespace kexsim::sim

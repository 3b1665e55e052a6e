#include "fakes/network/network.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

Network field_network() {
  Network n;
  n.add_host({"gitlab.mylab.com", "10.0.0.216", 443, "gitlab", TlsBehaviour::kOk});
  n.set_runner_rules({{{"gitlab.mylab.com", "10.0.0.216"}}, {}, {}, {}});
  n.set_pod_rules({{{"gitlab.mylab.com", "203.0.113.10"}}, {"203.0.113.10"}, {}, {}});
  return n;
}

TEST(Network, RunnerAndPodSeeDifferentAddresses) {
  Network n = field_network();
  EXPECT_EQ(n.resolve_from_runner("gitlab.mylab.com"), "10.0.0.216");
  EXPECT_EQ(n.resolve_from_pod("gitlab.mylab.com", nlohmann::json::array()), "203.0.113.10");
  EXPECT_EQ(n.reach_from_runner("10.0.0.216", 443), Reach::kReachable);
  EXPECT_EQ(n.reach_from_pod("203.0.113.10", 443), Reach::kUnreachable);
}

TEST(Network, HostAliasesComeBeforeDns) {
  Network n = field_network();
  nlohmann::json aliases = {{{"ip", "10.0.0.216"}, {"hostnames", {"gitlab.mylab.com", "registry.mylab.com"}}}};
  EXPECT_EQ(n.resolve_from_pod("gitlab.mylab.com", aliases), "10.0.0.216");
  EXPECT_EQ(n.reach_from_pod("10.0.0.216", 443), Reach::kReachable);
}

TEST(Network, ClosedPortIsRefusedAndUnknownAddressUnreachable) {
  Network n = field_network();
  EXPECT_EQ(n.reach_from_runner("10.0.0.216", 22), Reach::kRefused);
  EXPECT_EQ(n.reach_from_runner("198.51.100.1", 443), Reach::kUnreachable);
  EXPECT_FALSE(n.resolve_from_runner("nowhere.invalid").has_value());
  EXPECT_EQ(n.resolve_from_runner("10.1.2.3"), "10.1.2.3");
}

TEST(Network, GoDialErrorsUseGoWording) {
  EXPECT_EQ(Network::go_dial_error(Reach::kRefused, "10.0.0.216", 443), "dial tcp 10.0.0.216:443: connect: connection refused");
  EXPECT_EQ(Network::go_dial_error(Reach::kUnreachable, "10.0.0.216", 443), "dial tcp 10.0.0.216:443: connect: no route to host");
  EXPECT_EQ(Network::go_dial_error(Reach::kTimeout, "10.0.0.216", 443), "dial tcp 10.0.0.216:443: i/o timeout");
}

TEST(Network, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("10.0.0.216"));
  EXPECT_FALSE(is_ip_literal("gitlab.mylab.com"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
  EXPECT_FALSE(is_ip_literal("1.2.3.4444"));
}

}  // namespace
}  // namespace kexsim::fakes

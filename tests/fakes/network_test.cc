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
  EXPECT_EQ(Network::go_dial_error(Reach::kRefused, "10.0.0.216", 443),
            "dial tcp 10.0.0.216:443: connect: connection refused");
  EXPECT_EQ(Network::go_dial_error(Reach::kUnreachable, "10.0.0.216", 443),
            "dial tcp 10.0.0.216:443: connect: no route to host");
  EXPECT_EQ(Network::go_dial_error(Reach::kTimeout, "10.0.0.216", 443), "dial tcp 10.0.0.216:443: i/o timeout");
}

TEST(Network, IpLiteralsResolveToThemselvesIpv6Too) {
  // The network model and the executor share one notion of an IP literal: `::1` is one, not a name.
  Network net;
  net.add_host({"gitlab.mylab.com", "10.0.0.216", 443, "gitlab"});
  for (const std::string literal : {"10.0.0.9", "::1", "fe80::1"}) {
    EXPECT_EQ(net.resolve_from_runner(literal), literal);
    EXPECT_EQ(net.resolve_from_pod(literal, nlohmann::json::array()), literal);
  }
  EXPECT_EQ(net.resolve_from_runner("1.2.3"), std::nullopt);
  EXPECT_EQ(net.resolve_from_pod("1.2.3.4444", nlohmann::json::array()), std::nullopt);
}

}  // namespace
}  // namespace kexsim::fakes

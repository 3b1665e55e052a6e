// Connection-level faults (fakes/faults/connection_faults.h): refused dials and TLS alerts, counted per wire.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/faults/connection_faults.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

FaultRule refuse(const std::string& wire, int nth, int count) {
  FaultRule r;
  r.wire = wire;
  r.refuse = true;
  r.nth = nth;
  r.count = count;
  return r;
}

TEST(ConnectionFaults, CountsDialsPerWireAndLogsThem) {
  testing::ManualClock clock;
  FaultRule alert;
  alert.wire = "gitlab";
  alert.tls_alert = true;
  FaultRule answer;  // a request-level rule: not this layer's
  answer.wire = "kubernetes";
  answer.status = 500;
  std::vector<std::string> seen;
  ConnectionFaults faults(clock, {refuse("kubernetes", 2, 2), alert, answer},
                          [&](const std::string& wire, const HttpRequest& r, const std::string& verdict) {
                            seen.push_back(wire + " " + r.method + " " + r.target + " " + verdict);
                          });
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kConnect);
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kRefuse);
  EXPECT_EQ(faults.on_dial("gitlab", "10.0.0.5", 443), DialVerdict::kTlsAlert);
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kRefuse);
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kConnect);
  EXPECT_EQ(faults.on_dial("gitlab", "10.0.0.5", 443), DialVerdict::kConnect);
  EXPECT_EQ(seen, (std::vector<std::string>{"kubernetes CONNECT 10.96.0.1:443 refused",
                                            "gitlab CONNECT 10.0.0.5:443 tls-alert",
                                            "kubernetes CONNECT 10.96.0.1:443 refused"}));
}

TEST(ConnectionFaults, WindowCountsFromConstruction) {
  testing::ManualClock clock;
  FaultRule r = refuse("kubernetes", 1, 100);
  r.after_seconds = 10;
  r.until_seconds = 20;
  ConnectionFaults faults(clock, {r}, nullptr);
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kConnect);
  clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kRefuse);
  clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(faults.on_dial("kubernetes", "10.96.0.1", 443), DialVerdict::kConnect);
  EXPECT_EQ(faults.on_dial("unknown", "10.0.0.9", 80), DialVerdict::kConnect);
}

}  // namespace
}  // namespace kexsim::fakes

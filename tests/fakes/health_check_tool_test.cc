// The helper's health-check model: its flags, one port's dial loop, and the lines it prints against the
// pod's service daemons (commands/helpers/health_check.go upstream).
#include "fakes/runtime/health_check_tool.h"

#include <gtest/gtest.h>

#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using runtime_testing::transcript;
using std::chrono::seconds;

class ServicesWorld : public runtime_testing::TestWorld {
 public:
  const PodServices* services() override { return &pod; }
  PodServices pod;
};

class HealthCheckToolTest : public ::testing::Test {
 protected:
  // A service daemon on port, listening `delay` after the exec starts (none: never).
  void add_service(int port, std::optional<Duration> delay) {
    ServiceDaemon d;
    d.container = "db";
    d.image = "postgres:15";
    d.ports = {port};
    if (delay) d.listening_from = options.start + *delay;
    world.pod.daemons.push_back(d);
  }
  ShellResult run(const std::string& script) {
    options.volumes = make_volumes();
    return interpret(script, options, world);
  }
  ServicesWorld world;
  ShellOptions options;
};

TEST(HealthCheckPortsTest, ReadsEveryPortFlag) {
  auto ports = shell::health_check_ports({"--port", "5432", "-p", "6379", "--port=9200"});
  ASSERT_TRUE(ports);
  EXPECT_EQ(*ports, (std::vector<std::string>{"5432", "6379", "9200"}));
  auto missing = shell::health_check_ports({"--port"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "flag needs an argument: --port");
  auto unknown = shell::health_check_ports({"--host=db"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "flag provided but not defined: --host");
}

TEST(HealthCheckPortsTest, DialsEverySecondUntilThePortAnswers) {
  const auto up_at_3 = [](Duration t) { return t >= seconds(3); };
  shell::PortDials dials = shell::plan_port_dials(up_at_3, Duration{0}, std::chrono::hours(1));
  EXPECT_TRUE(dials.succeeded);
  EXPECT_EQ(dials.dials, (std::vector<Duration>{seconds(0), seconds(1), seconds(2), seconds(3)}));
  // A black hole: each dial costs its connect timeout (at most DialContext's 5 minutes), then 1 s of sleep.
  const auto never = [](Duration) { return false; };
  dials = shell::plan_port_dials(never, std::chrono::minutes(10), std::chrono::minutes(12));
  EXPECT_FALSE(dials.succeeded);
  EXPECT_EQ(dials.dials, (std::vector<Duration>{seconds(0), seconds(301), seconds(602)}));
}

TEST_F(HealthCheckToolTest, PrintsEachDialUntilTheServiceListens) {
  add_service(5432, seconds(2));
  const ShellResult r = run("gitlab-runner-helper health-check --port '5432' \necho status=$?\n");
  // Writes at one instant make one chunk.
  EXPECT_EQ(transcript(r),
            "0 1: waiting for TCP connection to localhost on [5432]...\ndialing localhost:5432...\n"
            "1000 1: dialing localhost:5432...\n"
            "2000 1: dialing localhost:5432...\ndial succeeded on localhost:5432. Exiting...\nstatus=0\n");
}

TEST_F(HealthCheckToolTest, WaitsForEveryPortSideBySide) {
  add_service(5432, seconds(1));
  add_service(6379, Duration{0});
  const ShellResult r = run("gitlab-runner-helper health-check --port '5432' --port '6379' \n");
  EXPECT_EQ(transcript(r),
            "0 1: waiting for TCP connection to localhost on [5432 6379]...\ndialing localhost:5432...\n"
            "dialing localhost:6379...\ndial succeeded on localhost:6379. Exiting...\n"
            "1000 1: dialing localhost:5432...\ndial succeeded on localhost:5432. Exiting...\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(HealthCheckToolTest, APortNobodyOpensIsDialedUntilTheModelGivesUp) {
  add_service(5433, seconds(1));  // listens, but not on the port asked for
  world.fail("localhost", ConnectOutcome::Kind::kRefused);
  const ShellResult r = run("gitlab-runner-helper health-check --port '5432' \n");
  EXPECT_EQ(r.exit_code, 1);
  const std::string out = stream_text(r, 1);
  EXPECT_EQ(out.find("dial succeeded"), std::string::npos);
  // One dial a second for the model's whole limit, the first at 0.
  const auto limit = std::chrono::duration_cast<seconds>(shell::kHealthCheckModelLimit).count();
  size_t dials = 0;
  for (size_t at = out.find("dialing localhost:5432..."); at != std::string::npos;
       at = out.find("dialing localhost:5432...", at + 1))
    ++dials;
  EXPECT_EQ(dials, static_cast<size_t>(limit + 1));
  EXPECT_NE(stream_text(r, 2).find("stopped waiting after 6h0m0s"), std::string::npos);
}

}  // namespace
}  // namespace kexsim::fakes

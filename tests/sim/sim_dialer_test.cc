#include "sim/sim_dialer.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "sim/virtual_clock.h"

namespace kexsim::sim {
namespace {

struct DialOutcome {
  bool done = false;
  std::string error;
};

DialOutcome dial(fakes::Network& network, const std::string& host, Duration& elapsed) {
  boost::asio::io_context io;
  VirtualClock clock(io, TimePoint(Duration(0)));
  SimDialer dialer(network, clock, "");
  DialOutcome out;
  boost::asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto socket = co_await dialer.dial(host, 443);
        if (!socket) out.error = socket.error().message;
        out.done = true;
      },
      boost::asio::detached);
  auto status = clock.run_until([&] { return out.done; }, std::chrono::hours(1));
  EXPECT_TRUE(status.ok()) << status.error().describe();
  elapsed = clock.elapsed();
  return out;
}

TEST(SimDialer, UnreachableAndTimedOutDialsTakeVirtualTimeAndUseGoWording) {
  fakes::Network network;
  network.add_host({"gitlab.mylab.com", "10.0.0.216", 443, "gitlab", fakes::TlsBehaviour::kOk});
  network.set_runner_rules({{{"gitlab.mylab.com", "10.0.0.216"}}, {}, {}, {"10.0.0.216"}});
  Duration elapsed{0};
  DialOutcome timed_out = dial(network, "gitlab.mylab.com", elapsed);
  EXPECT_EQ(timed_out.error, "dial tcp 10.0.0.216:443: i/o timeout");
  EXPECT_EQ(elapsed, std::chrono::seconds(130));

  network.set_runner_rules({{}, {"10.0.0.216"}, {}, {}});
  DialOutcome unreachable = dial(network, "gitlab.mylab.com", elapsed);
  EXPECT_EQ(unreachable.error, "dial tcp 10.0.0.216:443: connect: no route to host");
  EXPECT_EQ(elapsed, std::chrono::seconds(3));
}

TEST(SimDialer, UnknownNamesFailLikeGoResolver) {
  fakes::Network network;
  Duration elapsed{0};
  DialOutcome out = dial(network, "nowhere.example", elapsed);
  EXPECT_EQ(out.error, "dial tcp: lookup nowhere.example on 127.0.0.53:53: no such host");
  EXPECT_EQ(elapsed, Duration(0));
}

}  // namespace
}  // namespace kexsim::sim

#include "base/real_clock.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace kexsim {
namespace {

TEST(RealClock, NowIsTheSystemClockInMicroseconds) {
  RealClock clock;
  const auto before = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const TimePoint now = clock.now();
  const auto after = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

TEST(RealClock, SleepsResumeTheCoroutineOnItsExecutor) {
  RealClock clock;
  boost::asio::io_context io;
  int woke = 0;
  auto sleeper = [&](Duration d) -> asio::awaitable<void> {
    co_await clock.sleep_for(d);
    ++woke;
  };
  asio::co_spawn(io, sleeper(Duration(0)), asio::detached);
  asio::co_spawn(io, sleeper(Duration(-5)), asio::detached);
  asio::co_spawn(io, sleeper(std::chrono::milliseconds(1)), asio::detached);
  io.run();
  EXPECT_EQ(woke, 3);
}

TEST(RealClock, IgnoresInFlightAccounting) {
  // A virtual clock would never advance with a message in flight; the real one must not care.
  RealClock clock;
  clock.io_begin();
  clock.io_begin();
  clock.io_end();
  boost::asio::io_context io;
  bool woke = false;
  auto sleeper = [&]() -> asio::awaitable<void> {
    co_await clock.sleep_for(std::chrono::milliseconds(1));
    woke = true;
  };
  asio::co_spawn(io, sleeper(), asio::detached);
  io.run();
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace kexsim

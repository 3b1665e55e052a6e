#include "sim/virtual_clock.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace kexsim::sim {
namespace {

TimePoint epoch() { return TimePoint(Duration(0)); }

TEST(VirtualClock, SleepersWakeInDeadlineOrderWithoutWallTime) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  std::vector<std::string> order;
  auto sleeper = [&](std::string name, int seconds) -> asio::awaitable<void> {
    co_await clock.sleep_for(std::chrono::seconds(seconds));
    order.push_back(name + "@" +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(clock.elapsed()).count()));
  };
  boost::asio::co_spawn(io, sleeper("late", 180), boost::asio::detached);
  boost::asio::co_spawn(io, sleeper("early", 3), boost::asio::detached);
  boost::asio::co_spawn(io, sleeper("tie-first", 60), boost::asio::detached);
  boost::asio::co_spawn(io, sleeper("tie-second", 60), boost::asio::detached);
  auto status = clock.run_until([&] { return order.size() == 4; }, std::chrono::hours(1));
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(order, (std::vector<std::string>{"early@3", "tie-first@60", "tie-second@60", "late@180"}));
}

TEST(VirtualClock, TimeDoesNotMoveWhileSomethingIsInFlight) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  bool woke = false;
  boost::asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await clock.sleep_for(std::chrono::seconds(5));
        woke = true;
      },
      boost::asio::detached);
  clock.io_begin();
  // With a message in flight the driver may only wait for the network; give it a bound.
  io.poll();
  EXPECT_FALSE(woke);
  EXPECT_EQ(clock.elapsed(), Duration(0));
  clock.io_end();
  auto status = clock.run_until([&] { return woke; }, std::chrono::hours(1));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(clock.elapsed(), std::chrono::seconds(5));
}

TEST(VirtualClock, StallIsReportedNotHung) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  auto status = clock.run_until([] { return false; }, std::chrono::hours(1));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("stalled"), std::string::npos);
}

TEST(VirtualClock, LimitStopsARunawaySimulation) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  boost::asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (;;) co_await clock.sleep_for(std::chrono::seconds(10));
      },
      boost::asio::detached);
  auto status = clock.run_until([] { return false; }, std::chrono::minutes(5));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("virtual time limit"), std::string::npos);
}

TEST(VirtualClock, ALeakedInFlightCountFailsAfterTheStallTimeoutInsteadOfHanging) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  clock.set_stall_timeout(std::chrono::milliseconds(5));  // a watchdog bound, not a sleep
  boost::asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await clock.sleep_for(std::chrono::seconds(5)); }, boost::asio::detached);
  clock.io_begin();
  clock.io_begin();  // two io_begin()s nobody will end
  auto status = clock.run_until([] { return false; }, std::chrono::hours(1));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.rfind("no progress for 0.", 0), 0u) << status.error().message;
  EXPECT_NE(status.error().message.find(" s while 2 requests/messages are in flight (unbalanced io_begin/io_end)"),
            std::string::npos)
      << status.error().message;
  EXPECT_EQ(clock.elapsed(), Duration(0)) << "time must not move while something is in flight";
}

TEST(VirtualClock, ABusyLoopThatNeverLetsTimeMoveFailsAfterTheStallTimeout) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  clock.set_busy_loop_timeout(std::chrono::milliseconds(5));  // a watchdog bound, not a sleep
  boost::asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await clock.sleep_for(std::chrono::seconds(2));
        for (;;) co_await clock.sleep_for(Duration(0));  // waiting for a flag nobody sets
      },
      boost::asio::detached);
  auto status = clock.run_until([] { return false; }, std::chrono::hours(1));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.rfind("virtual time has not moved for 0.", 0), 0u) << status.error().message;
  EXPECT_NE(status.error().message.find(" s while coroutines keep running (a busy loop at 2000 ms of virtual time)"),
            std::string::npos)
      << status.error().message;
}

TEST(VirtualClock, ANegativeInFlightCountIsABugReport) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  boost::asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await clock.sleep_for(std::chrono::seconds(5)); }, boost::asio::detached);
  clock.io_end();
  auto status = clock.run_until([] { return false; }, std::chrono::hours(1));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "the in-flight count is -1 with nothing ready to run: an io_end() without its io_begin() "
            "(unbalanced io_begin/io_end)");
  EXPECT_NE(status.error().hint.find("kexsim bug"), std::string::npos);
}

TEST(VirtualClock, AnExceptionOutOfAHandlerIsAnErrorNotACrash) {
  boost::asio::io_context io;
  VirtualClock clock(io, epoch());
  boost::asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await clock.sleep_for(std::chrono::seconds(1));
        throw std::runtime_error("boom");
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });  // as the fakes' servers do
  auto status = clock.run_until([] { return false; }, std::chrono::hours(1));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "an exception escaped the simulation: boom");
  EXPECT_EQ(clock.elapsed(), std::chrono::seconds(1));
}

}  // namespace
}  // namespace kexsim::sim

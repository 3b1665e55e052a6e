#pragma once
// The test toolkit's clock for tests over real sockets: a sleep yields to the io_context until nothing
// is in flight, then jumps time forward, so a miscounted message shows up as a hang (caught by the
// test's run_for safety net) instead of passing silently.

#include <algorithm>
#include <functional>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/manual_clock.h"

namespace kexsim::testing {

/// A virtual clock for transport tests; it counts in-flight accounting so tests can check it balances.
class YieldingClock : public Clock {
 public:
  TimePoint now() const override { return now_; }
  asio::awaitable<void> sleep_for(Duration d) override {
    auto ex = co_await asio::this_coro::executor;
    do {
      co_await asio::post(ex, asio::use_awaitable);
    } while (in_flight > 0);
    now_ += d;
    if (on_sleep) on_sleep(d);
  }
  void io_begin() override { ++in_flight; }
  void io_end() override {
    --in_flight;
    min_in_flight = std::min(min_in_flight, in_flight);
  }

  TimePoint now_ = kTestEpoch;
  int in_flight = 0;      ///< counted now (0 when balanced)
  int min_in_flight = 0;  ///< the lowest count seen; below 0 means an io_end() without its io_begin()
  std::function<void(Duration)> on_sleep;  ///< called after each sleep with its duration
};

}  // namespace kexsim::testing

#include "sim/virtual_clock.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/json_fields.h"

namespace kexsim::sim {
namespace {

constexpr const char* kClockBugHint = "this is a kexsim bug; please report it with the scenario name and --seed";

/// "1 request/message is" or "K requests/messages are".
std::string in_flight_phrase(int64_t n) {
  return n == 1 ? "1 request/message is" : std::to_string(n) + " requests/messages are";
}

std::string wall_seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

VirtualClock::VirtualClock(boost::asio::io_context& io, TimePoint start) : io_(io), start_(start), now_(start) {}

asio::awaitable<void> VirtualClock::sleep_for(Duration d) {
  auto ex = co_await asio::this_coro::executor;
  // The timer never expires by itself; run_until() cancels it when virtual time reaches the
  // deadline. The registry holds it weakly, so a coroutine destroyed while asleep leaves no
  // dangling pointer behind.
  auto timer = std::make_shared<boost::asio::steady_timer>(ex, boost::asio::steady_timer::time_point::max());
  if (d.count() <= 0) ++zero_sleeps_;
  const Key key(now_ + (d.count() > 0 ? d : Duration(0)), next_seq_++);
  sleepers_.emplace(key, timer);
  boost::system::error_code ec;
  co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  sleepers_.erase(key);
}

Status VirtualClock::run_until(const std::function<bool()>& done, Duration limit) {
  // A handler that throws (a co_spawn completion rethrowing a coroutine's exception) unwinds out of
  // io_context::poll(); the run ends here with the exception's text instead of taking the process down.
  try {
    return drive(done, limit);
  } catch (const std::exception& e) {
    return make_error(std::string("an exception escaped the simulation: ") + e.what(), kClockBugHint);
  } catch (...) {
    return make_error("an exception of unknown type escaped the simulation", kClockBugHint);
  }
}

Status VirtualClock::drive(const std::function<bool()>& done, Duration limit) {
  using WallClock = std::chrono::steady_clock;
  auto last_progress = WallClock::now();
  // A busy loop (a coroutine polling a flag with sleep_for(0)) keeps handlers running but never lets
  // virtual time move: bounded in wall time like a stall. Waiting for bytes in flight is not
  // a busy loop (time may not move then); the in-flight watchdog bounds that.
  // Polling is told from work by the zero-length sleeps since time last moved, and by how little runs
  // between them: a polling loop runs a handler or two a sleep, while a thousand jobs starting in one
  // instant each sleep zero once or twice among hundreds of handlers (their handshakes and requests).
  constexpr uint64_t kPollingSleeps = 1000;
  constexpr uint64_t kHandlersPerPoll = 16;
  TimePoint time_seen = now_;
  auto time_moved = last_progress;
  uint64_t zero_sleeps_seen = zero_sleeps_;
  uint64_t handlers = 0;  // run since virtual time last moved
  while (!done()) {
    const auto spun = WallClock::now() - time_moved;
    const uint64_t zero_sleeps = zero_sleeps_ - zero_sleeps_seen;
    if (now_ != time_seen) {
      time_seen = now_;
      time_moved = WallClock::now();
      zero_sleeps_seen = zero_sleeps_;
      handlers = 0;
    } else if (spun >= busy_loop_timeout_ &&
               ((zero_sleeps >= kPollingSleeps && handlers <= kHandlersPerPoll * zero_sleeps) ||
                spun >= 10 * busy_loop_timeout_)) {
      const auto at = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - start_).count();
      return make_error("virtual time has not moved for " + wall_seconds(spun) +
                            " s while coroutines keep running (a busy loop at " + std::to_string(at) +
                            " ms of virtual time)",
                        kClockBugHint);
    }
    if (io_.stopped()) io_.restart();
    if (const size_t ran = io_.poll(); ran > 0) {
      handlers += ran;
      last_progress = WallClock::now();
      continue;
    }
    if (done()) break;
    if (in_flight_ < 0) {
      return make_error("the in-flight count is " + std::to_string(in_flight_) +
                            " with nothing ready to run: an io_end() without its io_begin()"
                            " (unbalanced io_begin/io_end)",
                        kClockBugHint);
    }
    if (in_flight_ > 0) {
      // A peer has bytes to consume; wait (in wall time, which never shows in results) for the
      // kernel to deliver them. If nothing arrives for the stall timeout, a count leaked.
      const auto waited = WallClock::now() - last_progress;
      if (waited >= stall_timeout_) {
        return make_error("no progress for " + wall_seconds(waited) + " s while " + in_flight_phrase(in_flight_) +
                              " in flight (unbalanced io_begin/io_end)",
                          kClockBugHint);
      }
      const auto slice = std::min<WallClock::duration>(std::chrono::milliseconds(200), stall_timeout_ - waited);
      if (io_.stopped()) io_.restart();
      if (io_.run_one_for(slice) > 0) last_progress = WallClock::now();
      time_moved = WallClock::now();
      continue;
    }
    while (!sleepers_.empty() && sleepers_.begin()->second.expired()) sleepers_.erase(sleepers_.begin());
    if (sleepers_.empty()) {
      return make_error("the simulation stalled: nothing is in flight and nothing waits on the clock", kClockBugHint);
    }
    auto it = sleepers_.begin();
    if (it->first.first > now_) now_ = it->first.first;
    if (now_ - start_ > limit) {
      return make_error("virtual time limit reached after " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now_ - start_).count()) +
                            " s",
                        "raise the limit or check why the job never finishes");
    }
    auto timer = it->second.lock();
    sleepers_.erase(it);
    timer->cancel();
    last_progress = WallClock::now();
  }
  return {};
}

}  // namespace kexsim::sim

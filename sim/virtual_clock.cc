#include "sim/virtual_clock.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kexsim::sim {

VirtualClock::VirtualClock(boost::asio::io_context& io, TimePoint start) : io_(io), start_(start), now_(start) {}

asio::awaitable<void> VirtualClock::sleep_for(Duration d) {
  auto ex = co_await asio::this_coro::executor;
  // The timer never expires by itself; run_until() cancels it when virtual time reaches the
  // deadline. The registry holds it weakly, so a coroutine destroyed while asleep leaves no
  // dangling pointer behind.
  auto timer = std::make_shared<boost::asio::steady_timer>(ex, boost::asio::steady_timer::time_point::max());
  const Key key(now_ + (d.count() > 0 ? d : Duration(0)), next_seq_++);
  sleepers_.emplace(key, timer);
  boost::system::error_code ec;
  co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  sleepers_.erase(key);
}

Status VirtualClock::run_until(const std::function<bool()>& done, Duration limit) {
  while (!done()) {
    if (io_.stopped()) io_.restart();
    if (io_.poll() > 0) continue;
    if (done()) break;
    if (in_flight_ > 0) {
      // A peer has bytes to consume; wait (in wall time, which never shows in results) for the
      // kernel to deliver them.
      if (io_.stopped()) io_.restart();
      io_.run_one_for(std::chrono::milliseconds(200));
      continue;
    }
    while (!sleepers_.empty() && sleepers_.begin()->second.expired()) sleepers_.erase(sleepers_.begin());
    if (sleepers_.empty()) {
      return make_error("the simulation stalled: nothing is in flight and nothing waits on the clock",
                        "this is a kexsim bug; please report it with the scenario and --seed");
    }
    auto it = sleepers_.begin();
    if (it->first.first > now_) now_ = it->first.first;
    if (now_ - start_ > limit) {
      return make_error("virtual time limit reached after " +
                        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now_ - start_).count()) +
                        " s", "raise the limit or check why the job never finishes");
    }
    auto timer = it->second.lock();
    sleepers_.erase(it);
    timer->cancel();
  }
  return {};
}

}  // namespace kexsim::sim

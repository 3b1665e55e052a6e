#include "fakes/kube/wakeable_wait.h"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kexsim::fakes {

void WakeableWait::wake() {
  if (auto timer = waiting_.lock()) timer->cancel();
}

asio::awaitable<void> WakeableWait::until(TimePoint when) {
  auto ex = co_await asio::this_coro::executor;
  // The timer never expires by itself: wake() or the clock alarm cut it short. Virtual time moves only
  // through Clock sleepers, so the due time is a sleeper of its own, shared by every wait for that time.
  auto timer = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
  waiting_ = timer;
  if (when != TimePoint::max() && alarms_.insert(when).second) {
    const Duration d = std::chrono::duration_cast<Duration>(when - clock_.now());
    asio::co_spawn(ex, alarm(&clock_, d, when, weak_from_this()), asio::detached);
  }
  boost::system::error_code ec;
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  waiting_.reset();
}

asio::awaitable<void> WakeableWait::alarm(Clock* clock, Duration d, TimePoint when, std::weak_ptr<WakeableWait> wait) {
  co_await clock->sleep_for(d);
  if (auto w = wait.lock()) {
    w->alarms_.erase(when);
    w->wake();
  }
}

}  // namespace kexsim::fakes

#include "base/real_clock.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kexsim {

TimePoint RealClock::now() const { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }

asio::awaitable<void> RealClock::sleep_for(Duration d) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, d.count() > 0 ? d : Duration(0));
  // A cancelled wait (the io_context shutting down) ends the sleep early, like a virtual one.
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace kexsim

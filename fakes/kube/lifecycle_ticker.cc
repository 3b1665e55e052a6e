#include "fakes/kube/lifecycle_ticker.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace kexsim::fakes {

LifecycleTicker::LifecycleTicker(Clock& clock, std::shared_ptr<WatchHistory> history, std::function<void()> sync,
                                 std::function<std::optional<TimePoint>()> next_change, std::weak_ptr<void> alive)
    : clock_(clock),
      history_(std::move(history)),
      sync_(std::move(sync)),
      next_change_(std::move(next_change)),
      alive_(std::move(alive)),
      wait_(std::make_shared<WakeableWait>(clock)) {
  // Every write may move the next change (a new pod, a deleted one): the ticker looks again.
  subscription_ = history_->subscribe([wait = std::weak_ptr<WakeableWait>(wait_)] {
    if (auto w = wait.lock()) w->wake();
  });
}

LifecycleTicker::~LifecycleTicker() { history_->unsubscribe(subscription_); }

void LifecycleTicker::opened() { ++watches_; }

void LifecycleTicker::closed() {
  if (watches_ > 0 && --watches_ == 0) wait_->wake();
}

void LifecycleTicker::stop() {
  stopped_ = true;
  wait_->wake();
}

void LifecycleTicker::run_on(const asio::any_io_executor& ex) {
  if (running_ || stopped_ || watches_ == 0) return;
  running_ = true;
  asio::co_spawn(ex, tick(), asio::detached);
}

asio::awaitable<void> LifecycleTicker::tick() {
  const auto self = shared_from_this();  // the server may drop its ticker while this waits
  while (!stopped_ && watches_ > 0 && !alive_.expired()) {
    // What each watch did for itself on every wake-up before the ticker: record what is due, then sleep
    // until the next change (one not later than now has nothing to wait for).
    sync_();
    TimePoint when = TimePoint::max();
    if (const std::optional<TimePoint> change = next_change_(); change && *change > clock_.now()) when = *change;
    co_await wait_->until(when);
  }
  running_ = false;
}

}  // namespace kexsim::fakes

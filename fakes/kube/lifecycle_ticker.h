#pragma once
// The fake API server's clock for its watches: pod status changes are functions of virtual time, recorded
// when something syncs. While watches are open, the ticker syncs at each change's due time, so the watches
// it concerns see it then; each watch waits only for the events it is offered and its own end.
// One ticker for N watches instead of every watch sleeping until the cluster's next change: waking N
// watches at each of N pods' changes was quadratic (BENCHMARKS.md, the 1000-job run).

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "base/clock.h"
#include "fakes/kube/wakeable_wait.h"
#include "fakes/kube/watch_history.h"

namespace kexsim::fakes {

/// Syncs the server's models at each due change while at least one watch is open.
class LifecycleTicker : public std::enable_shared_from_this<LifecycleTicker> {
 public:
  /// sync records what is due by now; next_change says when sync next has something to record. Both are
  /// called only while alive has not expired; every write to history wakes the ticker to look again.
  LifecycleTicker(Clock& clock, std::shared_ptr<WatchHistory> history, std::function<void()> sync,
                  std::function<std::optional<TimePoint>()> next_change, std::weak_ptr<void> alive);
  ~LifecycleTicker();
  LifecycleTicker(const LifecycleTicker&) = delete;
  LifecycleTicker& operator=(const LifecycleTicker&) = delete;

  /// A watch opened: the ticker runs (on ex) from its first wait on.
  void opened();
  /// A watch closed: with none left the ticker stops after its current wait.
  void closed();
  /// Starts the ticking coroutine on ex unless it runs; called by a watch before it waits.
  void run_on(const asio::any_io_executor& ex);
  /// Ends the ticking now (the server goes away).
  void stop();

 private:
  asio::awaitable<void> tick();

  Clock& clock_;
  std::shared_ptr<WatchHistory> history_;
  std::function<void()> sync_;
  std::function<std::optional<TimePoint>()> next_change_;
  std::weak_ptr<void> alive_;
  std::shared_ptr<WakeableWait> wait_;
  uint64_t subscription_ = 0;
  size_t watches_ = 0;
  bool running_ = false;
  bool stopped_ = false;
};

}  // namespace kexsim::fakes

#pragma once
// GitLab Runner's pod watcher (17.9+ executors/kubernetes/internal/watchers/pod.go and informer_factory.go):
// a client-go informer on the pods of the job's namespace with the build's labels, whose handler reports the
// job pod's terminal errors (disrupted, being deleted, deleted, terminal container states) so that a stage
// ends at once instead of when the pod is gone. The requests are the reflector's (client-go
// tools/cache/reflector.go): LIST resourceVersion=0 then WATCH from its resourceVersion (client-go < 0.35), or
// one watch-list WATCH with sendInitialEvents=true (client-go >= 0.35, WatchListClient on: runner 19.0+);
// a watch that times out is watched again from the last resourceVersion, a 410 Expired starts over.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "executor/failure_reason.h"
#include "executor/kube_client.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// A terminal error the watcher saw on the job pod: its text and how the job fails with it.
struct PodWatchError {
  std::string message;
  FailureReason reason = FailureReason::kRunnerSystemFailure;  ///< a plain error: a system failure
};

/// checkTerminalPodErrors: DisruptionTarget=True (`pod "NS/POD" is disrupted: reason "R", message "M"`), a
/// deletion timestamp (`pod "NS/POD" is being deleted`), then terminal container states (`pod "NS/POD"
/// failed: ...`, with their BuildError's reason); nullopt for a pod that may still get well.
std::optional<PodWatchError> terminal_pod_error(const nlohmann::json& pod, Profile profile);

/// `labels.SelectorFromSet(labels).String()`: "k=v" pairs in key order, comma-separated.
std::string label_selector(const nlohmann::json& labels);

/// The handler's verdict on one watch event (FilteringResourceEventHandler on pod_name, then AddFunc /
/// UpdateFunc: checkTerminalPodErrors, DeleteFunc: `pod "NS/POD" is deleted`); nullopt: nothing to report.
std::optional<PodWatchError> informer_event_error(const std::string& type, const nlohmann::json& pod,
                                                  const std::string& pod_name, Profile profile);

/// The reflector's LIST query (ListOptions through url.Values.Encode, keys sorted; the pager's limit=500):
/// resourceVersion=0 at first, else the last one synced.
std::string informer_list_query(const std::string& selector, const std::string& resource_version);

/// The reflector's WATCH query from resource_version ("" for a watch-list's first), timeout_seconds long
/// (Timeout() adds timeout=<Go duration>); watch_list adds resourceVersionMatch=NotOlderThan&sendInitialEvents=true.
std::string informer_watch_query(const std::string& selector, const std::string& resource_version,
                                 long long timeout_seconds, bool watch_list);

/// The informer and its handler for one job. Owned through a shared_ptr: its watch loop holds one.
class PodInformer : public std::enable_shared_from_this<PodInformer> {
 public:
  /// ns and labels scope the informer (informers.WithNamespace, WithTweakListOptions' LabelSelector).
  PodInformer(asio::any_io_executor ex, Clock& clock, Random random, KubeClient& kube, std::string ns,
              nlohmann::json labels, Profile profile);

  /// Start + WaitForCacheSync: starts the reflector and returns once the initial state is in, or with
  /// "not synced: *v1.Pod" when it is not in after max_sync (maxSyncDuration: retry_backoff_max) or the
  /// first LIST failed.
  asio::awaitable<Result<bool>> start(Duration max_sync);
  /// UpdatePodName: the pod whose events count (before it is created, so that a retried pod replaces it).
  /// kexsim drops a kept error of the previous pod here (upstream does not drain the channel; see
  /// docs/executor-gaps-status.md B3: unverified whether 19.x then fails a pull-policy retry).
  void set_pod_name(std::string name) {
    if (name != pod_name_) pending_.reset();
    pod_name_ = std::move(name);
  }
  /// Where terminal errors go (emitError): the sink says whether a stage took it. One nobody took is
  /// kept in the channel's one slot from 19.0 (take_pending), else dropped.
  void set_on_error(std::function<bool(const PodWatchError&)> sink) { on_error_ = std::move(sink); }
  /// The error the 19.0+ channel buffered while no stage waited: the next stage's select receives it.
  std::optional<PodWatchError> take_pending() {
    // Not a move of the optional itself: g++ 12 at -O1 then warns falsely (-Wmaybe-uninitialized).
    if (!pending_) return std::nullopt;
    PodWatchError out{std::move(pending_->message), pending_->reason};
    pending_.reset();
    return out;
  }
  /// Stop: ends the watch; no error is reported after it.
  void stop();

  /// The handler (FilteringResourceEventHandler) for one watch event type and object; for tests too.
  void handle(const std::string& type, const nlohmann::json& pod);

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> relist();
  void on_watch_event(const std::string& type, const nlohmann::json& object);
  void synced(bool ok);
  static asio::awaitable<void> sync_deadline(std::shared_ptr<PodInformer> self, Duration max_sync);

  asio::any_io_executor ex_;
  Clock& clock_;
  Random random_;
  KubeClient& kube_;
  std::string ns_;
  std::string selector_;
  Profile profile_;
  std::string pod_name_;
  std::function<bool(const PodWatchError&)> on_error_;
  std::optional<PodWatchError> pending_;  ///< make(chan error, 1)'s slot (19.0+)
  std::shared_ptr<WatchControl> control_ = std::make_shared<WatchControl>();
  std::string resource_version_;
  bool watch_list_ = false;
  bool expired_ = false;
  int watch_events_ = 0;  ///< events the current watch delivered (reflector handleWatch's eventCount)
  bool stopped_ = false;
  std::optional<bool> synced_;
  std::shared_ptr<asio::steady_timer> sync_wait_;
};

}  // namespace kexsim::executor

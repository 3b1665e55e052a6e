#include "executor/pod_informer.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/json_fields.h"
#include "executor/messages.h"
#include "executor/pod_checks.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

// client-go tools/cache/reflector.go: defaultMinWatchTimeout (5m); each watch asks for
// minWatchTimeout * (rand.Float64() + 1.0) seconds.
constexpr long long kMinWatchTimeoutSeconds = 300;
// The reflector's backoff before a relist (NewExponentialBackoffManager(800ms, 30s, ...), first step).
constexpr Duration kRelistBackoff = std::chrono::milliseconds(800);

}  // namespace

std::optional<PodWatchError> terminal_pod_error(const json& pod, Profile profile) {
  // executors/kubernetes/internal/watchers/pod.go checkTerminalPodErrors.
  const json& meta = member(pod, "metadata");
  const std::string full_name = messages::go_quote(text(meta, "namespace") + "/" + text(meta, "name"));
  const json& status = member(pod, "status");
  const json& conditions = member(status, "conditions");
  if (conditions.is_array()) {
    for (const json& c : conditions) {
      if (text(c, "type") != "DisruptionTarget") continue;
      if (text(c, "status") == "True")
        return PodWatchError{"pod " + full_name + " is disrupted: reason " + messages::go_quote(text(c, "reason")) +
                             ", message " + messages::go_quote(text(c, "message"))};
      break;  // getPodCondition: the first of its type
    }
  }
  if (meta.is_object() && meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null())
    return PodWatchError{"pod " + full_name + " is being deleted"};
  if (std::optional<TerminalContainerError> e = check_terminal_containers(status, profile)) {
    // pull.ImagePullError's text is its Message ("image pull failed: ..."); the rest are the errors as made.
    const std::string inner = e->image_pull && !e->pull_message.empty() ? e->pull_message : e->message;
    return PodWatchError{"pod " + full_name + " failed: " + inner, e->reason};
  }
  return std::nullopt;
}

std::string label_selector(const json& labels) {
  // nlohmann::json objects iterate in key order, as labels.Set's String() sorts them.
  std::string out;
  if (!labels.is_object()) return out;
  for (const auto& [key, value] : labels.items()) {
    if (!out.empty()) out += ",";
    out += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

PodInformer::PodInformer(asio::any_io_executor ex, Clock& clock, Random random, KubeClient& kube, std::string ns,
                         json labels, Profile profile)
    : ex_(std::move(ex)),
      clock_(clock),
      random_(std::move(random)),
      kube_(kube),
      ns_(std::move(ns)),
      selector_(label_selector(labels)),
      profile_(profile),
      watch_list_(informer_uses_watch_list(profile)) {}

std::string informer_list_query(const std::string& selector, const std::string& resource_version) {
  return "labelSelector=" + url_encode(selector) +
         "&limit=500&resourceVersion=" + (resource_version.empty() ? std::string("0") : resource_version);
}

std::string informer_watch_query(const std::string& selector, const std::string& resource_version,
                                 long long timeout_seconds, bool watch_list) {
  std::string q = "allowWatchBookmarks=true&labelSelector=" + url_encode(selector);
  if (!resource_version.empty()) q += "&resourceVersion=" + resource_version;
  if (watch_list) q += "&resourceVersionMatch=NotOlderThan&sendInitialEvents=true";
  q += "&timeout=" + go_duration_seconds(timeout_seconds) + "&timeoutSeconds=" + std::to_string(timeout_seconds);
  return q + "&watch=true";
}

std::optional<PodWatchError> informer_event_error(const std::string& type, const json& pod, const std::string& pod_name,
                                                  Profile profile) {
  // FilteringResourceEventHandler: only the current pod's events reach the handler functions (a retried
  // pod's predecessor may still be terminating).
  const json& meta = member(pod, "metadata");
  if (pod_name.empty() || text(meta, "name") != pod_name) return std::nullopt;
  if (type == "DELETED")
    return PodWatchError{"pod " + messages::go_quote(text(meta, "namespace") + "/" + text(meta, "name")) +
                         " is deleted"};
  if (type == "ADDED" || type == "MODIFIED") return terminal_pod_error(pod, profile);
  return std::nullopt;
}

asio::awaitable<void> PodInformer::sync_deadline(std::shared_ptr<PodInformer> self, Duration max_sync) {
  co_await self->clock_.sleep_for(max_sync);
  self->synced(false);
}

asio::awaitable<Result<bool>> PodInformer::start(Duration max_sync) {
  auto self = shared_from_this();
  sync_wait_ = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
  asio::co_spawn(
      ex_, [self]() { return self->run(); }, asio::detached);
  // selfManagedInformerFactory.WaitForCacheSync: bounded by maxSyncDuration.
  asio::co_spawn(
      ex_, [self, max_sync]() { return sync_deadline(self, max_sync); }, asio::detached);
  std::shared_ptr<asio::steady_timer> wait = sync_wait_;
  while (!synced_) {
    boost::system::error_code ignored;
    co_await wait->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (!*synced_) co_return make_error("not synced: *v1.Pod");
  co_return true;
}

void PodInformer::synced(bool ok) {
  if (synced_) return;
  synced_ = ok;
  if (sync_wait_) sync_wait_->cancel();
}

void PodInformer::stop() {
  stopped_ = true;
  on_error_ = nullptr;
  control_->stop();
  synced(false);
}

asio::awaitable<bool> PodInformer::relist() {
  auto listed = co_await kube_.list(ns_, "pods", informer_list_query(selector_, resource_version_));
  if (!listed) co_return false;
  resource_version_ = text(member(*listed, "metadata"), "resourceVersion");
  const json& items = member(*listed, "items");
  if (items.is_array())
    for (const json& pod : items)
      if (!stopped_) handle("ADDED", pod);  // Replace: OnAdd for each object new to the store
  co_return true;
}

asio::awaitable<void> PodInformer::run() {
  auto self = shared_from_this();
  bool need_list = true;
  while (!stopped_) {
    if (need_list && !watch_list_) {
      const bool listed = co_await relist();
      if (stopped_) break;
      if (!listed) {
        if (!synced_) synced(false);  // WaitForCacheSync ends with maxSyncDuration; kexsim: at once
        co_await clock_.sleep_for(kRelistBackoff);
        continue;
      }
      synced(true);
    }
    const bool initial = need_list && watch_list_;
    need_list = false;
    expired_ = false;
    const long long timeout = kMinWatchTimeoutSeconds + static_cast<long long>(random_.below(kMinWatchTimeoutSeconds));
    const std::string query =
        informer_watch_query(selector_, initial ? std::string() : resource_version_, timeout, initial);
    std::function<void(const std::string&, const json&)> on_event =
        [self](const std::string& type, const json& object) { self->on_watch_event(type, object); };
    control_ = std::make_shared<WatchControl>();
    bool established = false;
    control_->established = [&established](const Result<bool>& opened) { established = opened.ok(); };
    watch_events_ = 0;
    const TimePoint started = clock_.now();
    if (stopped_) break;
    WatchEnd end =
        co_await run_watch(kube_.watch_target(), "/api/v1/namespaces/" + ns_ + "/pods?" + query, control_, on_event);
    if (stopped_) break;
    if (initial && !synced_) synced(end.ok());
    // reflector.go handleWatch: a stream cut short (StreamWatcher reads io.ErrUnexpectedEOF as the end) is a
    // normal close, watched again from the last resourceVersion, unless it was a "very short watch": under a
    // second and no event, an error after which ListAndWatch starts over with a LIST.
    const bool cut = !end && established;
    const bool short_watch = watch_events_ == 0 && clock_.now() - started < std::chrono::seconds(1);
    if (cut && !short_watch) end = true;
    if (!end || expired_) {
      need_list = true;
      co_await clock_.sleep_for(kRelistBackoff);
    }
  }
}

void PodInformer::on_watch_event(const std::string& type, const json& object) {
  if (stopped_) return;
  const std::string rv = text(member(object, "metadata"), "resourceVersion");
  if (type == "ERROR") {
    const json& code = member(object, "code");
    if (code.is_number_integer() && code.get<int>() == 410) expired_ = true;
    return;
  }
  ++watch_events_;  // handleWatch counts every event it handles, bookmarks included
  if (!rv.empty()) resource_version_ = rv;
  if (type == "BOOKMARK") {
    const json& annotations = member(member(object, "metadata"), "annotations");
    if (text(annotations, "k8s.io/initial-events-end") == "true") synced(true);
    return;
  }
  handle(type, object);
}

void PodInformer::handle(const std::string& type, const json& pod) {
  std::optional<PodWatchError> error = informer_event_error(type, pod, pod_name_, profile_);
  if (!error) return;
  if (on_error_ && on_error_(*error)) return;
  // emitError: no receiver within emitErrorTimeout; from 19.0 a free slot keeps it, else it is dropped.
  if (pod_watcher_buffers_one_error(profile_) && !pending_) pending_ = std::move(*error);
}

}  // namespace kexsim::executor

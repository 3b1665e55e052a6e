#include "fakes/kube/watch_stream.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include <boost/asio/this_coro.hpp>

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

using json_fields::member;

}  // namespace

bool parse_resource_version(const std::string& text, uint64_t& out) {
  out = 0;
  if (text.empty()) return true;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

WatchStream::WatchStream(Clock& clock, std::shared_ptr<WatchHistory> history, WatchSource source,
                         std::weak_ptr<void> alive, WatchOptions options)
    : clock_(clock),
      history_(std::move(history)),
      source_(std::move(source)),
      alive_(std::move(alive)),
      options_(std::move(options)),
      deadline_(clock_.now() + options_.timeout),
      wait_(std::make_shared<WakeableWait>(clock)) {
  if (ticked()) {
    source_.ticker->opened();
    subscription_ = history_->subscribe(options_.resource, options_.labels.required_label(),
                                        [this](const WatchEvent& event) { offer(event); });
  } else {
    subscription_ = history_->subscribe([this] { wait_->wake(); });
  }
  start();
}

WatchStream::~WatchStream() {
  history_->unsubscribe(subscription_);
  leave_ticker();
}

void WatchStream::start() {
  if (alive_.expired()) {
    ended_ = true;
    return;
  }
  source_.sync();
  uint64_t requested = 0;
  parse_resource_version(options_.resource_version, requested);
  const bool from_now = options_.resource_version.empty() || options_.resource_version == "0";
  if (options_.snapshot) {
    collect_snapshot();
    return;
  }
  if (from_now || options_.send_initial_events) {
    // apiserver: a watch from "" / "0" (or watch-list) first sees the current state as ADDED events.
    cursor_ = source_.resource_version();
    // Presenting every object of a thousand for an informer of one pod was O(pods) a watch: objects the
    // selectors refuse as stored are not presented (fakes/kube/selector.h may_select_stored).
    for (const json& object : source_.current(stored_filter()))
      if (selects(object)) push("ADDED", object);
    if (options_.send_initial_events && options_.allow_bookmarks) push_bookmark(true);
    return;
  }
  if (auto oldest = history_->too_old(options_.resource, requested)) {
    push_expired(requested, *oldest);
    return;
  }
  cursor_ = requested;
  // The history after `requested` was written before this watch was offered anything: read all of it.
  unread_ = true;
  first_unread_ = requested + 1;
}

StoredFilter WatchStream::stored_filter() const {
  return [this](const json& stored) {
    const json& ns = member(member(stored, "metadata"), "namespace");
    if (!options_.ns.empty() && ns != options_.ns) return false;
    return may_select_stored(stored, options_.labels, options_.fields);
  };
}

bool WatchStream::selects(const json& object) const {
  const json& meta = member(object, "metadata");
  if (!options_.ns.empty() && member(meta, "namespace") != options_.ns) return false;
  if (!options_.labels.matches(member(meta, "labels"))) return false;
  return std::all_of(options_.fields.begin(), options_.fields.end(),
                     [&](const FieldTerm& t) { return (field_value(object, t.field) == t.value) == t.equals; });
}

bool WatchStream::concerns(const WatchEvent& event) const {
  // Exactly the events collect() sends something for: ADDED/DELETED it selects, a MODIFIED whose object
  // it selects before or after.
  return selects(event.object) || (event.type == "MODIFIED" && selects(event.previous));
}

void WatchStream::offer(const WatchEvent& event) {
  if (ended_ || cancelled_ || !concerns(event)) return;
  // A restated event (a create's ADDED as the create answers it) may be offered after later ones.
  first_unread_ = unread_ ? std::min(first_unread_, event.resource_version) : event.resource_version;
  unread_ = true;
  wait_->wake();
}

void WatchStream::push(const char* type, const json& object) {
  const std::string body = options_.present ? options_.present(object).dump() : object.dump();
  pending_.push_back("{\"type\":\"" + std::string(type) + "\",\"object\":" + body + "}\n");
}

void WatchStream::push_bookmark(bool initial_events_end) {
  ojson meta = {{"resourceVersion", std::to_string(cursor_)}};
  // apiserver storage/cacher: the watch-list's end is a bookmark annotated k8s.io/initial-events-end.
  if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  const ojson object = {{"kind", options_.kind}, {"apiVersion", options_.api_version}, {"metadata", meta}};
  pending_.push_back("{\"type\":\"BOOKMARK\",\"object\":" + object.dump() + "}\n");
}

void WatchStream::push_expired(uint64_t requested, uint64_t oldest) {
  // apiserver storage/cacher/watch_cache.go: errors.NewResourceExpired("too old resource version: %d (%d)").
  const ojson status = {
      {"kind", "Status"},
      {"apiVersion", "v1"},
      {"metadata", ojson::object()},
      {"status", "Failure"},
      {"message", "too old resource version: " + std::to_string(requested) + " (" + std::to_string(oldest) + ")"},
      {"reason", "Expired"},
      {"code", 410}};
  pending_.push_back("{\"type\":\"ERROR\",\"object\":" + status.dump() + "}\n");
  ended_ = true;
}

void WatchStream::collect_snapshot() {
  for (const json& object : source_.current(stored_filter())) {
    if (!selects(object)) continue;
    const json& meta = member(object, "metadata");
    const auto text = [&](const char* k) {
      const json& v = member(meta, k);
      return v.is_string() ? v.get<std::string>() : std::string();
    };
    const std::string key = text("namespace") + "/" + text("name");
    std::string shown = object.dump();
    auto it = sent_.find(key);
    if (it != sent_.end() && it->second == shown) continue;
    push(it == sent_.end() ? "ADDED" : "MODIFIED", object);
    sent_[key] = std::move(shown);
  }
}

void WatchStream::collect() {
  if (ended_ || cancelled_ || alive_.expired()) return;
  source_.sync();
  if (options_.snapshot) {
    collect_snapshot();
    return;
  }
  if (ticked()) {
    if (!unread_) {  // nothing since the cursor is for this watch
      cursor_ = std::max(cursor_, history_->latest(options_.resource));
      return;
    }
    cursor_ = std::max(cursor_, first_unread_ - 1);
  }
  if (auto oldest = history_->too_old(options_.resource, cursor_)) {  // fell behind the window
    push_expired(cursor_, *oldest);
    return;
  }
  unread_ = false;
  for (const WatchEvent* event : history_->since(options_.resource, cursor_)) {
    cursor_ = event->resource_version;
    const bool now_selected = selects(event->object);
    if (event->type != "MODIFIED") {
      if (now_selected) push(event->type.c_str(), event->object);
      continue;
    }
    // apiserver cacher: an object entering the selection is ADDED, one leaving it DELETED (its old state).
    const bool was_selected = selects(event->previous);
    if (now_selected && was_selected) push("MODIFIED", event->object);
    if (now_selected && !was_selected) push("ADDED", event->object);
    if (!now_selected && was_selected) {
      json last = event->previous;
      last["metadata"]["resourceVersion"] = std::to_string(event->resource_version);
      push("DELETED", last);
    }
  }
}

std::vector<std::string> WatchStream::poll() {
  collect();
  if (!ended_ && !cancelled_ && clock_.now() >= deadline_) {
    if (options_.allow_bookmarks && !alive_.expired()) {
      // Like the apiserver's bookmark shortly before a watch times out: the client resumes from here.
      cursor_ = std::max(cursor_, source_.resource_version());
      push_bookmark(false);
    }
    ended_ = true;
  }
  std::vector<std::string> out(pending_.begin(), pending_.end());
  pending_.clear();
  return out;
}

asio::awaitable<std::optional<std::string>> WatchStream::next() {
  for (;;) {
    if (cancelled_) {
      leave_ticker();
      co_return std::nullopt;
    }
    if (pending_.empty()) {
      for (std::string& line : poll()) pending_.push_back(std::move(line));
    }
    if (!pending_.empty()) {
      std::string line = std::move(pending_.front());
      pending_.pop_front();
      co_return line;
    }
    if (ended_ || alive_.expired()) {
      leave_ticker();
      co_return std::nullopt;
    }
    TimePoint when = deadline_;
    if (ticked()) {
      source_.ticker->run_on(co_await asio::this_coro::executor);
    } else if (auto change = source_.next_change(); change && *change > clock_.now() && *change < when) {
      when = *change;
    }
    co_await wait_->until(when);
  }
}

void WatchStream::cancel() {
  cancelled_ = true;
  leave_ticker();
  wait_->wake();
}

void WatchStream::leave_ticker() {
  // An ended watch is often kept (by its connection, by a test) after its last line: it needs no ticks.
  if (!ticked() || left_ticker_) return;
  left_ticker_ = true;
  source_.ticker->closed();
}

}  // namespace kexsim::fakes

#pragma once
// One watch of the fake API server (`GET <collection>?watch=true`): what it asks for, and the stream of
// JSON event lines it answers with (k8s-fake.md §3): initial ADDED events for resourceVersion "" / "0",
// history after resourceVersion N, a 410 Expired ERROR event when N left the window, BOOKMARKs, and the
// end at timeoutSeconds on the Clock. Pod status changes are functions of time: the stream sleeps until
// the next one is due and asks its source to record it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/http/types.h"
#include "fakes/kube/lifecycle_ticker.h"
#include "fakes/kube/selector.h"
#include "fakes/kube/wakeable_wait.h"
#include "fakes/kube/watch_history.h"

namespace kexsim::fakes {

/// What a watch asks for, from the query of `?watch=true`.
struct WatchOptions {
  std::string resource;     ///< plural, e.g. "pods"
  std::string api_version;  ///< of the watched kind, for BOOKMARK objects
  std::string kind;
  std::string ns;  ///< empty: every namespace
  LabelSelector labels;
  std::vector<FieldTerm> fields;
  std::string resource_version;                  ///< "" / "0": start with the current state; N: the changes after N
  bool allow_bookmarks = false;                  ///< allowWatchBookmarks=true
  bool send_initial_events = false;              ///< sendInitialEvents=true (watch-list)
  Duration timeout{std::chrono::seconds(1800)};  ///< timeoutSeconds; the fake's stand-in for --min-request-timeout
  /// The kind keeps no history (events live in the cluster model): each wake-up compares the current objects
  /// with what was sent and sends the new ones as ADDED, the changed ones as MODIFIED.
  bool snapshot = false;
  /// How an event's object is sent (e.g. as a one-row Table for `Accept: …;as=Table`); none: as it is.
  std::function<nlohmann::json(const nlohmann::json&)> present;
};

/// Whether a stored object may be selected once presented; false: it need not be presented at all.
using StoredFilter = std::function<bool(const nlohmann::json& stored)>;

/// The server-side state a watch reads besides the history; every call happens while the server lives.
struct WatchSource {
  std::function<void()> sync;  ///< records the changes due by now (pod status steps)
  /// The watched kind's objects as a list shows them now; those the filter refuses as stored may be left out.
  std::function<std::vector<nlohmann::json>(const StoredFilter&)> current;
  std::function<std::optional<TimePoint>()> next_change;  ///< when sync() next has something to record
  std::function<uint64_t()> resource_version;             ///< the current global resourceVersion
  /// Syncs at each next_change while watches are open; then a watch that keeps history (not snapshot)
  /// waits only for the events it selects and its end. None: every watch wakes on every event and sleeps
  /// until next_change itself.
  std::shared_ptr<LifecycleTicker> ticker;
};

/// The body of a watch response: one `{"type":…,"object":…}\n` line per chunk.
class WatchStream : public HttpBodyStream, public std::enable_shared_from_this<WatchStream> {
 public:
  /// Starts the watch at clock.now(): the initial events (or the 410) are due at once. alive expires
  /// when the server behind source goes away; the stream then ends without calling it.
  WatchStream(Clock& clock, std::shared_ptr<WatchHistory> history, WatchSource source, std::weak_ptr<void> alive,
              WatchOptions options);
  ~WatchStream() override;
  WatchStream(const WatchStream&) = delete;
  WatchStream& operator=(const WatchStream&) = delete;

  asio::awaitable<std::optional<std::string>> next() override;
  void cancel() override;

  /// The lines due now, without waiting (what next() would give before it sleeps); for tests.
  std::vector<std::string> poll();
  /// Whether the stream has given its last line.
  bool ended() const { return ended_ && pending_.empty(); }
  /// When the watch ends (start + timeoutSeconds).
  TimePoint deadline() const { return deadline_; }

 private:
  void start();
  void collect();
  void collect_snapshot();
  bool selects(const nlohmann::json& object) const;
  bool concerns(const WatchEvent& event) const;
  void offer(const WatchEvent& event);
  StoredFilter stored_filter() const;
  void push(const char* type, const nlohmann::json& object);
  void push_bookmark(bool initial_events_end);
  void push_expired(uint64_t requested, uint64_t oldest);
  bool ticked() const { return source_.ticker && !options_.snapshot; }
  void leave_ticker();

  Clock& clock_;
  std::shared_ptr<WatchHistory> history_;
  WatchSource source_;
  std::weak_ptr<void> alive_;
  WatchOptions options_;
  TimePoint deadline_;
  uint64_t cursor_ = 0;  ///< the last resourceVersion this watch has seen
  /// Ticked: whether an offered event this watch selects waits to be collected, and the first one's
  /// resourceVersion. Every other event since the cursor is one the watch does not send, so collect()
  /// skips them (and a watch is never 410 Expired for events it would not have sent).
  bool unread_ = false;
  uint64_t first_unread_ = 0;
  uint64_t subscription_ = 0;
  bool ended_ = false;
  bool cancelled_ = false;
  bool left_ticker_ = false;
  std::deque<std::string> pending_;
  std::map<std::string, std::string> sent_;    ///< snapshot mode: namespace/name -> the object last sent
  std::shared_ptr<WakeableWait> wait_;         ///< next()'s sleep, cut short by an event, cancel() or wake_all()
};

/// Parses a resourceVersion query value: "" and "0" give 0; false when it is not a number.
bool parse_resource_version(const std::string& text, uint64_t& out);

}  // namespace kexsim::fakes

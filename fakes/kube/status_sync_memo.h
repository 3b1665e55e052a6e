#pragma once
// Which started pods a status sync must present again. While a pod watch is open, every request and
// every watch wake-up syncs: it presents each started pod to find status changes to record
// (record_status_changes) and asks each for its next change (next_lifecycle_change). With N jobs that
// is N pods presented N times per change, cubic over a run. A pod's presentation is a function of the
// time, of what the store holds for it and for the kinds it refers to (secrets, configMaps), and of the
// models (scheduler, images, containers, disruptions); this memo keeps what the last sync saw of those,
// so that a sync at the same time with nothing new presents only the pods written or marked since.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "base/clock.h"

namespace kexsim::fakes {

/// The inputs every pod's presentation shares, as one sync saw them.
struct StatusSyncKey {
  TimePoint now;
  uint64_t generation = 0;    ///< StatusSyncMemo::generation(): model changes that reach past one pod
  uint64_t other_writes = 0;  ///< the resourceVersion of the last write to any stored kind but pods
  bool operator==(const StatusSyncKey&) const = default;
};

/// What the last status sync saw, and each started pod's next status change as it found it.
class StatusSyncMemo {
 public:
  /// A model changed in a way that may show in any pod: the next sync presents every pod.
  void invalidate() { ++generation_; }
  /// A model changed in a way that shows in this pod only: the next sync presents it again.
  void mark(const std::string& ns, const std::string& name) { marked_.emplace(ns, name); }
  /// Counts invalidate() calls (part of the key).
  uint64_t generation() const { return generation_; }

  /// Whether a sync with key must present every pod: nothing synced yet, the key moved (time, a model,
  /// another kind's write), or the pods' history left pods_cursor() behind.
  bool needs_full(const StatusSyncKey& key, bool history_lost) const { return !key_ || *key_ != key || history_lost; }
  /// The pods' resourceVersion up to which the last sync read their history.
  uint64_t pods_cursor() const { return pods_cursor_; }
  /// The pods (namespace, name) marked since the last sync, cleared.
  std::set<std::pair<std::string, std::string>> take_marked();
  /// Ends a sync: what it saw, and the pods' history read up to pods_cursor.
  void synced(const StatusSyncKey& key, uint64_t pods_cursor);
  /// Whether the next changes noted are those a sync with key would find now (no write or mark since).
  bool current(const StatusSyncKey& key, uint64_t latest_pod_write) const {
    return key_ && *key_ == key && latest_pod_write == pods_cursor_ && marked_.empty();
  }

  /// Notes when a started pod's status next changes by itself (none: not by itself).
  void set_next(const std::string& uid, std::optional<TimePoint> at);
  /// Forgets a pod (deleted, or no longer started), and its next change.
  void forget(const std::string& uid);
  /// Forgets every pod's next change (a full sync notes them all again).
  void clear_next();
  /// The earliest next change noted.
  std::optional<TimePoint> earliest() const;

 private:
  uint64_t generation_ = 0;
  std::optional<StatusSyncKey> key_;
  uint64_t pods_cursor_ = 0;
  std::set<std::pair<std::string, std::string>> marked_;
  std::map<std::string, TimePoint> next_;  ///< uid -> its next change
  std::multiset<TimePoint> times_;         ///< next_'s values, for earliest()
};

}  // namespace kexsim::fakes

#pragma once
// The fake API server's change history: every write as a watch event with its resourceVersion, kept per
// resource in a bounded window (older starting points get 410 Expired, as from the apiserver's watch cache).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kexsim::fakes {

/// One change: ADDED, MODIFIED or DELETED, the object after it (for DELETED its last state) and before it.
struct WatchEvent {
  uint64_t resource_version = 0;
  std::string type;  ///< "ADDED", "MODIFIED", "DELETED"
  std::string resource;
  std::string ns;           ///< "" for cluster-scoped kinds
  nlohmann::json object;    ///< as a read presents it, metadata.resourceVersion = resource_version
  nlohmann::json previous;  ///< the object before a MODIFIED or DELETED, null for ADDED
};

/// Bounded, per-resource event log; watchers subscribe to be woken on every new event, or to be offered
/// the events of one resource and decide for themselves.
class WatchHistory {
 public:
  /// How many events each resource keeps by default (the apiserver's watch cache keeps 100 and grows).
  static constexpr size_t kDefaultCapacity = 1000;

  explicit WatchHistory(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// Appends an event (resourceVersions only grow), drops the oldest beyond the window, wakes subscribers.
  void record(WatchEvent event);
  /// The events of resource after resource_version, oldest first.
  std::vector<const WatchEvent*> since(const std::string& resource, uint64_t resource_version) const;
  /// The resourceVersion of resource's last event (0: none yet).
  uint64_t latest(const std::string& resource) const;
  /// The resourceVersion of the last event of any other resource (0: none yet).
  uint64_t latest_except(const std::string& resource) const;
  /// When resource_version is older than the window: the value the 410 names (oldest retained - 1).
  std::optional<uint64_t> too_old(const std::string& resource, uint64_t resource_version) const;
  /// Replaces the object of resource's event at resource_version: the same request changed how that write
  /// reads (a new pod bound and pulling its images). False when the event has left the window.
  bool restate(const std::string& resource, uint64_t resource_version, nlohmann::json object);
  /// Changes the window (tests); shrinking drops the oldest events at once.
  void set_capacity(size_t capacity);

  /// Calls wake on every later record() and wake_all() until unsubscribe(id).
  uint64_t subscribe(std::function<void()> wake);
  /// A label every object the subscriber selects carries: events without it are not offered.
  using LabelKey = std::pair<std::string, std::string>;
  /// Offers later events of resource to offer until unsubscribe(id): as recorded, and again when restate()
  /// changes one; with label, only events whose object (or previous object) carries it. With N watches of
  /// one pod each, waking every watch on every event was O(N) wake-ups an event (BENCHMARKS.md).
  uint64_t subscribe(const std::string& resource, std::optional<LabelKey> label,
                     std::function<void(const WatchEvent&)> offer);
  /// Wakes the wake subscribers without an event: something they wait for moved (a disruption armed by
  /// output), so they look again at when their next change is due.
  void wake_all();
  /// Stops waking a subscriber (idempotent).
  void unsubscribe(uint64_t id);

 private:
  struct Log {
    std::deque<WatchEvent> events;
    bool truncated = false;  ///< whether anything was ever dropped (until then every start point is served)
  };
  void trim(Log& log);

  /// A wake (every event) or an offer (one resource's events); called in subscription order.
  struct Subscriber {
    std::function<void()> wake;
    std::function<void(const WatchEvent&)> offer;
    std::string resource;
    std::optional<LabelKey> label;
  };
  void notify(const WatchEvent& event, bool restated);
  void offer_labelled(const WatchEvent& event, const nlohmann::json& object, std::vector<uint64_t>& ids) const;

  size_t capacity_;
  std::map<std::string, Log> logs_;
  uint64_t next_subscriber_ = 0;
  std::map<uint64_t, Subscriber> subscribers_;
  std::set<uint64_t> wakers_;                                                ///< the wake subscribers
  std::map<std::string, std::set<uint64_t>> unlabelled_;                     ///< resource -> offers without a label
  std::map<std::pair<std::string, LabelKey>, std::set<uint64_t>> labelled_;  ///< (resource, label) -> offers
};

}  // namespace kexsim::fakes

#pragma once
// Events the simulated cluster records, served as core/v1 Event objects (kubectl get events):
// the scheduler's events.k8s.io recorder (eventTime, action, series) and the legacy recorder of
// controllers such as cluster-autoscaler (count, firstTimestamp, lastTimestamp, source).

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"

namespace kexsim::fakes {

/// The object an event is about (a Pod here).
struct EventSubject {
  std::string kind = "Pod";
  std::string ns, name, uid, resource_version;
  std::string field_path;  ///< the container a kubelet event is about, e.g. spec.containers{build}
};

/// What is recorded: type (Normal, Warning), reason, message, and who reports it.
struct EventRecord {
  std::string type, reason, message;
  std::string action;     ///< new recorder only, e.g. Scheduling, Binding
  std::string component;  ///< reportingController / source.component, e.g. default-scheduler
  std::string instance;   ///< reportingInstance / source.host
};

/// Every event recorded so far, keyed by namespace and name as the API server lists them.
class EventLog {
 public:
  /// The events.k8s.io recorder (k8s.io/client-go/tools/events): an isomorphic repeat adds series.
  void record_series(const EventSubject& subject, const EventRecord& record, TimePoint at, const std::string& rv);
  /// The legacy recorder (k8s.io/client-go/tools/record): a repeat increments count and lastTimestamp.
  void record_legacy(const EventSubject& subject, const EventRecord& record, TimePoint at, const std::string& rv);
  /// The events of a namespace (every namespace when ns is empty), in (namespace, name) order.
  std::vector<nlohmann::json> list(const std::string& ns) const;
  /// How many events there are.
  size_t size() const { return events_.size(); }

 private:
  /// The subject's events in (namespace, name) order: a repeat is looked for among these only, not among
  /// every event of the cluster (O(events) a record made a thousand jobs' pod starts quadratic).
  std::vector<nlohmann::json*> of_subject(const EventSubject& subject);

  std::map<std::pair<std::string, std::string>, nlohmann::json> events_;
  /// (namespace, involvedObject.uid) -> the names of its events; events are never removed or re-pointed.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> names_by_subject_;
};

/// The scheduler's truncateMessage: notes over 1024 bytes are cut to 1020 and end in " ...".
std::string truncate_event_note(const std::string& message);

}  // namespace kexsim::fakes

#include "fakes/kube/events.h"

#include <chrono>
#include <cstdio>

#include "base/hash.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

// Event names are "<object>.<hex UnixNano>" (client-go tools/record and tools/events).
// Two events at the same virtual instant would share a name; real clocks never tick alike, so the later
// one is moved on by a nanosecond.
std::string event_name(const std::string& object, const std::string& ns, TimePoint at,
                       const std::map<std::pair<std::string, std::string>, nlohmann::json>& taken) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  while (true) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
    std::string name = object + "." + hex;
    if (!taken.count({ns, name})) return name;
    ++nanos;
  }
}

json involved(const EventSubject& s) {
  json out = {{"kind", s.kind}, {"namespace", s.ns},  {"name", s.name},
              {"uid", s.uid},   {"apiVersion", "v1"}, {"resourceVersion", s.resource_version}};
  if (!s.field_path.empty()) out["fieldPath"] = s.field_path;
  return out;
}

json metadata(const std::string& ns, const std::string& name, TimePoint at, const std::string& rv) {
  return {{"name", name},
          {"namespace", ns},
          {"uid", stable_uid("event/" + ns + "/" + name)},
          {"resourceVersion", rv},
          {"creationTimestamp", format_rfc3339(at)}};
}

}  // namespace

std::string truncate_event_note(const std::string& message) {
  // pkg/scheduler/schedule_one.go truncateMessage with NoteLengthLimit 1024 (pkg/apis/core/validation/events.go).
  constexpr size_t kLimit = 1024;
  if (message.size() <= kLimit) return message;
  return message.substr(0, kLimit - 4) + " ...";
}

void EventLog::record_series(const EventSubject& subject, const EventRecord& record, TimePoint at,
                             const std::string& rv) {
  for (json* found : of_subject(subject)) {
    json& event = *found;
    if (event["reason"] != record.reason || event["message"] != record.message || event["type"] != record.type ||
        event.value("action", "") != record.action || event.value("reportingComponent", "") != record.component)
      continue;
    // An isomorphic event: the first repeat starts a series of 2, later ones count on.
    const int count = event.contains("series") ? event["series"]["count"].get<int>() + 1 : 2;
    event["series"] = {{"count", count}, {"lastObservedTime", format_rfc3339_micro(at)}};
    event["metadata"]["resourceVersion"] = rv;
    return;
  }
  const std::string name = event_name(subject.name, subject.ns, at, events_);
  json event = {{"kind", "Event"},
                {"apiVersion", "v1"},
                {"metadata", metadata(subject.ns, name, at, rv)},
                {"involvedObject", involved(subject)},
                {"reason", record.reason},
                {"message", record.message},
                {"source", json::object()},
                {"firstTimestamp", nullptr},
                {"lastTimestamp", nullptr},
                {"type", record.type},
                {"eventTime", format_rfc3339_micro(at)},
                {"action", record.action},
                {"reportingComponent", record.component},
                {"reportingInstance", record.instance}};
  events_[{subject.ns, name}] = std::move(event);
  names_by_subject_[{subject.ns, subject.uid}].insert(name);
}

void EventLog::record_legacy(const EventSubject& subject, const EventRecord& record, TimePoint at,
                             const std::string& rv) {
  for (json* found : of_subject(subject)) {
    json& event = *found;
    if (event["involvedObject"].value("fieldPath", "") != subject.field_path) continue;
    if (event["reason"] != record.reason || event["message"] != record.message || event["type"] != record.type ||
        event["source"].value("component", "") != record.component)
      continue;
    event["count"] = event["count"].get<int>() + 1;
    event["lastTimestamp"] = format_rfc3339(at);
    event["metadata"]["resourceVersion"] = rv;
    return;
  }
  const std::string name = event_name(subject.name, subject.ns, at, events_);
  json source = {{"component", record.component}};
  if (!record.instance.empty()) source["host"] = record.instance;
  json event = {{"kind", "Event"},
                {"apiVersion", "v1"},
                {"metadata", metadata(subject.ns, name, at, rv)},
                {"involvedObject", involved(subject)},
                {"reason", record.reason},
                {"message", record.message},
                {"source", source},
                {"firstTimestamp", format_rfc3339(at)},
                {"lastTimestamp", format_rfc3339(at)},
                {"count", 1},
                {"type", record.type},
                {"eventTime", nullptr},
                {"reportingComponent", record.component},
                {"reportingInstance", record.instance}};
  events_[{subject.ns, name}] = std::move(event);
  names_by_subject_[{subject.ns, subject.uid}].insert(name);
}

std::vector<json*> EventLog::of_subject(const EventSubject& subject) {
  std::vector<json*> out;
  auto names = names_by_subject_.find({subject.ns, subject.uid});
  if (names == names_by_subject_.end()) return out;
  for (const std::string& name : names->second) out.push_back(&events_.at({subject.ns, name}));
  return out;
}

std::vector<json> EventLog::list(const std::string& ns) const {
  std::vector<json> out;
  for (const auto& [key, event] : events_)
    if (ns.empty() || key.first == ns) out.push_back(event);
  return out;
}

}  // namespace kexsim::fakes

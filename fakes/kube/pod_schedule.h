#pragma once
// The pods whose start (containers running) is still to record, keyed by the virtual time it is due: a
// request then looks at the pods due by now, not at every pending pod (with a thousand pods starting at
// once, walking them all on every request was the fake API's quadratic cost). Keys are lower bounds:
// the caller re-evaluates each pod it is handed and moves it on if its start is later or unknown now.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"

namespace kexsim::fakes {

/// Pending pod starts by when they can happen at the earliest; pods with no known start are looked at always.
class PodStartSchedule {
 public:
  /// One pending pod: its uid and its (namespace, name).
  struct Pending {
    std::string uid;
    std::pair<std::string, std::string> key;
  };

  /// Adds a pod (or moves it) with its start at `at`, or with no known start.
  void schedule(const std::string& uid, std::pair<std::string, std::string> key, std::optional<TimePoint> at);
  /// Forgets a pod (recorded, deleted or replaced).
  void erase(const std::string& uid);
  /// The pods that may start by `now`: those keyed at or before it, and those with no known start.
  std::vector<Pending> due(TimePoint now) const;
  /// The pod with the earliest key, if any pod has one (its key: a lower bound of every keyed start).
  std::optional<std::pair<TimePoint, Pending>> earliest() const;
  /// The pods with no known start.
  std::vector<Pending> unknown() const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::pair<std::string, std::string> key;
    std::optional<TimePoint> at;
  };
  std::map<std::string, Entry> entries_;                 // uid -> where it is filed
  std::set<std::pair<TimePoint, std::string>> by_time_;  // (start, uid)
  std::set<std::string> unknown_;                        // uids with no known start
};

}  // namespace kexsim::fakes

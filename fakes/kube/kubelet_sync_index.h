#pragma once
// Which pods the kubelet's per-request sync (KubeApiServer::sync_container_events) must look at. With a
// thousand pods, walking every pod's spec on every API request was the fake's quadratic cost; almost
// every pod can only have an event due once its activeDeadlineSeconds has passed.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace kexsim::fakes {

/// The parts of a pod's spec that decide whether the kubelet can have events to record for it.
struct PodFacts {
  bool secret_env = false;          ///< a container takes env from a Secret or ConfigMap that is not optional
  bool object_volumes = false;      ///< a secret or configMap volume that is not optional
  std::optional<int64_t> deadline;  ///< spec.activeDeadlineSeconds, when it is an integer
};

/// The facts of one pod object (the conditions of container_config_error() and missing_volume()).
PodFacts pod_facts(const nlohmann::json& pod);

/// The pods that may have kubelet events due: those whose spec can fail (always looked at), and the
/// others once their deadline, counted from creation (a pod is bound at or after it), has passed.
class KubeletSyncIndex {
 public:
  /// Adds (or, for a replaced spec, updates) a stored pod created at `created`.
  void admit(const nlohmann::json& pod, TimePoint created);
  /// Forgets a deleted pod.
  void forget(const std::string& uid);
  /// (namespace, name, uid) of the pods to look at now, in (namespace, name) order like Store::list.
  std::vector<std::tuple<std::string, std::string, std::string>> candidates(TimePoint now) const;

 private:
  using Entry = std::tuple<std::string, std::string, std::string>;  // namespace, name, uid
  std::set<Entry> always_;
  std::multimap<TimePoint, Entry> by_deadline_;
  std::map<std::string, std::pair<bool, TimePoint>> where_;  // uid -> (in always_, else its deadline key)
  std::map<std::string, Entry> entries_;                     // uid -> entry
};

}  // namespace kexsim::fakes

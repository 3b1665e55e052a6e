#pragma once
// What the kubelet's per-request sync needs to know of a pod's spec, worked out once per stored version
// of the pod: with a thousand pods, walking every container's env on every API request was the fake's
// quadratic cost.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fakes/kube/store.h"

namespace kexsim::fakes {

/// The parts of a pod's spec that decide whether the kubelet has events to record for it.
struct PodFacts {
  bool secret_env = false;          ///< a container takes env from a Secret that is not optional
  bool object_volumes = false;      ///< a secret or configMap volume that is not optional
  std::optional<int64_t> deadline;  ///< spec.activeDeadlineSeconds, when it is an integer
};

/// PodFacts by pod uid, recomputed when the pod's resourceVersion changes (so a replaced spec is seen).
class PodFactsCache {
 public:
  /// The facts of a stored pod.
  const PodFacts& of(const StoredObject& pod);
  /// Forgets a deleted pod.
  void forget(const std::string& uid) { facts_.erase(uid); }

 private:
  struct Entry {
    std::string resource_version;
    PodFacts facts;
  };
  std::map<std::string, Entry> facts_;
};

/// The facts of one pod object.
PodFacts pod_facts(const nlohmann::json& pod);

}  // namespace kexsim::fakes

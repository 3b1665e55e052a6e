#pragma once
// The status of pods whose containers run, made once and copied after. A pod's status is a pure
// function of the pod, its timings, its address, its image states and the time; once its containers
// run, the time no longer shows in it. Reads present every running pod on every request while a watch
// is open (record_status_changes, the watches' snapshots), and building the status anew was most of it.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/kube/images.h"
#include "fakes/kube/pod_lifecycle.h"

namespace kexsim::fakes {

/// pod_status() with the running pods' answers kept while their inputs stay the same.
class RunningStatusMemo {
 public:
  /// Exactly pod_status(pod, created, now, timing, pod_ip, images).
  nlohmann::json status(const nlohmann::json& pod, TimePoint created, TimePoint now, const PodTiming& timing,
                        const std::string& pod_ip, const PodImageStates* images);
  /// Forgets a deleted pod.
  void forget(const std::string& uid) { entries_.erase(uid); }

 private:
  struct Entry {
    std::string resource_version;  ///< the stored pod's: any write to it gives a new one
    TimePoint created, since;      ///< since: when the status was made (valid from then on)
    PodTiming timing;
    std::string pod_ip;
    std::optional<PodImageStates> images;
    nlohmann::json status;
  };
  bool same_inputs(const Entry& e, const std::string& rv, TimePoint created, TimePoint now, const PodTiming& timing,
                   const std::string& pod_ip, const PodImageStates* images) const;

  std::map<std::string, Entry> entries_;  // uid -> its running status
};

}  // namespace kexsim::fakes

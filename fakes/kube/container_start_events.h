#pragma once
// The kubelet's Normal events for containers it starts (Created, Started), recorded from the pods'
// presented container statuses as soon as a request sees the containers started, dated the instant they
// started (so a list gives them after the pulls, in time order): the runner asks only for Warning events,
// so these are for `kubectl get events` and `kubectl describe pod`.

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "fakes/kube/events.h"

namespace kexsim::fakes {

/// The kubelet's Created message for a container, as the release words it (kuberuntime_container.go).
std::string created_container_message(const std::string& container, int kubernetes_minor);
/// The kubelet's Started message for a container (kuberuntime_container.go).
std::string started_container_message(const std::string& container);

/// Which container starts have their events recorded, so each start is recorded once.
class ContainerStartEvents {
 public:
  /// Records Created and Started (at the state's startedAt) for each container of the presented pod that
  /// the runtime started and that has no events yet; a restart (a higher restartCount) records again.
  /// `started` is the exact instant the containers started, when known: startedAt has whole seconds only,
  /// and events dated by it would sort before the image pull that preceded them.
  void record(const nlohmann::json& pod, int kubernetes_minor, EventLog& events, const std::string& rv,
              std::optional<TimePoint> started = std::nullopt);
  /// Forgets a deleted pod.
  void forget(const std::string& uid);

 private:
  std::set<std::tuple<std::string, std::string, int>> recorded_;  // uid, container, restartCount
};

}  // namespace kexsim::fakes

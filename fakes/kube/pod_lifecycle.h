#pragma once
// The simulated kubelet's view of a pod: its status as a pure function of virtual time, in the
// shapes a real kubelet writes (kwok's "stage" idea, reduced to two stages).
//
// Stage "creating" (now < created + pending, or forever with never_start). The pod is scheduled at
// once: spec.nodeName is set, and
//   phase Pending, hostIP/hostIPs 10.0.0.10, startTime = created, qosClass,
//   conditions, in this order:
//     PodReadyToStartContainers False
//     Initialized True   (False, ContainersNotInitialized, "containers with incomplete status: [init-a]"
//                         when spec.initContainers exist)
//     Ready False, ContainersNotReady, "containers with unready status: [build helper svc-0]"
//     ContainersReady False, same reason and message (every spec.containers name, spec order)
//     PodScheduled True
//   containerStatuses (sorted by name, as the kubelet does): ready false, started false,
//     state.waiting.reason ContainerCreating (PodInitializing when init containers exist);
//   initContainerStatuses likewise, waiting PodInitializing.
// Stage "running" (from created + pending). phase Running, podIP/podIPs, every condition True,
//   containerStatuses ready/started with state.running.startedAt = created + pending,
//   initContainerStatuses terminated (exitCode 0, reason Completed).
// Every condition carries lastProbeTime null and lastTransitionTime.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/kube/images.h"

namespace kexsim::fakes {

/// How the simulated kubelet brings pods up (from the scenario).
struct PodTiming {
  Duration pending{std::chrono::seconds(6)};  ///< from creation until the containers run
  bool never_start = false;                   ///< stay in ContainerCreating forever
  std::string node_name = "node-1";
  std::string host_ip = "10.0.0.10";  ///< the node's InternalIP (status.hostIP)
};

/// The pod's status at `now`; pod_ip is the address it gets once running. With `images` (the image
/// model's states), a container runs only once its image is present, and a failed pull is its waiting state.
nlohmann::json pod_status(const nlohmann::json& pod, TimePoint created, TimePoint now, const PodTiming& timing,
                          const std::string& pod_ip = "10.244.0.2", const PodImageStates* images = nullptr);

/// The pod as a read returns it: spec.nodeName filled in (unless the pod names one) and the status at `now`.
nlohmann::json pod_with_status(const nlohmann::json& pod, TimePoint created, TimePoint now, const PodTiming& timing,
                               const std::string& pod_ip = "10.244.0.2", const PodImageStates* images = nullptr);

/// pod_with_status with the status already made (pod_status of the same pod and timing).
nlohmann::json with_status(const nlohmann::json& pod, const PodTiming& timing, nlohmann::json status);

/// A pod the scheduler could not place (yet): phase Pending, qosClass, and only the scheduler's
/// condition PodScheduled False, reason Unschedulable, with the FitError message (schedule_one.go).
nlohmann::json unscheduled_pod(const nlohmann::json& pod, TimePoint since, const std::string& message);

/// The pod's QoS class from its containers' resources: BestEffort, Burstable or Guaranteed.
std::string pod_qos_class(const nlohmann::json& pod);

}  // namespace kexsim::fakes

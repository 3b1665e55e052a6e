#pragma once
// The kubelet side of the service daemon model: reads a pod (as a read returns it) into the daemons
// its service containers run, for the container runtime model (fakes/runtime/service_daemon.h).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/runtime/service_daemon.h"

namespace kexsim::fakes {

/// The daemons of pod's service containers (every container but build, helper and init ones) as the
/// exec'd `container` sees them: ports and start times from the scenario's models and the
/// containers' startedAt, dind's TLS and certificates from their env, privilege and volume mounts.
PodServices pod_services(const nlohmann::json& pod, const std::string& container,
                         const std::vector<ServiceModel>& models);

}  // namespace kexsim::fakes

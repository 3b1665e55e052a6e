#pragma once
// resource_availability_check_max_attempts: before creating the pod, GitLab Runner waits for the
// service account and every image pull secret to exist (executors/kubernetes/kubernetes.go
// checkDependantResources, waitForResource).

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "executor/config.h"
#include "executor/kube_client.h"  // brings boost/asio/awaitable.hpp after the headers it needs

namespace kexsim::executor {

/// Checks that the service account (when set) and each image_pull_secrets entry exist, each up to
/// max_attempts + 1 times, 5 s apart. Error: "Timed out while waiting for ServiceAccount/<name> to be
/// present in the cluster" (or ImagePullSecret/<name>). Nothing is checked when max_attempts is 0.
boost::asio::awaitable<Status> check_dependant_resources(KubeClient* kube, Clock* clock, std::string ns,
                                                         const KubernetesConfig* config);

}  // namespace kexsim::executor

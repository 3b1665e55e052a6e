#pragma once
// The PodDisruptionBudget GitLab Runner 18.11+ creates for the job pod with `pod_disruption_budget = true`
// (executors/kubernetes/kubernetes.go createPodDisruptionBudget): minAvailable 1 over the pod's own
// job.runner.gitlab.com/pod label, owned by the pod, so a node drain cannot evict the running job.

#include <nlohmann/json.hpp>

namespace kexsim {

/// The PodDisruptionBudget object to POST for the created job pod ("<pod>-pdb", same namespace).
nlohmann::json pod_disruption_budget_for(const nlohmann::json& pod);

}  // namespace kexsim

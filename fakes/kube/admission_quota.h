#pragma once
// The ResourceQuota admission plugin for pods: usage from the pods present in the namespace, the
// pod evaluator's constraints ("must specify …") and the "exceeded quota" check, worded as
// apiserver pkg/admission/plugin/resourcequota/controller.go and pkg/quota/v1/evaluator/core/pods.go.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/admission_resources.h"

namespace kexsim::fakes {

/// What one pod charges to quotas (PodUsageFunc): count/pods always; pods, cpu, memory,
/// ephemeral-storage and their requests./limits. forms while the pod is not Succeeded or Failed.
ResourceList pod_quota_usage(const nlohmann::json& pod);

/// The namespace's usage of each resource the quota limits, from the pods present (zero where none).
ResourceList quota_used(const nlohmann::json& quota, const std::vector<nlohmann::json>& pods);

/// The quota as a GET shows it: status.hard from spec.hard and status.used from the pods present.
nlohmann::json quota_with_status(nlohmann::json quota, const std::vector<nlohmann::json>& pods);

/// Why the quotas refuse a new pod ("failed quota: …" or "exceeded quota: …", before the Forbidden
/// wrapper), or nothing. `pods` are the pods already in the namespace; `minor` picks the wording of
/// "must specify" (per-resource container lists from Kubernetes 1.24, PR #107210).
std::optional<std::string> check_quotas(const std::vector<nlohmann::json>& quotas, const nlohmann::json& pod,
                                        const std::vector<nlohmann::json>& pods, int minor);

}  // namespace kexsim::fakes

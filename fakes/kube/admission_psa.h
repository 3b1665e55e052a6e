#pragma once
// Pod Security admission for pods: the levels a namespace's pod-security.kubernetes.io labels ask
// for, the baseline and restricted checks in upstream's order, and the enforce / warn wording
// (kubernetes/pod-security-admission admission/admission.go, policy/check_*.go, policy/registry.go).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kexsim::fakes {

/// What Pod Security admission says about one pod create.
struct PodSecurityOutcome {
  std::optional<std::string> denied;  ///< `violates PodSecurity "restricted:latest": …` (before the Forbidden wrapper)
  std::vector<std::string> warnings;  ///< `would violate PodSecurity "…": …`, only when not denied
};

/// The failed checks of a level ("baseline" or "restricted") as ForbiddenDetail joins them:
/// `reason (detail), reason (detail)`; "" when the pod passes. `minor` drops checks newer than it.
std::string pod_security_violations(const std::string& level, const nlohmann::json& pod, int minor);

/// Evaluates the namespace labels (enforce, warn; -version labels; audit is not modelled) for a pod.
/// Before 1.23 the PodSecurity gate was off by default: nothing is checked.
PodSecurityOutcome check_pod_security(const nlohmann::json& namespace_labels, const nlohmann::json& pod, int minor);

}  // namespace kexsim::fakes

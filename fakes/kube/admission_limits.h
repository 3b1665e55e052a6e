#pragma once
// The LimitRanger admission plugin for pods: container defaults (default / defaultRequest) in the
// mutating phase and min / max / maxLimitRequestRatio in the validating phase, worded as
// plugin/pkg/admission/limitranger/admission.go.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kexsim::fakes {

/// Fills each container's missing requests and limits from the Container items of the namespace's
/// LimitRanges and records what was set in the kubernetes.io/limit-ranger annotation.
void apply_limit_defaults(const std::vector<nlohmann::json>& ranges, nlohmann::json& pod);

/// The aggregated min/max/ratio violations of the pod (one message, or "[a, b]"), or nothing.
std::optional<std::string> check_limits(const std::vector<nlohmann::json>& ranges, const nlohmann::json& pod);

}  // namespace kexsim::fakes

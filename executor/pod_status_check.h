#pragma once
// One poll of the attach strategy's pod watchdog (executors/kubernetes/kubernetes.go checkPodStatus with
// podContainerStatusChecker): what a GET pod answer says about the job, read without trusting its shape.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace kexsim::executor {

/// What the watchdog concluded from one pod answer: no failure, or the error that ends the stage.
struct PodStatusVerdict {
  /// podPhaseError ("pod \"P\" status is \"Failed\"") or podContainerError ("Error in container build:
  /// exit code: 137, reason: 'OOMKilled'"); nullopt while the pod runs and build and helper have not ended.
  std::optional<std::string> failure;
  /// The phase is neither Running nor Failed (Pending, Succeeded, Unknown, empty): upstream's error is not
  /// a BuildError there, so the job fails as a system failure.
  bool unknown_failure = false;
};

/// Which containers' terminated states fail the check: build and helper (the stages' watchdog), or every
/// container (waitForServices' podContainerStatusChecker without a filter: service containers too).
enum class CheckedContainers { kBuildAndHelper, kAll };

/// checkPodStatus on `pod` (the decoded answer of GET pods/<pod_name>). An answer whose fields have the
/// wrong type (client-go would fail to decode it) is an error value, which the watchdog reports as a
/// failed GET ("Getting job pod status <err>") and polls again; nothing here throws.
Result<PodStatusVerdict> check_pod_status(const nlohmann::json& pod, std::string_view pod_name,
                                          CheckedContainers checked = CheckedContainers::kBuildAndHelper);

}  // namespace kexsim::executor

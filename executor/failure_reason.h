#pragma once
// Why a job failed, as the runner API names it, and the logic around it: which reason a given
// GitLab understands, and what an image pull error means. Wording lives in messages.h.

#include <string>
#include <string_view>
#include <vector>

namespace kexsim::executor {

/// A failure reason of the runner API (common/build.go: JobFailureReason).
enum class FailureReason {
  kScriptFailure,
  kRunnerSystemFailure,
  kJobExecutionTimeout,
  kImagePullFailure,
  kUnknownFailure,
  kRunnerConfigurationError,
  kRunnerExternalDependencyFailure,
  kRunnerInterrupted,
  kJobCanceled,
};

/// The API spelling: "script_failure", "runner_system_failure", ...
std::string_view to_string(FailureReason reason);

/// The reason to send to GitLab: the reason itself if GitLab supports it (job
/// features.failure_reasons plus the three every GitLab knows), else its compatible fallback,
/// else unknown_failure.
std::string negotiate_failure_reason(FailureReason reason, const std::vector<std::string>& supported);

/// The failure reason of an image pull error, from the kubelet's message.
FailureReason classify_image_pull_failure(std::string_view kubelet_message);

}  // namespace kexsim::executor

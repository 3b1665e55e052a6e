#include "executor/failure_reason.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kexsim::executor {

std::string_view to_string(FailureReason reason) {
  switch (reason) {
    case FailureReason::kScriptFailure: return "script_failure";
    case FailureReason::kRunnerSystemFailure: return "runner_system_failure";
    case FailureReason::kJobExecutionTimeout: return "job_execution_timeout";
    case FailureReason::kImagePullFailure: return "image_pull_failure";
    case FailureReason::kUnknownFailure: return "unknown_failure";
    case FailureReason::kRunnerConfigurationError: return "runner_configuration_error";
    case FailureReason::kRunnerExternalDependencyFailure: return "runner_external_dependency_failure";
    case FailureReason::kRunnerInterrupted: return "runner_interrupted";
    case FailureReason::kJobCanceled: return "job_canceled";
  }
  return "unknown_failure";
}

// common/build.go: the reasons every GitLab knows, and the compatibility fallbacks
// (runner_system_failure for the dependency and pull reasons, script_failure for configuration).
std::string negotiate_failure_reason(FailureReason reason, const std::vector<std::string>& supported) {
  static constexpr std::array<FailureReason, 3> kAlways = {
      FailureReason::kScriptFailure, FailureReason::kRunnerSystemFailure, FailureReason::kJobExecutionTimeout};
  const std::string name(to_string(reason));
  if (std::find(kAlways.begin(), kAlways.end(), reason) != kAlways.end() ||
      std::find(supported.begin(), supported.end(), name) != supported.end())
    return name;
  if (reason == FailureReason::kImagePullFailure || reason == FailureReason::kRunnerExternalDependencyFailure)
    return std::string(to_string(FailureReason::kRunnerSystemFailure));
  if (reason == FailureReason::kRunnerConfigurationError) return std::string(to_string(FailureReason::kScriptFailure));
  return std::string(to_string(FailureReason::kUnknownFailure));
}

FailureReason classify_image_pull_failure(std::string_view kubelet_message) {
  std::string msg(kubelet_message);
  std::transform(msg.begin(), msg.end(), msg.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 8> kConfiguration = {"not found",
                                                                     "manifest unknown",
                                                                     "pull access denied",
                                                                     "unauthorized",
                                                                     "authentication required",
                                                                     "no basic auth credentials",
                                                                     "repository does not exist or may require",
                                                                     "access to the resource is denied"};
  static constexpr std::array<std::string_view, 8> kExternal = {
      "dial tcp",      "connection refused",      "no such host",     "i/o timeout",
      "tls handshake", "client.timeout exceeded", "request canceled", "connection reset"};
  // common/classify_image_pull_failure.go: network failures are checked first ("dial tcp: lookup x: no
  // such host" must not count as "not found").
  for (auto s : kExternal)
    if (msg.find(s) != std::string::npos) return FailureReason::kRunnerExternalDependencyFailure;
  for (auto s : kConfiguration)
    if (msg.find(s) != std::string::npos) return FailureReason::kRunnerConfigurationError;
  return FailureReason::kImagePullFailure;
}

}  // namespace kexsim::executor

#pragma once
// What GitLab Runner checks while it waits for the build pod, and the image choices made before it
// creates one: terminal container states (internal/watchers/pod.go CheckTerminalContainerErrors,
// v13.12 util.go getPodPhase), the pod's Warning events (kubernetes.go logPodWarningEvents,
// util.go checkPodSandboxUserNamespaceFailure), pull policies (helpers/pull_policies,
// common/config.go, kubernetes.go preparePullManager) and the helper image's architecture
// (kubernetes.go prepareHelperImage, helpers/container/helperimage/linux_info.go).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/config.h"
#include "executor/failure_reason.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// A container state the wait loop gives up on, with the error and failure reason the release reports.
struct TerminalContainerError {
  std::string message;  ///< the error inside the "waiting for pod running: " wrapper
  FailureReason reason = FailureReason::kScriptFailure;
  bool image_pull = false;   ///< a pull.ImagePullError: the pull-policy fallback may try the next policy
  std::string container;     ///< ImagePullError.Container
  std::string image;         ///< ImagePullError.Image (the status' image)
  std::string pull_message;  ///< ImagePullError.Message: "image pull failed: <kubelet message>"
};

/// Checks the not-ready container statuses, then the init containers', of a pod status as the profile
/// does: 19.4 InvalidImageName, ErrImagePull/ImagePullBackOff (ClassifyImagePullFailure),
/// CrashLoopBackOff, CreateContainerConfigError; 13.12 only the image states, with no failure reason.
std::optional<TerminalContainerError> check_terminal_containers(const nlohmann::json& pod_status, Profile profile);

/// 19.4 with print_pod_warning_events: a FailedCreatePodSandBox event about user namespaces ends the wait.
std::optional<TerminalContainerError> check_sandbox_user_namespace(const nlohmann::json& event_list);

/// The Warning events already printed for a pod, so that each is printed once (18.9+: oldest first,
/// keyed by uid and count, newer than the last printed).
class WarningEventPrinter {
 public:
  /// The messages of the events in an EventList not printed yet, oldest first; remembers them.
  std::vector<std::string> take_new(const nlohmann::json& event_list);

 private:
  std::set<std::string> seen_;
  std::string last_fetched_;  ///< RFC 3339 time of the newest event printed
};

/// The pull manager's warning after an image pull error: 17.5+ `Failed to pull image "<img>" for container
/// "<c>" with policy "<p>": <msg>`, 17.3-17.4 without the container, before 17.3 `Failed to pull image with
/// policy "<p>": <msg>` (without WARNING:).
std::string pull_policy_failed(Profile profile, const TerminalContainerError& e, const std::string& policy);

/// The pull manager's next attempt: `Attempt #2: Trying "Always" pull policy for "<img>" image for container "<c>"`
/// (before 17.5 without the container).
std::string pull_policy_attempt(Profile profile, int attempt, const std::string& policy,
                                const TerminalContainerError& e);

/// Whether the release lists the pod's Warning events after a failure: 18.0+ `print_pod_warning_events`
/// (default true); 16.2 and 17.2-17.11 always; otherwise never (16.3-17.1 needed FF_RETRIEVE_POD_WARNING_EVENTS).
bool prints_pod_warning_events(Profile profile, const KubernetesConfig& kube);

/// The effective pull policies of a container as Kubernetes names them ("" for the cluster's default),
/// from the job's image `pull_policy` else the config's, limited to `allowed_pull_policies`. Errors are
/// upstream's: "invalid pull policy for container "build": pull_policy ([IfNotPresent]) defined in Runner
/// config is not one of the allowed_pull_policies ([Always])", "converting pull policy …".
Result<std::vector<std::string>> effective_pull_policies(Profile profile, const KubernetesConfig& kube,
                                                         const std::vector<std::string>& job_policies,
                                                         const std::string& container);

/// Go's %s of a []api.PullPolicy: "[Always IfNotPresent]", "[]" for the cluster default.
std::string pull_policy_list(const std::vector<std::string>& policies);

/// The default helper image for the release, with the architecture from `node_selector`
/// (kubernetes.io/arch) and, in 19.4 with helper_image_autoset_arch_and_os, the runner's own platform.
std::string default_helper_image_for(Profile profile, const KubernetesConfig& kube,
                                     const std::string& runner_arch = "amd64");

}  // namespace kexsim::executor

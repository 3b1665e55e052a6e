#include "executor/pod_checks.h"

#include <algorithm>

#include "base/json_fields.h"
#include "executor/messages.h"
#include "executor/pod_spec.h"
#include "executor/pod_spec_extras.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

std::string json_quote(const std::string& s) { return json(s).dump(); }

// CheckTerminalContainerErrors' crashLoopMessage: the waiting message and the last termination's.
std::string crash_loop_message(const json& status) {
  const std::string msg = text(member(member(status, "state"), "waiting"), "message");
  const std::string last = text(member(member(status, "lastState"), "terminated"), "message");
  if (last.empty()) return msg;
  if (msg.empty()) return last;
  return msg + ": " + last;
}

std::optional<TerminalContainerError> check_one(const json& status, Profile profile) {
  const json& ready = member(status, "ready");
  if (ready.is_boolean() && ready.get<bool>()) return std::nullopt;
  const json& waiting = member(member(status, "state"), "waiting");
  if (!waiting.is_object()) return std::nullopt;
  const std::string why = text(waiting, "reason");
  const std::string msg = text(waiting, "message");
  TerminalContainerError e;
  if (why == "InvalidImageName") {
    // internal/watchers/pod.go: a configuration error (19.0+); v13.12 util.go: a BuildError without a reason.
    e.message = messages::image_pull_failed(msg);
    e.reason = invalid_image_name_is_config_error(profile) ? FailureReason::kRunnerConfigurationError
                                                           : FailureReason::kScriptFailure;
    return e;
  }
  if (why == "ErrImagePull" || why == "ImagePullBackOff") {
    e.image_pull = true;
    e.container = text(status, "name");
    e.image = text(status, "image");
    e.pull_message = messages::image_pull_failed(msg);
    if (pull_messages_name_container(profile)) {
      // pull.ImagePullError "pulling image %q for container %s: %s" (17.5+).
      e.message = messages::pulling_image_failed(e.image, e.container, msg);
    } else {
      // v13.12 internal/pull/errors.go: "pulling image %q: %s".
      e.message = "pulling image " + json_quote(e.image) + ": " + e.pull_message;
    }
    // 19.1+ common/classify_image_pull_failure.go; 16.1+ image_pull_failure; before: none (script_failure).
    e.reason = classifies_image_pull_failure(profile) ? classify_image_pull_failure(msg)
               : image_pull_failure_reason(profile)   ? FailureReason::kImagePullFailure
                                                      : FailureReason::kScriptFailure;
    return e;
  }
  if (why == "CrashLoopBackOff" && crash_loop_fails_fast(profile)) {
    e.message = messages::crash_loop_back_off(text(status, "name"), crash_loop_message(status));
    e.reason = FailureReason::kRunnerConfigurationError;
    return e;
  }
  if (why == "CreateContainerConfigError" && container_config_error_fails_fast(profile)) {
    e.message = messages::container_config_error(msg);
    e.reason = FailureReason::kRunnerConfigurationError;
    return e;
  }
  return std::nullopt;
}

// eventLastOccurredTimestamp, as comparable text (RFC 3339 with microseconds).
std::string last_occurred(const json& event) {
  std::string t = text(member(event, "series"), "lastObservedTime");
  for (const char* field : {"lastTimestamp", "eventTime", "firstTimestamp"})
    if (t.empty()) t = text(event, field);
  if (t.empty()) t = text(member(event, "metadata"), "creationTimestamp");
  if (!t.empty() && t.back() == 'Z' && t.find('.') == std::string::npos) t.insert(t.size() - 1, ".000000");
  return t;
}

// common/config.go ConvertFromDockerPullPolicy.
Result<std::string> kubernetes_policy(const std::string& docker) {
  if (docker.empty()) return std::string();
  if (docker == "always") return std::string("Always");
  if (docker == "never") return std::string("Never");
  if (docker == "if-not-present") return std::string("IfNotPresent");
  return make_error("unsupported pull policy: " + json_quote(docker),
                    "use never, if-not-present or always (a string or a list)", "runners.kubernetes.pull_policy");
}

Result<std::vector<std::string>> convert(const std::vector<std::string>& docker) {
  std::vector<std::string> out;
  for (const auto& p : docker) {
    auto k = kubernetes_policy(p);
    if (!k) return k.error();
    out.push_back(*k);
  }
  return out;
}

}  // namespace

std::optional<TerminalContainerError> check_terminal_containers(const json& pod_status, Profile profile) {
  // slices.Concat(ContainerStatuses, InitContainerStatuses) (19.4; the same order in v13.12).
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    const json& statuses = member(pod_status, list);
    if (!statuses.is_array()) continue;
    for (const auto& status : statuses)
      if (auto e = check_one(status, profile)) return e;
  }
  return std::nullopt;
}

std::optional<TerminalContainerError> check_sandbox_user_namespace(const json& event_list) {
  const json& items = member(event_list, "items");
  if (!items.is_array()) return std::nullopt;
  for (const auto& event : items) {
    const std::string msg = text(event, "message");
    if (text(event, "reason") == "FailedCreatePodSandBox" &&
        msg.find("does not support user namespaces") != std::string::npos) {
      TerminalContainerError e;
      e.message = "pod sandbox creation failed: " + msg;  // executors/kubernetes/util.go
      e.reason = FailureReason::kRunnerConfigurationError;
      return e;
    }
  }
  return std::nullopt;
}

std::vector<std::string> WarningEventPrinter::take_new(const json& event_list) {
  struct Candidate {
    std::string at, key, message;
  };
  std::vector<Candidate> fresh;
  std::set<std::string> during;
  const json& items = member(event_list, "items");
  if (items.is_array())
    for (const auto& event : items) {
      const std::string at = last_occurred(event);
      if (!last_fetched_.empty() && at < last_fetched_) continue;
      const json& count = member(event, "count");
      const std::string key = text(member(event, "metadata"), "uid") + ":" +
                              std::to_string(count.is_number_integer() ? count.get<int>() : 0);
      if (seen_.count(key) || !during.insert(key).second) continue;
      fresh.push_back({at, key, text(event, "message")});
    }
  std::stable_sort(fresh.begin(), fresh.end(), [](const Candidate& a, const Candidate& b) { return a.at < b.at; });
  std::vector<std::string> out;
  for (const auto& c : fresh) {
    out.push_back(c.message);
    if (c.at > last_fetched_) last_fetched_ = c.at;
    seen_.insert(c.key);
  }
  return out;
}

// executors/kubernetes/internal/pull/manager.go: "Failed to pull image with policy %q: %v"; from 17.3 with the image
// %q, from 17.5 also "for container %q".
std::string pull_policy_failed(Profile profile, const TerminalContainerError& e, const std::string& policy) {
  if (!pull_failure_names_image(profile))
    return "Failed to pull image with policy " + json_quote(policy) + ": " + e.pull_message;
  if (!pull_messages_name_container(profile))
    return "Failed to pull image " + json_quote(e.image) + " with policy " + json_quote(policy) + ": " + e.pull_message;
  return "Failed to pull image " + json_quote(e.image) + " for container " + json_quote(e.container) + " with policy " +
         json_quote(policy) + ": " + e.pull_message;
}

std::string pull_policy_attempt(Profile profile, int attempt, const std::string& policy,
                                const TerminalContainerError& e) {
  // executors/kubernetes/internal/pull/manager.go UpdatePolicyForContainer: "Attempt #%d: Trying %q pull policy for %q image"
  // (17.5: " for container %q").
  std::string out = "Attempt #" + std::to_string(attempt) + ": Trying " + json_quote(policy) + " pull policy for " +
                    json_quote(e.image) + " image";
  if (pull_messages_name_container(profile)) out += " for container " + json_quote(e.container);
  return out;
}

bool prints_pod_warning_events(Profile profile, const KubernetesConfig& kube) {
  if (has_print_pod_warning_events(profile)) return kube.print_pod_warning_events.value_or(true);
  return logs_warning_events_on_failure(profile);
}

Result<std::vector<std::string>> effective_pull_policies(Profile profile, const KubernetesConfig& kube,
                                                         const std::vector<std::string>& job_policies,
                                                         const std::string& container) {
  // kubernetes.go getPullPolicies: the job's policies win over the config's (13.12: the config's only).
  std::vector<std::string> policies;
  if (job_pull_policies(profile) && !job_policies.empty()) {
    auto converted = convert(job_policies);
    if (!converted)
      return make_error("converting pull policy for container " + json_quote(container) +
                            ": conversion to Kubernetes policy: " + converted.error().message,
                        converted.error().hint, "image:pull_policy");
    policies = *converted;
  } else if (!kube.pull_policy.empty()) {
    auto converted = convert(kube.pull_policy);
    if (!converted) {
      const std::string prefix =
          pull_policy_errors_name_container(profile)
              ? "converting pull policy for container " + json_quote(container) + ": pull_policy config: "
              : "pull_policy config: ";
      return make_error(prefix + converted.error().message, converted.error().hint, "runners.kubernetes.pull_policy");
    }
    policies = *converted;
  } else {
    policies = {""};
  }
  if (!job_pull_policies(profile)) return policies;

  // common/config.go GetAllowedPullPolicies: the pull policies themselves when none are listed.
  std::vector<std::string> allowed = policies;
  if (!kube.allowed_pull_policies.empty()) {
    auto converted = convert(kube.allowed_pull_policies);
    if (!converted)
      return make_error("getting allowed pull policies: allowed_pull_policies config: " + converted.error().message,
                        converted.error().hint, "runners.kubernetes.allowed_pull_policies");
    allowed = *converted;
  } else if (!kube.pull_policy.empty()) {
    allowed = *convert(kube.pull_policy);
  } else {
    allowed = {""};
  }
  // helpers/pull_policies/pull_policies.go ComputeEffectivePullPolicies.
  std::vector<std::string> effective;
  for (const auto& p : policies)
    if (std::find(allowed.begin(), allowed.end(), p) != allowed.end()) effective.push_back(p);
  if (effective.empty()) {
    const std::string source = !job_policies.empty()       ? "GitLab pipeline config"
                               : !kube.pull_policy.empty() ? "Runner config"
                                                           : "Runner config (default)";
    return make_error("invalid pull policy for container " + json_quote(container) + ": pull_policy (" +
                          pull_policy_list(policies) + ") defined in " + source +
                          " is not one of the allowed_pull_policies (" + pull_policy_list(allowed) + ")",
                      "set pull_policy to one of allowed_pull_policies, or allow the policy the job asks for",
                      "runners.kubernetes.allowed_pull_policies");
  }
  return effective;
}

std::string pull_policy_list(const std::vector<std::string>& policies) {
  std::string out = "[";
  for (size_t i = 0; i < policies.size(); ++i) out += (i ? " " : "") + policies[i];
  return out + "]";
}

std::string default_helper_image_for(Profile profile, const KubernetesConfig& kube, const std::string& runner_arch) {
  if (!helper_arch_from_node_selector(profile)) return default_helper_image(profile);  // 13.12 has neither setting
  // retrieveHelperImageConfig: amd64, or the runner's own platform with helper_image_autoset_arch_and_os
  // (16.5+); prepareHelperImage: a node_selector kubernetes.io/arch wins (14.2+).
  std::string arch =
      kube.helper_image_autoset_arch_and_os && helper_image_autoset_arch(profile) ? runner_arch : "amd64";
  if (auto it = kube.node_selector.find("kubernetes.io/arch"); it != kube.node_selector.end() && !it->second.empty())
    arch = it->second;
  // helperimage/linux_info.go architecture(): the tag's spelling of the platform.
  if (arch == "armv6l" || arch == "armv7l") arch = "arm";
  if (arch == "aarch64") arch = "arm64";
  if (arch == "amd64") arch = "x86_64";
  // helper_image_flavor (helperimage/linux_info.go): "<flavor>-<arch>-<tag>" unless alpine.
  return helper_image_repository(profile) + helper_flavor_prefix(kube, profile) + arch + "-" +
         helper_image_tag(profile);
}

}  // namespace kexsim::executor

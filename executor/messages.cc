#include "executor/messages.h"

#include <cctype>
#include <cstdio>

#include "base/go_duration.h"
#include "executor/release_features.h"

namespace kexsim::executor::messages {
namespace {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

std::string hex_escape(const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// Length of a valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not one.
size_t utf8_length(std::string_view s, size_t i, uint32_t& code) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n;
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2, code = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3, code = b & 0x0f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4, code = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    code = (code << 6) | (c & 0x3f);
  }
  const uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return n;
}

// common/build.go executePrepareScripts (13.12: executeScript): the link of the prepare-environment error.
std::string shell_profile_url(Profile p) {
  return !docs_urls_without_index(p) ? "https://docs.gitlab.com/runner/shells/index.html#shell-profile-loading"
                                     : "https://docs.gitlab.com/runner/shells/#shell-profile-loading";
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out += hex_escape("\\x%02x", c);
          } else {
            out += char(c);
          }
      }
      ++i;
      continue;
    }
    uint32_t code = 0;
    const size_t n = utf8_length(s, i, code);
    if (n == 0) {
      out += hex_escape("\\x%02x", c);  // Go escapes each byte of invalid UTF-8
      ++i;
    } else if (code < 0xa0) {
      out += hex_escape("\\u%04x", code);  // C1 controls are not printable
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += '"';
  return out;
}

std::string go_duration(int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string sign = seconds < 0 ? "-" : "";
  // The magnitude unsigned: negating INT64_MIN would overflow (W11).
  const uint64_t v = seconds < 0 ? 0 - static_cast<uint64_t>(seconds) : static_cast<uint64_t>(seconds);
  const uint64_t h = v / 3600, m = (v % 3600) / 60, s = v % 60;
  if (h > 0) return sign + std::to_string(h) + "h" + std::to_string(m) + "m" + std::to_string(s) + "s";
  if (m > 0) return sign + std::to_string(m) + "m" + std::to_string(s) + "s";
  return sign + std::to_string(s) + "s";
}

std::string go_duration_precise(Duration d) { return go_duration_string(d); }

// common/build.go attemptExecuteStage (18.0-19.0): b.logger.Infoln(fmt.Sprintf("Retrying in %v", duration)).
std::string retrying_in(Duration d) { return "Retrying in " + go_duration_precise(d); }

// common/build.go printRunningWithHeader: Println("Running with", AppVersion.Line()) (common/version.go Line).
std::string header_running_with(Profile p) {
  return cat({"Running with gitlab-runner ", runner_version(p), " (", runner_revision(p), ")"});
}

// common/build.go printRunningWithHeader: "  on %s %s", and ", system ID: %s" from 15.8.
std::string header_on(Profile p, std::string_view name, std::string_view short_token, std::string_view system_id) {
  if (!header_has_system_id(p)) return cat({"  on ", name, " ", short_token});
  return cat({"  on ", name, " ", short_token, ", system ID: ", system_id});
}

// common/build.go printRunningWithHeader: Println("  feature flags:", featureInfo).
std::string header_feature_flags(std::string_view info) { return cat({"  feature flags: ", info}); }

// common/build.go printSettingErrors: Warningln(errors.Join(b.Settings().Errors...)).
std::string feature_flag_errors(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    out += e;
  }
  return out;
}

// common/build.go executeBuildSection: "%sPreparing the %q executor%s".
std::string preparing_executor() { return "Preparing the \"kubernetes\" executor"; }
// common/build.go GetStageDescription (all of the stage titles below).
std::string preparing_environment() { return "Preparing environment"; }
std::string getting_source() { return "Getting source from Git repository"; }
std::string executing_step_script() { return executing_stage("step_script"); }
std::string executing_stage(std::string_view stage) {
  return "Executing " + go_quote(stage) + " stage of the job script";
}
std::string running_after_script() { return "Running after_script"; }
// common/build.go executeUserScripts: Warningln("after_script failed, but job will continue unaffected:", err).
std::string after_script_failed(std::string_view err) {
  return cat({"after_script failed, but job will continue unaffected: ", err});
}

// common/build.go GetStageDescription: BuildStageCleanup.
std::string cleanup_stage_title(Profile p) {
  return !cleanup_title_names_project_dir(p) ? "Cleaning up file based variables"
                                             : "Cleaning up project directory and file based variables";
}

// executors/kubernetes/kubernetes.go Prepare (13.12: checkDefaults): Println("Using Kubernetes namespace:", ns).
std::string using_namespace(std::string_view ns) { return cat({"Using Kubernetes namespace: ", ns}); }

// executors/kubernetes/kubernetes.go checkDefaults:
// "Namespace is empty, therefore assuming '%s'." (DefaultResourceIdentifier).
std::string namespace_empty() { return "Namespace is empty, therefore assuming 'default'."; }

// executors/kubernetes/kubernetes.go prepareInfrastructure (13.12: Prepare):
// Println("Using Kubernetes executor with image", image, "...").
std::string using_image(std::string_view image) {
  return cat({"Using Kubernetes executor with image ", image, " ..."});
}

// executors/kubernetes/kubernetes.go preparePullManager: "Using effective pull policy of %s for container %s" (a Go
// slice prints as [a b]).
std::string using_pull_policy(const std::vector<std::string>& policies, std::string_view container) {
  std::string list;
  for (const auto& p : policies) list += (list.empty() ? "" : " ") + p;
  return cat({"Using effective pull policy of [", list, "] for container ", container});
}

// executors/kubernetes/kubernetes.go getPodActiveDeadlineSeconds.
std::string active_deadline_notice(int64_t timeout_seconds) {
  return "Using FF_USE_POD_ACTIVE_DEADLINE_SECONDS, the Pod activeDeadlineSeconds will be set to "
         "the job timeout: " +
         go_duration(timeout_seconds) + "...";
}

// executors/kubernetes/kubernetes.go checkDefaults: "no image specified and no default set in config", wrapped
// "check defaults error: %w".
std::string no_image_specified() { return "check defaults error: no image specified and no default set in config"; }

// common/build.go retryCreateExecutor: SoftErrorln("Preparation failed:", err), then
// Println("Will be retried in", PreparationRetryInterval, "...").
std::string preparation_failed(std::string_view err) { return cat({"Preparation failed: ", err}); }
std::string will_be_retried() { return "Will be retried in 3s ..."; }

// executors/kubernetes/util.go getPodPhase: "Waiting for pod %s/%s to be running, status is %s" (18.11: "... running
// on the node %s, ...").
std::string waiting_for_pod(Profile p, std::string_view ns, std::string_view pod, std::string_view node,
                            std::string_view phase) {
  if (!wait_line_names_node(p)) {
    return cat({"Waiting for pod ", ns, "/", pod, " to be running, status is ", phase});
  }
  return cat({"Waiting for pod ", ns, "/", pod, " to be running on the node ", node.empty() ? "<unknown>" : node,
              ", status is ", phase});
}

std::string pod_condition(std::string_view reason, std::string_view message) {
  return cat({"\t", reason, ": ", go_quote(message)});
}

// executors/kubernetes/util.go waitForPodRunning.
std::string timed_out_waiting(Profile p, std::string_view last_phase) {
  if (!timeout_names_last_phase(p)) return "timed out waiting for pod to start";
  return cat({"timed out waiting for pod to start (last phase: ", last_phase.empty() ? "Unknown" : last_phase, ")"});
}

// executors/kubernetes/util.go isRunning (and pod_status_failed below).
std::string pod_already_succeeded() { return "pod already succeeded before it begins running"; }
// kubernetes.go waitForPod: fmt.Errorf("pod failed to become attachable %w", err) around util.go
// WaitForPodReachable's errors.New("timed out waiting for pod to become attachable") (17.5+).
std::string pod_not_attachable() {
  return "pod failed to become attachable timed out waiting for pod to become attachable";
}
std::string pod_status_failed() { return "pod status is failed"; }

// executors/kubernetes/kubernetes.go podPhaseError.Error: "pod %q status is %q".
std::string pod_phase_error(std::string_view pod, std::string_view phase) {
  return cat({"pod ", go_quote(pod), " status is ", go_quote(phase)});
}

// executors/kubernetes/kubernetes.go podContainerError.Error: "Error in container %s: exit code: %d, reason: '%s'".
std::string error_in_container(std::string_view container, int exit_code, std::string_view reason) {
  return cat(
      {"Error in container ", container, ": exit code: ", std::to_string(exit_code), ", reason: '", reason, "'"});
}

// executors/kubernetes/internal/pull/errors.go ImagePullError.Error: "pulling image %q for container %s: %s", the
// message being internal/watchers/pod.go's (13.12: util.go getPodPhase) "image pull failed: %s".
std::string pulling_image_failed(std::string_view image, std::string_view container, std::string_view kubelet_message) {
  return cat(
      {"pulling image ", go_quote(image), " for container ", container, ": image pull failed: ", kubelet_message});
}

// executors/kubernetes/internal/watchers/pod.go CheckTerminalContainerErrors (13.12: util.go getPodPhase):
// "image pull failed: %s".
std::string image_pull_failed(std::string_view kubelet_message) {
  return cat({"image pull failed: ", kubelet_message});
}

// executors/kubernetes/internal/watchers/pod.go CheckTerminalContainerErrors: "container %q is in CrashLoopBackOff:
// %s" (19.2).
std::string crash_loop_back_off(std::string_view container, std::string_view message) {
  return cat({"container ", go_quote(container), " is in CrashLoopBackOff: ", message});
}

// executors/kubernetes/internal/watchers/pod.go CheckTerminalContainerErrors:
// "container configuration error: %s" (19.3).
std::string container_config_error(std::string_view message) {
  return cat({"container configuration error: ", message});
}

// executors/kubernetes/kubernetes.go logNewPodEvents: "Event retrieved from the cluster: %s" (19.4).
std::string event_retrieved(std::string_view message) { return cat({"Event retrieved from the cluster: ", message}); }

// shells/bash.go ensurePrepareStageHostnameMessage: "Running on $(hostname) via "+Hostname+"...".
std::string running_on(std::string_view pod, std::string_view runner_hostname) {
  return cat({"Running on ", pod, " via ", runner_hostname, "..."});
}

// shells/abstract.go writeRefspecFetchCmd (and created_fresh_repository below).
std::string fetching_changes(int64_t depth) {
  if (depth <= 0) return "Fetching changes...";
  return "Fetching changes with git depth set to " + std::to_string(depth) + "...";
}

// shells/abstract.go writeRefspecFetchCmd: Noticef("Created fresh repository.").
std::string created_fresh_repository() { return "Created fresh repository."; }

// shells/abstract.go writeCheckoutCmd: "Checking out %s as %s..." (13.12), "... as detached HEAD
// (ref is %s)..." (15.9).
std::string checking_out(Profile p, std::string_view sha, std::string_view ref) {
  const std::string_view sha8 = sha.substr(0, 8);
  if (!checkout_says_detached_head(p)) return cat({"Checking out ", sha8, " as ", ref, "..."});
  return cat({"Checking out ", sha8, " as detached HEAD (ref is ", ref, ")..."});
}

// shells/abstract.go writeSubmoduleUpdateCmds; skipping_repository_setup: handleGetSourcesStrategy.
std::string skipping_submodules() { return "Skipping Git submodules setup"; }
// shells/abstract.go handleGetSourcesStrategy: Noticef("Skipping Git repository setup").
std::string skipping_repository_setup() { return "Skipping Git repository setup"; }

// common/build.go executePrepareScripts (13.12: executeScript):
// "prepare environment: %w. Check %s for more information".
std::string prepare_environment_error(Profile p, std::string_view inner) {
  return cat({"prepare environment: ", inner, ". Check ", shell_profile_url(p), " for more information"});
}

// executors/kubernetes/kubernetes.go ensurePodsConfigured: "setting up credentials: %w" (and the two
// wrappers below, 14.0).
std::string setting_up_credentials(Profile p, std::string_view inner) {
  if (!attach_error_wrappers(p)) return std::string(inner);
  return cat({"setting up credentials: ", inner});
}

// executors/kubernetes/kubernetes.go ensurePodsConfigured: "setting up build pod: %w" (14.0).
std::string setting_up_build_pod(Profile p, std::string_view inner) {
  if (!attach_error_wrappers(p)) return std::string(inner);
  return cat({"setting up build pod: ", inner});
}

// executors/kubernetes/kubernetes.go waitForPod (13.12: ensurePodsConfigured): "waiting for pod running: %w".
std::string waiting_for_pod_running(std::string_view inner) { return cat({"waiting for pod running: ", inner}); }

// executors/kubernetes/exec.go Run: "couldn't get pod details: %s" (and pod_not_running_for_exec below).
std::string couldnt_get_pod_details(std::string_view inner) { return cat({"couldn't get pod details: ", inner}); }

std::string pod_not_running_for_exec(std::string_view pod, std::string_view ns, std::string_view phase) {
  return cat({"pod ", go_quote(pod), " (on namespace '", ns,
              "') is not running and cannot execute commands; current phase is ", go_quote(phase)});
}

// k8s.io/apimachinery util/httpstream/spdy/roundtripper.go NewConnection: "unable to upgrade connection: %v".
std::string unable_to_upgrade(std::string_view msg) { return cat({"unable to upgrade connection: ", msg}); }

// executors/kubernetes/kubernetes.go commandTerminatedError.Error: "command terminated with exit code %d".
std::string command_terminated(int exit_code) {
  return "command terminated with exit code " + std::to_string(exit_code);
}

// k8s.io/client-go tools/remotecommand v4.go errorDecoderV4.decode: an empty error stream
// (v4_test.go TestV4ErrorDecoder).
std::string error_stream_closed() {
  return "error stream closed before receiving a status message: command execution may have been "
         "interrupted";
}

// executors/kubernetes/kubernetes.go getHostAliases.
std::string host_alias_check_failed() { return "Checking for host alias support. Host aliases will be disabled."; }

// executors/kubernetes/host_aliases.go invalidHostAliasDNSError.Error.
std::string invalid_host_alias(std::string_view alias, std::string_view service, std::string_view validation_errors) {
  return cat({"provided host alias ", alias, " for service ", service, " is invalid DNS. ", validation_errors});
}

// executors/kubernetes/kubernetes.go resourceCheckError.Error: "Timed out while waiting for %s/%s to be present in the
// cluster" (type/name).
std::string timed_out_waiting_for_resource(std::string_view kind, std::string_view name) {
  return cat({"Timed out while waiting for ", kind, "/", name, " to be present in the cluster"});
}

// executors/kubernetes/kubernetes.go cleanupResources (and error_cleaning_up_secrets below).
std::string error_cleaning_up_pod(std::string_view err) { return cat({"Error cleaning up pod: ", err}); }

// executors/kubernetes/kubernetes.go cleanupResources: "Error cleaning up secrets: %s".
std::string error_cleaning_up_secrets(std::string_view err) { return cat({"Error cleaning up secrets: ", err}); }

// common/build.go executeUserScripts: "script canceled externally (UI, API)" (16.9).
std::string script_canceled() { return "script canceled externally (UI, API)"; }

// common/build.go: ErrJobCanceled.
std::string job_canceled() { return "canceled"; }

// common/build.go executeUserScripts: "%w: %w" of ErrJobScriptTimeout and the context's error.
std::string script_timeout_exceeded(Profile p) {
  // common/build.go: "script timeout context: %w" in 16.4-16.11, "script timeout: %w" from 17.0.
  return script_timeout_without_context(p) ? "script timeout: context deadline exceeded"
                                           : "script timeout context: context deadline exceeded";
}

// common/build.go warnTimeoutExceeded (the 17.11+ URL).
std::string stage_timeout_exceeded(Profile p, std::string_view stage) {
  // The URL lost its /ee/ and .html in 17.11 (common/build.go).
  const std::string_view url =
      docs_urls_without_index(p)
          ? "https://docs.gitlab.com/ci/runners/configure_runners/#set-script-and-after_script-timeouts"
          : "https://docs.gitlab.com/ee/ci/runners/configure_runners.html#set-script-and-after_script-timeouts";
  return cat({stage,
              " could not run to completion because the timeout was exceeded. For more control over job and script "
              "timeouts see: ",
              url});
}

// common/build.go getStageTimeoutContexts.
std::string ignoring_malformed_timeout(std::string_view name, std::string_view raw) {
  return cat({"Ignoring malformed ", name, " timeout: ", raw});
}

// common/build.go getStageTimeoutContexts: "Ignoring relative %s timeout: %v" (16.4).
std::string ignoring_relative_timeout(std::string_view name, std::string_view raw) {
  return cat({"Ignoring relative ", name, " timeout: ", raw});
}

// common/build.go getStageTimeoutContexts: "%s timeout: %v is longer than job timeout. Setting to job timeout".
std::string timeout_longer_than_job(std::string_view name, std::string_view raw) {
  return cat({name, " timeout: ", raw, " is longer than job timeout. Setting to job timeout"});
}

// common/build.go runtimeStateAndError: "execution took longer than %v seconds".
std::string execution_took_longer(int64_t timeout_seconds) {
  return "execution took longer than " + go_duration(timeout_seconds) + " seconds";
}

// common/build.go setTraceStatus: Infoln("Job succeeded") (and job_failed below).
std::string job_succeeded() { return "Job succeeded"; }

// common/build.go setTraceStatus: fmt.Sprint("Job failed: ", err) / "Job failed (system failure): ".
std::string job_failed(bool system_failure, std::string_view err) {
  return cat({system_failure ? "Job failed (system failure): " : "Job failed: ", err});
}

}  // namespace kexsim::executor::messages

#pragma once
// Every user-visible string of the executor, in one place, worded per runner profile.
//
// Functions return the text of one trace line without its level prefix: JobTrace adds
// "WARNING: " / "ERROR: " and the colours. Error wrappers return the error text that ends up
// after "Job failed: ". Wording is GitLab Runner's, byte for byte (users search for it).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/profile.h"

namespace kexsim::executor::messages {

// --- Go formatting the runner's messages rely on ---------------------------------------------

/// Go's %q of a string: double-quoted, with \" \\ and control characters escaped.
std::string go_quote(std::string_view s);
/// Go's time.Duration String() of whole seconds: "1h0m0s", "5m0s", "30s", "0s".
std::string go_duration(int64_t seconds);
/// Go's time.Duration String() at the virtual clock's microsecond grain: "5s", "6.283749s", "1m2.5s",
/// "750ms" (Go would print nanoseconds; the clock has none).
std::string go_duration_precise(Duration d);

// --- Header and stage titles -----------------------------------------------------------------

/// "Running with gitlab-runner 19.4.0 (4d1a0ea3)".
std::string header_running_with(Profile p);
/// "  on <name> <short>, system ID: <id>" (19.4) / "  on <name> <short>" (13.12).
std::string header_on(Profile p, std::string_view name, std::string_view short_token, std::string_view system_id);
/// "  feature flags: FF_A:true, FF_B:false": `info` lists the flags differing from their default
/// (feature_flag_info); printed only when it is not empty (13.12 and 19.4 alike).
std::string header_feature_flags(std::string_view info);
/// The warning (one Warningln, errors joined by "\n") for job variables that are not booleans.
std::string feature_flag_errors(const std::vector<std::string>& errors);
/// Stage title of prepare_executor.
std::string preparing_executor();
/// Stage title of prepare_script.
std::string preparing_environment();
/// Stage title of get_sources.
std::string getting_source();
/// Stage title of step_script.
std::string executing_step_script();
/// Stage title of a build stage without a description of its own, e.g. step_release (common/build.go
/// GetStageDescription: "Executing %q stage of the job script").
std::string executing_stage(std::string_view stage);
/// Stage title of after_script.
std::string running_after_script();
/// "after_script failed, but job will continue unaffected: <err>" (a WARNING line, 16.4+).
std::string after_script_failed(std::string_view err);
/// Stage title of cleanup_file_variables (differs per profile).
std::string cleanup_stage_title(Profile p);

// --- prepare_executor ------------------------------------------------------------------------

/// "Using Kubernetes namespace: <ns>".
std::string using_namespace(std::string_view ns);
/// Warning text when no namespace is configured.
std::string namespace_empty();
/// "Using Kubernetes executor with image <image> ...".
std::string using_image(std::string_view image);
/// "Using effective pull policy of [a b] for container <c>" (19.4).
std::string using_pull_policy(const std::vector<std::string>& policies, std::string_view container);
/// The activeDeadlineSeconds notice of 19.4 (FF_USE_POD_ACTIVE_DEADLINE_SECONDS).
std::string active_deadline_notice(int64_t timeout_seconds);
/// Error when neither the job nor the config names an image.
std::string no_image_specified();
/// "Preparation failed: <err>" (an ERROR line; followed by will_be_retried()).
std::string preparation_failed(std::string_view err);
/// "Will be retried in 3s ...".
std::string will_be_retried();
/// "Retrying in <d>": 18.0-19.0's green line before a stage's next try (FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY).
std::string retrying_in(Duration d);

// --- Waiting for the pod ---------------------------------------------------------------------

/// One poll's line; an empty node prints "<unknown>" (19.4); 13.12 has no node part.
std::string waiting_for_pod(Profile p, std::string_view ns, std::string_view pod, std::string_view node,
                            std::string_view phase);
/// "\t<Reason>: "<Message>"" (Go %q of the message), printed under a waiting line.
std::string pod_condition(std::string_view reason, std::string_view message);
/// "timed out waiting for pod to start (last phase: <phase>)"; 13.12 had no parenthesis.
std::string timed_out_waiting(Profile p, std::string_view last_phase);
/// The pod finished before it ever ran.
std::string pod_already_succeeded();
/// waitForPod after the reachability wait gave up (17.5+; "attachable" and the error, no colon).
std::string pod_not_attachable();
/// The pod's phase became Failed while waiting.
std::string pod_status_failed();
/// `pod "<pod>" status is "<phase>"` (a stage's pod-status watchdog).
std::string pod_phase_error(std::string_view pod, std::string_view phase);
/// "Error in container <c>: exit code: <n>, reason: '<reason>'".
std::string error_in_container(std::string_view container, int exit_code, std::string_view reason);
/// `pulling image "<img>" for container <c>: image pull failed: <msg>`.
std::string pulling_image_failed(std::string_view image, std::string_view container, std::string_view kubelet_message);
/// "image pull failed: <msg>" (InvalidImageName).
std::string image_pull_failed(std::string_view kubelet_message);
/// `container "<c>" is in CrashLoopBackOff: <msg>`.
std::string crash_loop_back_off(std::string_view container, std::string_view message);
/// "container configuration error: <msg>".
std::string container_config_error(std::string_view message);
/// "Event retrieved from the cluster: <msg>" (a WARNING line).
std::string event_retrieved(std::string_view message);

// --- Lines the stage scripts print (inside the pod) --------------------------------------------

/// "Running on <pod> via <runner hostname>..." (prepare_script; the pod name comes from $(hostname)).
std::string running_on(std::string_view pod, std::string_view runner_hostname);
/// "Fetching changes with git depth set to N..." ("Fetching changes..." for a full clone).
std::string fetching_changes(int64_t depth);
/// "Created fresh repository.".
std::string created_fresh_repository();
/// "Checking out <sha8> as detached HEAD (ref is <ref>)..." (19.4) / "... as <ref>..." (13.12).
std::string checking_out(Profile p, std::string_view sha, std::string_view ref);
/// "Skipping Git submodules setup".
std::string skipping_submodules();
/// "Skipping Git repository setup" (GIT_STRATEGY=none).
std::string skipping_repository_setup();

// --- Error wrappers (the chain that ends up after "Job failed: ") ----------------------------

/// "prepare environment: <inner>. Check <shell-profile URL of the profile> for more information".
std::string prepare_environment_error(Profile p, std::string_view inner);
/// "setting up credentials: <inner>" (19.4); 13.12 returned the inner error unwrapped.
std::string setting_up_credentials(Profile p, std::string_view inner);
/// "setting up build pod: <inner>" (19.4); 13.12 returned the inner error unwrapped.
std::string setting_up_build_pod(Profile p, std::string_view inner);
/// "waiting for pod running: <inner>".
std::string waiting_for_pod_running(std::string_view inner);
/// "couldn't get pod details: <inner>" (the GET before every exec).
std::string couldnt_get_pod_details(std::string_view inner);
/// The exec refusal when the pod is not Running.
std::string pod_not_running_for_exec(std::string_view pod, std::string_view ns, std::string_view phase);
/// "unable to upgrade connection: <msg>" (exec upgrade rejected by the API server).
std::string unable_to_upgrade(std::string_view msg);
/// "command terminated with exit code <n>".
std::string command_terminated(int exit_code);
/// The exec error stream closed without a status.
std::string error_stream_closed();
/// The warning when /version cannot be parsed: host aliases are then left out of the pod.
std::string host_alias_check_failed();
/// `provided host alias <alias> for service <image> is invalid DNS. <errors>`.
std::string invalid_host_alias(std::string_view alias, std::string_view service, std::string_view validation_errors);
/// "Timed out while waiting for <kind>/<name> to be present in the cluster".
std::string timed_out_waiting_for_resource(std::string_view kind, std::string_view name);

// --- Cleanup and the end of the job ----------------------------------------------------------

/// "Error cleaning up pod: <err>" (an ERROR line, does not change the result).
std::string error_cleaning_up_pod(std::string_view err);
/// "Error cleaning up secrets: <err>" (an ERROR line).
std::string error_cleaning_up_secrets(std::string_view err);
/// "script canceled externally (UI, API)" (a WARNING line).
std::string script_canceled();
/// "canceled": ErrJobCanceled, the error of a canceled or aborted job (common/build.go).
std::string job_canceled();
/// "script timeout: context deadline exceeded": RUNNER_SCRIPT_TIMEOUT ran out (common/build.go
/// executeUserScripts, 17.0+).
std::string script_timeout_exceeded(Profile p);
/// "<stage> could not run to completion because the timeout was exceeded. For more control over
/// job and script timeouts see: <docs URL>" (a WARNING line; common/build.go warnTimeoutExceeded, 16.9+).
std::string stage_timeout_exceeded(Profile p, std::string_view stage);
/// "Ignoring malformed <name> timeout: <raw>" (a WARNING line; common/build.go getStageTimeoutContexts).
std::string ignoring_malformed_timeout(std::string_view name, std::string_view raw);
/// "Ignoring relative <name> timeout: <raw>" (a WARNING line, for a negative duration).
std::string ignoring_relative_timeout(std::string_view name, std::string_view raw);
/// "<name> timeout: <raw> is longer than job timeout. Setting to job timeout" (a WARNING line).
std::string timeout_longer_than_job(std::string_view name, std::string_view raw);
/// "execution took longer than <Go duration> seconds" (sic).
std::string execution_took_longer(int64_t timeout_seconds);
/// "Job succeeded" (an info line).
std::string job_succeeded();
/// "Job failed: <err>" or "Job failed (system failure): <err>" (an ERROR line).
std::string job_failed(bool system_failure, std::string_view err);

}  // namespace kexsim::executor::messages

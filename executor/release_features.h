#pragma once
// What changed between GitLab Runner releases, one predicate per difference, each keyed by the release
// that introduced it. Code asks these instead of comparing profiles, so every release gets each change.
// Sources: /work/shared/reference/gitlab-runner-releases.md (section 16 and the sections it cites) and,
// where marked "mirror", `git show vX.Y.0:<file>` in the gitlabhq/gitlab-runner snapshot.

#include <span>
#include <string_view>

#include "executor/profile.h"

namespace kexsim::executor {

// ---- The job payload's stages (artifacts, cache, git) ----------------------------------------------

/// 18.10: artifacts-uploader gets --timeout and --response-header-timeout (mirror: shells/abstract.go
/// writeUploadArtifact, [runners.artifact] upload_timeout / response_header_timeout).
constexpr bool artifact_upload_timeout_flags(Profile p) { return p.at_least(18, 10); }
/// 18.6: get_sources keeps the job token out of .git/config: a git template includes
/// <project>.tmp/.gitlab-runner.ext.conf, whose url.<with token>.insteadOf rewrites the token-less
/// remote (mirror: shells/abstract.go setupTemplateDir, setupExternalGitConfig).
constexpr bool git_token_outside_repo_config(Profile p) { return p.at_least(18, 6); }
/// 14.0: GIT_SUBMODULE_PATHS limits sync and update to those paths (mirror: shells/abstract.go
/// writeSubmoduleUpdateCmd, common/build.go GetSubmodulePaths).
constexpr bool submodule_paths(Profile p) { return p.at_least(14, 0); }
/// 14.8: GIT_SUBMODULE_UPDATE_FLAGS go on `git submodule update` (mirror: GetGitSubmoduleUpdateFlags).
constexpr bool submodule_update_flags(Profile p) { return p.at_least(14, 8); }
/// 15.1: `git submodule init` before the sync ("Init submodules must occur prior to sync").
constexpr bool submodule_init_before_sync(Profile p) { return p.at_least(15, 1); }
/// 15.5: GIT_SUBMODULE_DEPTH (default GIT_DEPTH) is the submodules' depth (mirror: GetSubmoduleDepth).
constexpr bool submodule_depth_variable(Profile p) { return p.at_least(15, 5); }
/// 15.11: GIT_SUBMODULE_FORCE_HTTPS rewrites the GitLab host's SSH submodule URLs to HTTPS with
/// the job token (15.11-18.5 as `-c url…insteadOf` on the submodule update, 18.6+ in the external git config).
constexpr bool submodule_force_https_variable(Profile p) { return p.at_least(15, 11); }
/// 16.1: the submodules' clean takes GIT_CLEAN_FLAGS ("git clean -ffdx"; before: "git clean -ffxd").
constexpr bool submodule_clean_uses_clean_flags(Profile p) { return p.at_least(16, 1); }
/// 16.3: `git submodule update` runs in an if: "Updated submodules", else the warning
/// "Updating submodules failed. Retrying..." and sync + update + reset once more; and a depth-0
/// fetch into a shallow clone adds --unshallow.
constexpr bool submodule_update_retry(Profile p) { return p.at_least(16, 3); }
/// 16.9: `git fetch ... --no-recurse-submodules`, `git -c submodule.recurse=false checkout`, and a
/// second `git submodule sync` after "Updated submodules".
constexpr bool git_commands_without_submodule_recursion(Profile p) { return p.at_least(16, 9); }
/// 17.3: GIT_STRATEGY=empty ("Skipping Git repository setup and creating an empty build directory";
/// mirror: common/build_settings.go GitEmpty).
constexpr bool git_strategy_empty(Profile p) { return p.at_least(17, 3); }
/// 17.9: get_sources exports GIT_TERMINAL_PROMPT=0 and GCM_INTERACTIVE=Never, so a git that needs
/// a password says "terminal prompts disabled" instead of waiting for a terminal.
constexpr bool git_terminal_prompt_disabled(Profile p) { return p.at_least(17, 9); }
/// 18.7: the submodules' LFS pull is announced, "Pulling LFS files..." (mirror: writeSubmoduleUpdateCmd).
constexpr bool submodule_lfs_pull_notice(Profile p) { return p.at_least(18, 7); }
/// 19.2: the submodules' foreach runs `git lfs pull` as three words, before as one quoted command
/// ('git lfs pull') (mirror: writeSubmoduleUpdateCmd, `append(foreachArgs, "git", "lfs", "pull")`).
constexpr bool submodule_lfs_pull_words(Profile p) { return p.at_least(19, 2); }
/// 18.7: "Configuring submodules to use parent git credentials..." and every submodule's
/// include.path of the external git config (mirror: configureSubmoduleCredentials).
constexpr bool submodule_parent_credentials(Profile p) { return p.at_least(18, 7); }

/// 15.11-18.5 (mirror, shells/abstract.go writeSubmoduleUpdateCmd, common/build.go GetURLInsteadOfArgs):
/// `git submodule update` carries `-c url.<base with the job token>.insteadOf=<base>` (and with
/// GIT_SUBMODULE_FORCE_HTTPS the SSH forms), so an absolute URL on the GitLab host gets the token too.
/// 18.6 moved the rewrites into the external git config.
constexpr bool submodule_update_insteadof_args(Profile p) { return p.at_least(15, 11) && !p.at_least(18, 6); }
/// 16.4-18.5 (mirror, writeSubmoduleUpdateCmd): the submodules' `git lfs pull` carries them as well.
constexpr bool submodule_lfs_insteadof_args(Profile p) { return p.at_least(16, 4) && !p.at_least(18, 6); }
/// 15.9 (mirror, common/build.go GetRemoteURL): clone_url goes through url.Parse, any
/// scheme counts and the project's path is path.Join'ed onto its path (13.12: an "http" prefix and
/// plain concatenation).
constexpr bool clone_url_builds_path(Profile p) { return p.at_least(15, 9); }
/// 15.9 (mirror, common/config.go RunnerSettings, common/network.go Hooks): pre_get_sources_script and
/// post_get_sources_script, and the job's `hooks:` of those names (before: only pre_clone_script).
constexpr bool get_sources_hooks(Profile p) { return p.at_least(15, 9); }
/// 15.9-16.x (mirror, common/config.go rewriteGetSourcesHooks): a pre_clone_script or
/// post_clone_script fills in an unset pre_/post_get_sources_script; 17.0 removed both keys.
constexpr bool clone_script_aliases(Profile p) { return p.at_least(15, 9) && !p.at_least(17, 0); }
/// 18.2 (mirror, shells/abstract.go guardGetSourcesScriptHooks): GIT_STRATEGY=empty skips the
/// get_sources hooks as none does (17.3-18.1 ran them).
constexpr bool get_sources_hooks_skip_empty_strategy(Profile p) { return p.at_least(18, 2); }

// ---- The stage scripts' shell options -------------------------------------------------------------

/// 14.9: the shell writer's IfCmd sends the command's stderr where its stdout goes, `>/dev/null 2>&1`
/// (before: `>/dev/null 2>/dev/null`) (mirror: shells/bash.go IfCmd, 68a8a0e7f).
constexpr bool if_cmd_stderr_to_stdout(Profile p) { return p.at_least(14, 9); }
/// 18.6: IfCmd writes `if <command> >/dev/null 2>&1 ; then`, a space before the semicolon (mirror:
/// shells/bash.go ifCmd, 59453a42e "Externalize git configuration").
constexpr bool if_cmd_space_before_semicolon(Profile p) { return p.at_least(18, 6); }

/// 14.9: the script turns pipefail on only where `set -o` lists it ("Remove bashisms from Bash shell
/// implementation", 68a8a0e7f; mirror: v14.9.0 shells/bash.go BashWriter.Finish); 13.12 writes
/// `set -eo pipefail`.
constexpr bool pipefail_only_where_listed(Profile p) { return p.at_least(14, 9); }
/// 19.1: that test is a `case` on "$(set -o)" instead of `set -o | grep pipefail` ("Remove need for
/// `grep` to enable `pipefail`", 22b2dce57; mirror: v19.1.0 shells/bash.go BashWriter.Finish).
constexpr bool pipefail_test_without_grep(Profile p) { return p.at_least(19, 1); }
/// 17.4: stage scripts start with a TERM trap, so that a cancelled stage exits instead of dumping its
/// script ("Prevent script dump on job cancellation through UI", fda8b2dd3): `trap exit 1 TERM`, which
/// bash reads as the action `exit` for signals 1 (HUP) and TERM (mirror: v17.4.0 shells/bash.go
/// bashExitOnScriptTerminationSignal, written first by BashWriter.Finish).
constexpr bool stage_term_trap(Profile p) { return p.at_least(17, 4); }
/// 19.1: the trap's action quoted, `trap 'exit 1' TERM` ("Fix Bash script body leak on job cancellation",
/// 681d6ce50, issue 39005; mirror: v19.1.0 shells/bash.go).
constexpr bool stage_term_trap_quoted(Profile p) { return p.at_least(19, 1); }

// ---- Strategy and job log wording -----------------------------------------------------------------

/// 14.0: attach is the default strategy (FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY off), which
/// prints "Using attach strategy to execute scripts...". kexsim runs 13.12 in legacy exec only.
constexpr bool attach_default(Profile p) { return p.at_least(14, 0); }
/// 14.0: attach-mode error wrappers "setting up credentials: ", "setting up build pod: ",
/// "waiting for pod running: " (kexsim's legacy model, 13.12, returns the errors unwrapped).
constexpr bool attach_error_wrappers(Profile p) { return p.at_least(14, 0); }
/// 14.0: Finish forgets the pod when the job failed on the pod's own 404 (IsKubernetesPodNotFoundError:
/// a StatusError NotFound of kind pods), so cleanupResources sends no DELETE (mirror: v14.0.0
/// executors/kubernetes/kubernetes.go Finish; v13.12.0 has no such check).
constexpr bool forgets_pod_not_found(Profile p) { return p.at_least(14, 0); }
/// 19.0: the pod watcher's error channel holds one error (make(chan error, 1)), so an error raised
/// while no stage waits is kept for the next stage's select; 17.9-18.x (unbuffered) drop it after
/// emitErrorTimeout, 1 ms (mirror: executors/kubernetes/internal/watchers/pod.go NewPodWatcher, emitError).
constexpr bool pod_watcher_buffers_one_error(Profile p) { return p.at_least(19, 0); }
/// 14.2: a logger line ends "<text>\e[0;m\n" (13.12: "<text>\n\e[0;m"); common/build_logger.go.
constexpr bool reset_before_newline(Profile p) { return p.at_least(14, 2); }
/// 14.3: cleanup title "Cleaning up project directory and file based variables".
constexpr bool cleanup_title_names_project_dir(Profile p) { return p.at_least(14, 3); }
/// 15.8: header "  on NAME SHORT, system ID: ID"; also system_id in runners/verify and jobs/request.
constexpr bool header_has_system_id(Profile p) { return p.at_least(15, 8); }
/// 15.9: "Checking out %s as detached HEAD (ref is %s)...".
constexpr bool checkout_says_detached_head(Profile p) { return p.at_least(15, 9); }
/// 14.3-18.5: the BuildError branch of "ERROR: Job failed: <err>" is built with Sprintln, so the line
/// ends "<err>\n\e[0;m\n" (an extra line holding only the reset); 18.6 uses Sprint (common/build.go).
constexpr bool job_failed_extra_line(Profile p) { return p.at_least(14, 3) && !p.at_least(18, 6); }
/// 16.5: FF_USE_POD_ACTIVE_DEADLINE_SECONDS on by default: the "Using FF_USE_POD_ACTIVE_DEADLINE_SECONDS"
/// line and activeDeadlineSeconds in the pod (15.10-16.4 only when the flag is set; kexsim: never).
constexpr bool active_deadline_default_on(Profile p) { return p.at_least(16, 5); }
/// 16.9: a cancel during the user scripts ends only the script ("script canceled externally"),
/// after_script and the upload stages still run.
constexpr bool cancel_keeps_after_script(Profile p) { return p.at_least(16, 9); }
/// 16.4: RUNNER_SCRIPT_TIMEOUT / RUNNER_AFTER_SCRIPT_TIMEOUT and the after_script warning.
constexpr bool script_timeouts(Profile p) { return p.at_least(16, 4); }
/// 17.0: the script timeout error reads "script timeout: ..." (16.4-16.11 "script timeout context: ...").
constexpr bool script_timeout_without_context(Profile p) { return p.at_least(17, 0); }
/// 16.9: "WARNING: <stage> could not run to completion because the timeout was exceeded. ...".
constexpr bool stage_deadline_warning(Profile p) { return p.at_least(16, 9); }
/// 17.11: doc links without index.html and /ee/ (shells/#shell-profile-loading, ci/runners/configure_runners/).
constexpr bool docs_urls_without_index(Profile p) { return p.at_least(17, 11); }
/// 18.11: "Waiting for pod %s/%s to be running on the node %s, status is %s".
constexpr bool wait_line_names_node(Profile p) { return p.at_least(18, 11); }
/// 19.2: "timed out waiting for pod to start (last phase: %s)".
constexpr bool timeout_names_last_phase(Profile p) { return p.at_least(19, 2); }
/// 16.9 (mirror, common/build_settings.go): an unparsable FF_* job variable keeps the default and is
/// printed as a warning (before: the flag is off, noted in the runner's own log only).
constexpr bool reports_feature_flag_errors(Profile p) { return p.at_least(16, 9); }
/// 18.4 (mirror, common/build.go getResolvedFeatureFlags): the FF_* job variables carry the effective
/// values (before: GetDefaultFeatureFlagsVariables, the defaults).
constexpr bool feature_flag_variables_resolved(Profile p) { return p.at_least(18, 4); }
/// 17.9: FF_MASK_ALL_DEFAULT_TOKENS masks the bodies of GitLab's default token prefixes (the flag exists from 17.9).
constexpr bool masks_default_tokens(Profile p) { return p.at_least(17, 9); }
/// 18.2 (mirror, tokensanitizer allTokenPrefixes): "glrtr-" joins the default prefixes.
constexpr bool masks_runner_registration_token_prefix(Profile p) { return p.at_least(18, 2); }
/// 16.11 (mirror, common/buildlogger/build_logger.go wrap): the URL-parameter sanitizer runs on every
/// stream; 15.0–16.10 only with FF_USE_IMPROVED_URL_MASKING from the runner's config (network/trace.go
/// newJobTrace), and runner-side lines are scrubbed to [FILTERED] while it is off.
constexpr bool masks_url_params_always(Profile p) { return p.at_least(16, 11); }
/// 16.11 (mirror, build_logger.go wrap): phrases, then URL parameters, then token prefixes; before,
/// helpers/trace/buffer.go SetMasked wrapped URL parameters outermost, so they went first.
constexpr bool masks_url_params_after_phrases(Profile p) { return p.at_least(16, 11); }
/// 14.5 (mirror, helpers/url/scrub_secrets.go): X-AMZ-Security-Token joins the [FILTERED] scrub.
constexpr bool scrubs_amz_security_token(Profile p) { return p.at_least(14, 5); }

// ---- Short token and names --------------------------------------------------------------------------

/// 18.2: strip every known prefix, then 9 characters (legacy tokens 8 -> 9).
constexpr bool short_token_nine_chars(Profile p) { return p.at_least(18, 2); }
/// 14.5 (mirror, kubernetes.go isSharedBuildsDirRequired): the default emptyDir builds dir is not
/// shared, so the project dir is <builds>/<path> (before: <builds>/<short token>/<concurrent id>/<path>).
constexpr bool builds_dir_not_shared(Profile p) { return p.at_least(14, 5); }
/// 16.2: pods and secrets get explicit names "<base54>-<8 [a-z0-9]>" (before: generateName).
constexpr bool explicit_resource_names(Profile p) { return p.at_least(16, 2); }
/// 14.2 (mirror, kubernetes.go setOwnerReferencesForResources): the registry secret is owned by the
/// pod (GET + PUT after the pod's creation; no DELETE of its own at cleanup).
constexpr bool secret_owned_by_pod(Profile p) { return p.at_least(14, 2); }
/// 18.11 (mirror, kubernetes.go createPodDisruptionBudget): `pod_disruption_budget = true` creates a
/// PodDisruptionBudget (minAvailable 1) for the job pod after its ownerReferences are set.
constexpr bool creates_pod_disruption_budget(Profile p) { return p.at_least(18, 11); }
/// 16.9 (mirror, kubernetes.go waitForServices, commands/helpers/health_check.go): a service with
/// HEALTHCHECK_TCP_PORT makes Prepare create the pod and exec `gitlab-runner-helper health-check` in the
/// helper container (before: no service health check on Kubernetes).
constexpr bool waits_for_service_health(Profile p) { return p.at_least(16, 9); }
/// 17.9 (mirror, kubernetes.go IsDNS1123Label): a service container is named after its first valid
/// alias (before: svc-N).
constexpr bool service_containers_named_by_alias(Profile p) { return p.at_least(17, 9); }
/// 15.7 (mirror, common/build.go GetDefaultVariables): CI_JOB_TIMEOUT, the job's timeout in seconds.
constexpr bool exposes_job_timeout_variable(Profile p) { return p.at_least(15, 7); }
/// 15.7 (mirror, common/build.go GetAllVariables, common/variables.go tmpFile): RUNNER_TEMP_PROJECT_DIR
/// closes the variables, and a file variable expands to its path (before: to its content).
constexpr bool temp_project_dir_variable(Profile p) { return p.at_least(15, 7); }
/// 18.3 (mirror, helpers/docker/auth/auth.go AllConfigs): registries are told apart by registry path
/// and the pull secret is keyed by each ServerAddress (before: ResolveConfigs, by hostname).
constexpr bool docker_auth_registry_paths(Profile p) { return p.at_least(18, 3); }
/// 18.11 (mirror, helpers/docker/auth/auth.go AllConfigs): a source that fails (malformed
/// DOCKER_AUTH_CONFIG) is a "Failed to resolve credentials from ..." warning (before: silently skipped).
constexpr bool warns_unresolved_docker_auth(Profile p) { return p.at_least(18, 11); }
/// 19.3 (mirror, go.mod docker/cli v29): AuthConfig has no email, decodeAuth's errors are lowercase.
constexpr bool docker_auth_without_email(Profile p) { return p.at_least(19, 3); }
/// 19.3 (mirror, common/build.go GetServiceVariables): only a service's own variables are expanded,
/// against all of the job's (before: the job's public ones and the service's, expanded again together).
constexpr bool service_variables_expanded_alone(Profile p) { return p.at_least(19, 3); }

/// 15.1 (mirror, kubernetes.go getVolumeMountsForConfig): volume mount paths and sub paths expand with
/// GetAllVariables (before: taken as written).
constexpr bool volume_mount_paths_expanded(Profile p) { return p.at_least(15, 1); }
/// 16.3 (mirror, kubernetes.go getVolumesForPVCs): a PVC volume's name (its claim) expands with
/// GetAllVariables (before: taken as written).
constexpr bool pvc_names_expanded(Profile p) { return p.at_least(16, 3); }
/// 16.0 (mirror, common/build.go expandContainerOptions in Build.Run): the job's image and service
/// names expand before the executor's Prepare, so CI_BUILDS_DIR and CI_PROJECT_DIR are still empty
/// (before: the executor expanded them after StartBuild had set both).
constexpr bool images_expanded_before_build_dirs(Profile p) { return p.at_least(16, 0); }
/// 16.0 (mirror, kubernetes.go getHelperImage): `helper_image` expands with GetAllVariables (before:
/// common.AppVersion.Variables(), only CI_RUNNER_VERSION, _REVISION and _EXECUTABLE_ARCH).
constexpr bool helper_image_expanded_with_all_variables(Profile p) { return p.at_least(16, 0); }

// ---- Pod spec and images ----------------------------------------------------------------------------

/// Containers drop NET_RAW. Upstream 13.12 already did (kubernetes.go GetDefaultCapDrop); kexsim's 13.12
/// profile never did, kept so that its pods stay as they were. Every later release drops it.
constexpr bool drops_net_raw(Profile p) { return p.at_least(14, 0); }
/// 14.0: the default helper image is on registry.gitlab.com (FF_GITLAB_REGISTRY_HELPER_IMAGE default
/// true; the flag is gone in 15.0). Before: Docker Hub gitlab/gitlab-runner-helper.
constexpr bool helper_image_on_gitlab_registry(Profile p) { return p.at_least(14, 0); }
/// 16.8 (mirror, helpers/container/helperimage/info.go Get(version)): the helper tag is "<arch>-v<version>"
/// (before: "<arch>-<revision>").
constexpr bool helper_tag_is_version(Profile p) { return p.at_least(16, 8); }
/// 14.2 (mirror, kubernetes.go LabelArchStable): a kubernetes.io/arch node selector picks the helper's arch.
constexpr bool helper_arch_from_node_selector(Profile p) { return p.at_least(14, 2); }
/// 16.5 (mirror, common/config.go): helper_image_autoset_arch_and_os.
constexpr bool helper_image_autoset_arch(Profile p) { return p.at_least(16, 5); }
/// 14.0 (mirror, helperimage/linux_info.go): helper_image_flavor; a flavor other than alpine prefixes the tag.
constexpr bool helper_image_flavors(Profile p) { return p.at_least(14, 0); }

// ---- Security contexts and pod spec keys (mirror: common/config.go, executors/kubernetes/kubernetes.go) --

/// 14.5: build_/helper_/service_container_security_context (and read_only_root_filesystem, run_as_*).
constexpr bool per_container_security_contexts(Profile p) { return p.at_least(14, 5); }
/// 15.2: init_permissions_container_security_context; before, init-permissions has no securityContext.
constexpr bool init_permissions_security_context(Profile p) { return p.at_least(15, 2); }
/// 15.3: selinux_type in the pod and container contexts.
constexpr bool security_context_selinux_type(Profile p) { return p.at_least(15, 3); }
/// 15.9: proc_mount in the container contexts.
constexpr bool security_context_proc_mount(Profile p) { return p.at_least(15, 9); }
/// 18.11: seccomp_profile and app_armor_profile in the pod and container contexts.
constexpr bool security_context_profiles(Profile p) { return p.at_least(18, 11); }
/// 18.4 (getSecurityContextWithUIDGID): build, helper and services carry the pod context's runAsUser /
/// runAsGroup when their own context sets none.
constexpr bool containers_copy_pod_run_as(Profile p) { return p.at_least(18, 4); }
/// 17.11 (setSecurityContextUser): the job's `image/services: kubernetes: user` reaches the build and
/// service containers' runAsUser.
constexpr bool reads_job_kubernetes_user(Profile p) { return p.at_least(17, 11); }
/// 18.0 (ImageKubernetesOptions.GetUIDGID): the job's user is "uid[:gid]" and also sets runAsGroup; a
/// malformed one is warned about.
constexpr bool job_user_has_group(Profile p) { return p.at_least(18, 0); }
/// 18.4 (getContainerUIDGID): the configured contexts win over the job's user ("Overriding user ... is
/// not allowed"), which must pass allowed_users / allowed_groups.
constexpr bool job_user_allow_lists(Profile p) { return p.at_least(18, 4); }
/// 18.6: the job's user is expanded with the job's variables (ImageKubernetesOptions.Expand).
constexpr bool job_user_expanded(Profile p) { return p.at_least(18, 6); }
/// 19.0 (isUserOrGroupAllowed): ids are compared as numbers ("00" is root), not as strings.
constexpr bool allow_lists_compare_numbers(Profile p) { return p.at_least(19, 0); }
/// 14.2: container_lifecycle (postStart / preStop) on build, helper and services.
constexpr bool container_lifecycle_hooks(Profile p) { return p.at_least(14, 2); }
/// 14.9: runtime_class_name.
constexpr bool has_runtime_class_name(Profile p) { return p.at_least(14, 9); }
/// 15.1: priority_class_name.
constexpr bool has_priority_class_name(Profile p) { return p.at_least(15, 1); }
/// 15.5: scheduler_name.
constexpr bool has_scheduler_name(Profile p) { return p.at_least(15, 5); }
/// 19.1: match_label_keys / mismatch_label_keys in pod (anti-)affinity terms.
constexpr bool affinity_match_label_keys(Profile p) { return p.at_least(19, 1); }
/// 17.2: scripts_base_dir / logs_base_dir prefix the attach strategy's directories.
constexpr bool attach_base_dirs(Profile p) { return p.at_least(17, 2); }
/// 15.0: resource_availability_check_max_attempts (waits for the service account and pull secrets).
constexpr bool has_resource_availability_check(Profile p) { return p.at_least(15, 0); }
/// 16.4: cleanup_resources_timeout (before: the 5-minute default only).
constexpr bool has_cleanup_resources_timeout(Profile p) { return p.at_least(16, 4); }

// ---- Pull policies and image pulls ------------------------------------------------------------------

/// 15.1 (mirror): a job's image:pull_policy and allowed_pull_policies.
constexpr bool job_pull_policies(Profile p) { return p.at_least(15, 1); }
/// 17.5 (mirror, "converting pull policy for container %q: ..."): pull-policy errors name the container.
constexpr bool pull_policy_errors_name_container(Profile p) { return p.at_least(17, 5); }
/// 18.0: "Using effective pull policy of %s for container %s" per container.
constexpr bool prints_pull_policy_lines(Profile p) { return p.at_least(18, 0); }
/// 17.3: "Failed to pull image %q with policy %q: %v" (before: without the image).
constexpr bool pull_failure_names_image(Profile p) { return p.at_least(17, 3); }
/// 17.5: image-pull messages and the pull manager name the container ("pulling image %q for container
/// %s: ...", "... for container %q with policy ...", "... image for container %q"); policies per container.
constexpr bool pull_messages_name_container(Profile p) { return p.at_least(17, 5); }
/// 16.1: ErrImagePull/ImagePullBackOff fail with reason image_pull_failure (before: script_failure).
constexpr bool image_pull_failure_reason(Profile p) { return p.at_least(16, 1); }
/// 19.1: the image-pull failure reason is classified from the kubelet message.
constexpr bool classifies_image_pull_failure(Profile p) { return p.at_least(19, 1); }
/// 18.0-18.1 and 19.0+: InvalidImageName is a runner_configuration_error (18.2-18.11: script_failure).
constexpr bool invalid_image_name_is_config_error(Profile p) {
  return (p.at_least(18, 0) && !p.at_least(18, 2)) || p.at_least(19, 0);
}
/// 19.2: a CrashLoopBackOff container fails the wait at once (`container %q is in CrashLoopBackOff: ...`).
constexpr bool crash_loop_fails_fast(Profile p) { return p.at_least(19, 2); }
/// 19.3: CreateContainerConfigError fails the wait at once ("container configuration error: %s").
constexpr bool container_config_error_fails_fast(Profile p) { return p.at_least(19, 3); }

// ---- Pod wait and warning events --------------------------------------------------------------------

/// 16.2: "WARNING: Event retrieved from the cluster: %s" after a failed Run (16.3-17.1 only with
/// FF_RETRIEVE_POD_WARNING_EVENTS, which kexsim leaves off; 18.0+ print_pod_warning_events).
constexpr bool logs_warning_events_on_failure(Profile p) {
  return p.at_least(16, 2) && (!p.at_least(16, 3) || p.at_least(17, 2));
}
/// 18.0: [runners.kubernetes] print_pod_warning_events (default true) gates the warning events.
constexpr bool has_print_pod_warning_events(Profile p) { return p.at_least(18, 0); }
/// 19.3: the "\t<reason>: <message>" condition lines obey print_pod_warning_events.
constexpr bool condition_lines_obey_warning_events(Profile p) { return p.at_least(19, 3); }
/// 19.4: each pod-wait poll also lists the pod's Warning events (sandbox user-namespace failures).
constexpr bool wait_lists_warning_events(Profile p) { return p.at_least(19, 4); }
/// 16.5 (mirror, kubernetes.go watchPodEvents/printPodEvents): FF_PRINT_POD_EVENTS watches the pod's events
/// and prints them as a table instead of the wait lines.
constexpr bool prints_pod_events(Profile p) { return p.at_least(16, 5); }
/// 17.5 (mirror, commit 9a7e1986f, kubernetes.go waitForPod/waitForPodAttach): once the pod runs, the runner
/// reads ten lines of the helper's log every poll_interval until the kubelet answers ("Upstream k8s considers
/// it valid to schedule pods on nodes before the node CSR has completed"). 17.6 (db36519e9) puts it behind
/// FF_WAIT_FOR_POD_TO_BE_REACHABLE, default off.
constexpr bool waits_for_pod_reachable(Profile p, bool flag_on) {
  return p.at_least(17, 6) ? flag_on : p.at_least(17, 5);
}

// ---- Pod informer (mirror: executors/kubernetes/internal/watchers/, kubernetes.go newPodWatcher) -----

/// 17.9: SelfSubjectAccessReviews for list and watch on pods, then a pod informer whose terminal errors
/// (disrupted, being deleted, deleted) end a stage; "WARNING: won't use informers: ..." when denied.
constexpr bool uses_pod_informer(Profile p) { return p.at_least(17, 9); }
/// 19.0 (mirror, go.mod client-go v0.32.10 -> v0.35.1): WatchListClient is on by default, so the informer's
/// reflector starts with a watch-list (sendInitialEvents=true) instead of LIST + WATCH.
constexpr bool informer_uses_watch_list(Profile p) { return p.at_least(19, 0); }

// ---- Kubernetes API ---------------------------------------------------------------------------------

/// 16.2: every Kubernetes API call is retried on network errors (before: only exec/attach, not modelled).
constexpr bool kube_api_retries(Profile p) { return p.at_least(16, 2); }
/// 16.3: + "connect: connection timed out", "http2: client connection lost" in the retried errors.
constexpr bool kube_retries_connection_timeouts(Profile p) { return p.at_least(16, 3); }
/// 16.9: + "connection refused", "tls: internal error"; retry_limit / retry_limits.
constexpr bool kube_retries_refused_and_limits(Profile p) { return p.at_least(16, 9); }
/// 17.1: retry_backoff_max (before: 2 s fixed).
constexpr bool kube_retry_backoff_max(Profile p) { return p.at_least(17, 1); }
/// 18.6: + "etcdserver: request timed out" in the retried errors.
constexpr bool kube_retries_etcd_timeout(Profile p) { return p.at_least(18, 6); }
/// 18.7 (mirror, go.mod client-go v0.26.1 -> v0.32.10): exec offers v5.channel.k8s.io.
constexpr bool exec_offers_v5_protocol(Profile p) { return p.at_least(18, 7); }

// ---- GitLab API and the runner's own log (mirror: network/, commands/, common/) ---------------------

/// 18.5 (mirror, common/network.go): features.two_phase_job_commit and the "running" update first.
constexpr bool two_phase_job_commit(Profile p) { return p.at_least(18, 5); }
/// 15.9 (mirror, network/gitlab.go): PATCH .../trace?debug_trace=...
constexpr bool trace_patch_debug_query(Profile p) { return p.at_least(15, 9); }
/// 17.11 (mirror, network/gitlab.go): RUNNER-TOKEN and JOB-TOKEN headers (job update included).
constexpr bool token_headers(Profile p) { return p.at_least(17, 11); }
/// 15.10-17.10 (mirror, network/gitlab.go doJSONWithPAT): PUT /jobs/:id carries the job token as PRIVATE-TOKEN.
constexpr bool job_update_private_token_header(Profile p) { return p.at_least(15, 10) && !p.at_least(17, 11); }
/// 18.3 (mirror, network/client.go, retry_requester.go): "execute JSON request: execute request: "
/// errors, 5xx/429 retried with back-off, "GitLab instance currently unavailable" on 503 (before: only a
/// 429 with a reset time waits; errRateLimitGaveUp when every try was limited).
constexpr bool gitlab_client_v18_3(Profile p) { return p.at_least(18, 3); }
/// 17.9 (mirror, network/trace.go): the final trace update gives up with an error (before: loops).
constexpr bool final_update_gives_up(Profile p) { return p.at_least(17, 9); }
/// 18.4 (mirror, commands/multi.go): "Worker starvation bottleneck" warnings at start.
constexpr bool logs_worker_starvation(Profile p) { return p.at_least(18, 4); }
/// 16.2 (mirror, commands/multi.go): "Added job to processing list" / "Removed job from processing list".
constexpr bool logs_processing_list(Profile p) { return p.at_least(16, 2); }
/// 18.9 (mirror, common/config.go RunnerConfig.Log): the runner_name field.
constexpr bool logs_runner_name_field(Profile p) { return p.at_least(18, 9); }
/// 19.0 (mirror, common/build.go Build.Log): pipeline_id, project_full_path, namespace ids fields.
constexpr bool logs_build_job_info_fields(Profile p) { return p.at_least(19, 0); }
/// 18.6 (mirror, common/build.go): job-status/error/failure_reason/exit_code fields, failures as warnings.
constexpr bool logs_job_outcome_fields(Profile p) { return p.at_least(18, 6); }
/// 15.7 (mirror, commands/health_helper.go): the "is not healthy, but check ... forced" / "is unhealthy
/// and will be disabled" runner-log lines (older wording not modelled).
constexpr bool logs_health_checks(Profile p) { return p.at_least(15, 7); }
/// 16.8 (mirror, common/config.go UniqueID): a runner's id is URL + short token (before: URL + token).
constexpr bool unique_id_uses_short_token(Profile p) { return p.at_least(16, 8); }

// ---- Stages, retries and limits (mirror: common/build.go, common/build_settings.go) -----------------

/// 14.0 (mirror, go.mod): client-go v0.21's empty-config error adds ", try setting KUBERNETES_MASTER
/// environment variable" (13.12 vendors a 2019 client-go without it).
constexpr bool empty_config_names_kubernetes_master(Profile p) { return p.at_least(14, 0); }
/// 18.5 (mirror, executors/kubernetes/util.go loadDefaultKubectlConfig, commit 13641e736): [runners.kubernetes]
/// context picks the kubeconfig context (before: always current-context; the key is unknown there).
constexpr bool reads_kube_context(Profile p) { return p.at_least(18, 5); }
/// 14.2 (mirror, helpers/trace/buffer.go truncateSafeUTF8): output_limit does not split a UTF-8 character.
constexpr bool output_limit_keeps_utf8_whole(Profile p) { return p.at_least(14, 2); }
/// 16.1 (mirror, token_masker.go): the token alphabet takes '=' (kexsim: '.' too; its 13.12 masker has neither).
constexpr bool token_alphabet_has_dot_and_equals(Profile p) { return p.at_least(16, 1); }
/// 16.9 (mirror, common/build_settings.go validate): a malformed *_ATTEMPTS value keeps the default with
/// "expected int got ..." (before: ignored).
constexpr bool warns_malformed_settings(Profile p) { return p.at_least(16, 9); }
/// 15.6 (mirror, executors/kubernetes/kubernetes.go captureContainersLogs): CI_DEBUG_SERVICES streams each
/// service container's log (pods/log follow, timestamps) into the job log, "[service:NAME] " a line.
constexpr bool captures_service_logs(Profile p) { return p.at_least(15, 6); }
/// 15.11 (mirror, captureContainersLogs): NAME joins every alias of the service (service.Aliases()); before,
/// the one alias field as written (so "image-" when it is empty).
constexpr bool service_log_name_all_aliases(Profile p) { return p.at_least(15, 11); }
/// 16.9 (mirror, captureContainerLogs): the log goes through its own buildlogger stream
/// (StreamStartingServiceLevel, 0f), and opening it is retried as every API call.
constexpr bool service_log_stream(Profile p) { return p.at_least(16, 9); }
/// 17.5 (mirror, util.go waitForRunningContainer): a pod watch (status.phase=Running, the pod's name) waits
/// for the container to run before its log is opened.
constexpr bool service_log_waits_for_running(Profile p) { return p.at_least(17, 5); }
/// 17.11 (mirror, captureServiceContainersLogs getSortedServiceNames): services in name order (the pod's
/// container order), before in the order the config and the job list them.
constexpr bool service_logs_in_name_order(Profile p) { return p.at_least(17, 11); }
/// 19.0 (mirror, captureServiceContainersLogs isNotServiceContainerName): only service containers match a
/// service's image (before, the build container with the same image did too).
constexpr bool service_logs_only_service_containers(Profile p) { return p.at_least(19, 0); }
/// 19.0: prepare_timeout.
constexpr bool has_prepare_timeout(Profile p) { return p.at_least(19, 0); }
/// 19.1: get_sources_timeout.
constexpr bool has_get_sources_timeout(Profile p) { return p.at_least(19, 1); }
/// 19.1 (mirror, build_settings.go validateAttemptSettings): *_ATTEMPTS outside [1, 10] are clamped with a
/// warning, SECRETS_RETRIEVAL_ATTEMPTS is read (before: "number of attempts out of the range [1, 10] for
/// stage: X" fails the stage).
constexpr bool clamps_section_attempts(Profile p) { return p.at_least(19, 1); }
/// 18.2 (mirror, executors/kubernetes/kubernetes.go checkDefaults): a job without an image gets a green "Using
/// default image" line when the config's image is taken (before: silent).
constexpr bool prints_using_default_image(Profile p) { return p.at_least(18, 2); }
/// 16.4 (mirror, common/build.go executeUserScripts): a failed after_script prints "WARNING: after_script
/// failed, but job will continue unaffected: <err>" (before: silent).
constexpr bool warns_after_script_failure(Profile p) { return p.at_least(16, 4); }
/// 19.1: "WARNING: Retrying..." and a back-off before each stage retry (helpers/retry).
constexpr bool stage_retries_warn_and_back_off(Profile p) { return p.at_least(19, 1); }
/// 16.9 (mirror, common/build.go attemptGetSourcesStage): clear_worktree runs before the second get_sources
/// try (before: the stage is simply repeated).
constexpr bool clears_worktree_before_second_get_sources(Profile p) { return p.at_least(16, 9); }
/// 18.0-19.0 (mirror, common/build.go attemptExecuteStage): with FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY a
/// failed try prints a green "Retrying in %v" and sleeps a jittered back-off (jpillora/backoff, 5 s x1.5 to
/// 5 min); 19.1 replaced it with "WARNING: Retrying...".
constexpr bool stage_retries_print_retrying_in(Profile p) {
  return p.at_least(18, 0) && !stage_retries_warn_and_back_off(p);
}
/// 18.0-18.6: attemptExecuteStage also prints and sleeps after the last failed try (18.7 breaks out first).
constexpr bool stage_retry_pauses_after_last_try(Profile p) { return p.at_least(18, 0) && !p.at_least(18, 7); }
/// 19.2: errors of Prepare's configuration are BuildErrors, so no preparation retry (before: plain
/// errors, three tries with "Will be retried in 3s ...").
constexpr bool prepare_config_errors_are_build_errors(Profile p) { return p.at_least(19, 2); }

/// 16.9 (mirror, kubernetes.go getNodeTolerations): a node_tolerations "k=v=w" keeps "v=w" as the value
/// (strings.SplitN; before: common/config.go strings.Split keeps "v").
constexpr bool tolerations_split_once(Profile p) { return p.at_least(16, 9); }
/// 17.5: the pod is running when its phase is Running and the build container is ready (17.4: the
/// PodReady condition, modelled as 17.5; up to 17.3: the phase alone).
constexpr bool running_waits_for_build_ready(Profile p) { return p.at_least(17, 4); }

/// 14.5 (mirror, kubernetes.go setupBuildPod): terminationGracePeriodSeconds only when configured
/// (GetPodTerminationGracePeriodSeconds; before: always, 0 unless terminationGracePeriodSeconds is set).
constexpr bool grace_period_only_when_set(Profile p) { return p.at_least(14, 5); }

// ---- Job-variable overwrites and pod settings (mirror, executors/kubernetes/overwrites.go, kubernetes.go) ----
/// 15.1: KUBERNETES_POD_LABELS_* with pod_labels_overwrite_allowed.
constexpr bool pod_label_overwrites(Profile p) { return p.at_least(15, 1); }
/// 15.6: KUBERNETES_NODE_SELECTOR_* with node_selector_overwrite_allowed.
constexpr bool node_selector_overwrites(Profile p) { return p.at_least(15, 6); }
/// 16.9: KUBERNETES_NODE_TOLERATIONS_* with node_tolerations_overwrite_allowed.
constexpr bool node_toleration_overwrites(Profile p) { return p.at_least(16, 9); }
/// 16.9: a service's own KUBERNETES_SERVICE_* variables set that service's resources
/// (evaluateExplicitServiceResourceOverwrite).
constexpr bool explicit_service_overwrites(Profile p) { return p.at_least(16, 9); }
/// 16.9: automount_service_account_token and use_service_account_image_pull_secrets reach the pod.
constexpr bool service_account_token_settings(Profile p) { return p.at_least(16, 9); }
/// 16.10: namespace_per_job: the executor creates and deletes namespace ci-job-<id>.
constexpr bool has_namespace_per_job(Profile p) { return p.at_least(16, 10); }
/// 17.9: pod_labels may not set keys in the runner.gitlab.com namespace (runnerLabelNamespacePattern).
constexpr bool protects_runner_labels(Profile p) { return p.at_least(17, 9); }
/// 18.10: pod_cpu_* / pod_memory_* and KUBERNETES_POD_{CPU,MEMORY}_* set the pod-level spec.resources.
constexpr bool pod_level_resources(Profile p) { return p.at_least(18, 10); }

// ---- The containers' env (mirror, executors/kubernetes/util.go buildVariables) ----
/// 16.6: a file variable's env value is its file's path (bv.Get); before, its content.
constexpr bool env_file_variables_as_paths(Profile p) { return p.at_least(16, 6); }
/// 17.9: one env entry per name, at the first one's position with the last one's value; before,
/// every variable is an entry (Kubernetes takes the last of a name).
constexpr bool env_deduplicated(Profile p) { return p.at_least(17, 9); }
/// 19.0: "$" is escaped "$$" in env values (Kubernetes' $(VAR) substitution); before, values as they are.
constexpr bool env_escapes_dollars(Profile p) { return p.at_least(19, 0); }

// ---- The build directory (mirror, common/build.go getCustomBuildDir, executors/kubernetes/kubernetes.go Prepare) ----
/// 14.2: the Kubernetes Prepare checks GIT_CLONE_PATH (PrepareBuildAndShell) after the image and pull
/// policy lines and wraps its error "prepare build and shell: "; 13.12 runs AbstractExecutor.Prepare
/// first and wraps it "prepare AbstractExecutor: ".
constexpr bool build_dir_checked_after_images(Profile p) { return p.at_least(14, 2); }
/// 15.3: a GIT_CLONE_PATH within the builds dir is used path.Clean'ed ("/builds/a/../b/" is "/builds/b").
constexpr bool custom_build_dir_cleaned(Profile p) { return p.at_least(15, 3); }
/// 19.0: GIT_CLONE_PATH's errors are runner_configuration_error (FailureReason: ConfigurationError);
/// before, MakeBuildError's BuildError has no reason and the job fails as script_failure.
constexpr bool custom_build_dir_configuration_error(Profile p) { return p.at_least(19, 0); }

/// One predicate, for tests and documentation: its name and the first release that has it.
struct ReleaseFeature {
  std::string_view name;
  bool (*has)(Profile);
  Profile since;
};

/// Every predicate above with the release it is keyed by.
std::span<const ReleaseFeature> release_features();

// ---- Allowed images and services (mirror: common/allowed_images.go, executors/kubernetes/kubernetes.go) ----

/// 14.2: `allowed_images` / `allowed_services` judge the build and service images (buildContainer ->
/// common.VerifyAllowedImage; v14.1.0 has no AllowedImages in executors/kubernetes/kubernetes.go).
constexpr bool verifies_allowed_images(Profile p) { return p.at_least(14, 2); }
/// 16.0: the images that always pass (the config's `image`, the helper image) are expanded with the
/// job's variables first (v15.11.0 buildContainer: raw s.Config.Kubernetes.Image; v16.0.0
/// verifyAllowedImages: s.ExpandValue(...)).
constexpr bool allowed_images_internal_expanded(Profile p) { return p.at_least(16, 0); }
/// 17.11: the refusal's documentation link is the new site's (commit ed851f8fe "Updating links to point
/// to new doc site": advanced-configuration/ instead of advanced-configuration.html).
constexpr bool allowed_images_new_doc_link(Profile p) { return p.at_least(17, 11); }

}  // namespace kexsim::executor

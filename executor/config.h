#pragma once
// config.toml as GitLab Runner reads it: the global keys, [[runners]] and [runners.kubernetes].

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "executor/pod_spec_extras.h"
#include "executor/security_context.h"

namespace kexsim::executor {

/// One [[runners.kubernetes.host_aliases]] entry.
struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
};

/// One [[runners.kubernetes.services]] entry.
struct ServiceConfig {
  std::string name;   ///< image
  std::string alias;  ///< space/comma separated aliases
  std::vector<std::string> command;
  std::vector<std::string> entrypoint;
  std::vector<std::string> environment;  ///< "K=V"
};

/// One volume from [runners.kubernetes.volumes] (any of its kinds).
struct VolumeConfig {
  std::string kind;  ///< "host_path", "pvc", "config_map", "secret", "empty_dir", "csi", "nfs"
  std::string name;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
  std::string host_path;                     ///< host_path
  std::string medium;                        ///< empty_dir
  std::string size_limit;                    ///< empty_dir
  std::string server, path;                  ///< nfs
  std::string driver;                        ///< csi
  std::map<std::string, std::string> items;  ///< config_map / secret
};

/// One [[runners.kubernetes.pod_spec]] entry (common/config.go KubernetesPodSpec).
struct PodSpecPatchConfig {
  std::string name, patch_path, patch;
  std::string patch_type;  ///< "json", "merge", "strategic" (empty: strategic)
};

/// [runners.kubernetes].
struct KubernetesConfig {
  std::string host;
  std::string context;  ///< the kubeconfig context when host is empty (18.5+; empty: current-context)
  std::string bearer_token;
  std::string ca_file, cert_file, key_file;
  std::string namespace_;  ///< `namespace`
  std::string service_account;
  std::string image;
  std::string helper_image;
  std::optional<bool> privileged;
  /// Every container's securityContext.allowPrivilegeEscalation.
  std::optional<bool> allow_privilege_escalation;
  int poll_interval = 3;   ///< seconds; <= 0 in the file means the default
  int poll_timeout = 180;  ///< seconds; <= 0 in the file means the default
  std::vector<HostAlias> host_aliases;
  std::vector<ServiceConfig> services;
  std::vector<VolumeConfig> volumes;
  std::vector<PodSpecPatchConfig> pod_spec;  ///< applied with FF_USE_ADVANCED_POD_SPEC_CONFIGURATION
  std::map<std::string, std::string> node_selector;
  std::map<std::string, std::string> node_tolerations;  ///< "key[=value]" -> effect (executor/pod_tolerations.h)
  std::vector<std::string> image_pull_secrets;
  std::vector<std::string> pull_policy;  ///< `pull_policy`: a string or an array (never, if-not-present, always)
  std::vector<std::string> allowed_pull_policies;  ///< `allowed_pull_policies`
  /// `allowed_users` / `allowed_groups`: the ids a job's `kubernetes: user` may ask for (18.4+, executor/job_user.h).
  std::vector<std::string> allowed_users, allowed_groups;
  /// `allowed_images` / `allowed_services`: doublestar patterns for the job's images (14.2+, executor/allowed_images.h).
  std::vector<std::string> allowed_images, allowed_services;
  std::optional<bool> print_pod_warning_events;    ///< default true (19.4)
  bool pod_disruption_budget = false;              ///< 18.11+: a PodDisruptionBudget for the job pod
  bool helper_image_autoset_arch_and_os = false;   ///< the helper image's arch/os from the runner's platform
  std::string cpu_limit, cpu_request, memory_limit, memory_request;
  std::string helper_cpu_limit, helper_cpu_request, helper_memory_limit, helper_memory_request;
  std::string service_cpu_limit, service_cpu_request, service_memory_limit, service_memory_request;
  std::optional<int64_t> cleanup_grace_period_seconds;
  /// 19.4 `pod_termination_grace_period_seconds`: the pod's terminationGracePeriodSeconds when given.
  std::optional<int64_t> pod_termination_grace_period_seconds;
  /// 13.12 `terminationGracePeriodSeconds`: always set on the pod, 0 by default.
  int64_t termination_grace_period_seconds = 0;
  int retry_limit = 5;                      ///< tries per Kubernetes request; <= 0 in the file means 5
  std::map<std::string, int> retry_limits;  ///< error substring -> tries (executor/kube_retry.h)
  int retry_backoff_max = 2000;             ///< milliseconds; <= 0 means 2000, at least 500
  // Read by executor/config_resources.cc: the overwrite keys, labels, annotations, service account and the
  // resources the fields above do not hold.
  std::string namespace_overwrite_allowed, service_account_overwrite_allowed;  ///< regexes; empty: no overwrite
  bool bearer_token_overwrite_allowed = false;
  std::string pod_labels_overwrite_allowed, pod_annotations_overwrite_allowed;
  std::string node_selector_overwrite_allowed, node_tolerations_overwrite_allowed;
  std::map<std::string, std::string> pod_labels, pod_annotations;  ///< values expanded with the job's variables
  bool namespace_per_job = false;                                  ///< namespace "ci-job-<id>" (16.10+)
  std::optional<bool> automount_service_account_token;
  bool use_service_account_image_pull_secrets = false;
  std::string ephemeral_storage_limit, ephemeral_storage_request;
  std::string helper_ephemeral_storage_limit, helper_ephemeral_storage_request;
  std::string service_ephemeral_storage_limit, service_ephemeral_storage_request;
  std::string pod_cpu_limit, pod_cpu_request, pod_memory_limit, pod_memory_request;  ///< pod-level (18.10+)
  /// "<key>_overwrite_max_allowed" values by "<key>" ("cpu_limit" -> "2"): the most a job may ask for.
  std::map<std::string, std::string> overwrite_max_allowed;
  /// pod_security_context, the per-container contexts, cap_add / cap_drop (executor/security_context.h).
  SecurityConfig security;
  /// dns, affinity, lifecycle, classes, helper flavor, base dirs, cleanup (executor/pod_spec_extras.h).
  PodExtrasConfig extras;
};

/// [[runners]] scripts around get_sources and the build script, as written (common/config.go
/// RunnerSettings); executor/scripts.h picks the ones the release reads.
struct RunnerScriptsConfig {
  std::string pre_get_sources, post_get_sources;  ///< pre_get_sources_script, post_get_sources_script (15.9+)
  std::string pre_build, post_build;              ///< pre_build_script, post_build_script
  std::string pre_clone, post_clone;              ///< 13.12's pre_clone_script; 15.9-16.x deprecated aliases
};

/// One [[runners]] entry.
struct RunnerConfig {
  std::string name;
  std::string url;
  std::string token;
  std::string executor;
  std::string tls_ca_file;  ///< `tls-ca-file`
  std::string builds_dir;
  std::string clone_url;                      ///< overrides the repository URL's base for git (GetRemoteURL)
  std::vector<std::string> environment;       ///< "K=V"
  int limit = 0;                              ///< jobs this entry runs at once; 0: only `concurrent` bounds it
  int request_concurrency = 1;                ///< job requests in flight at once; < 1 means 1
  int unhealthy_requests_limit = 3;           ///< failed job requests before the entry is disabled; < 1 means 3
  std::map<std::string, bool> feature_flags;  ///< [runners.feature_flags]: beats a job variable of the same name
  int job_status_final_update_retry_limit = 0;  ///< rounds of the final update; < 1 means upstream's 10
  /// debug_trace_disabled: CI_DEBUG_TRACE is refused (a warning, no xtrace; executor/git_settings.h).
  bool debug_trace_disabled = false;
  /// [runners.custom_build_dir] enabled: whether GIT_CLONE_PATH may choose CI_PROJECT_DIR
  /// (unset: the executor's default, true for Kubernetes; executor/build_dir.h).
  std::optional<bool> custom_build_dir_enabled;
  /// The job log's limit in KiB; 0 means upstream's 4096 (network/trace.go setupLogLimit).
  int output_limit = 0;
  /// 19.4 prepare_timeout and get_sources_timeout (Go durations, "30s"): limits of the prepare
  /// stages and of get_sources; unset, the job timeout bounds them.
  std::optional<Duration> prepare_timeout, get_sources_timeout;
  RunnerScriptsConfig scripts;
  KubernetesConfig kubernetes;
  int line = 0;  ///< where the entry starts in config.toml, for messages
};

/// A warning about the file that does not stop the runner (e.g. a key this executor ignores).
struct ConfigWarning {
  std::string where;  ///< file:line:column
  std::string message;
};

/// The whole config.toml.
struct Config {
  int concurrent = 1;      ///< jobs the process runs at once, over every [[runners]] entry (>= 1)
  int check_interval = 3;  ///< seconds between polls of all entries; <= 0 in the file means 3
  std::vector<RunnerConfig> runners;
  std::vector<ConfigWarning> warnings;
};

/// Parses config.toml text. `path` is only used in messages. `line_offset` is added to every line
/// number in messages (for a config embedded in a scenario file).
Result<Config> parse_config(const std::string& text, const std::string& path, int line_offset = 0);

/// Reads and parses a config.toml file.
Result<Config> load_config(const std::string& path);

}  // namespace kexsim::executor

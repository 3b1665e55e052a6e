#pragma once
// The job payload GitLab hands the runner (201 answer of POST /api/v4/jobs/request).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// One variable: from the payload's `variables[]`, or added by the runner (`internal`).
struct JobVariable {
  std::string key;
  std::string value;
  bool is_public = false;  ///< `public`: safe to show (goes into container env)
  bool masked = false;     ///< replaced by [MASKED] in the trace
  bool file = false;       ///< the value is written to a file; the variable holds its path
  bool raw = false;        ///< not expanded
  bool internal = false;   ///< set by the runner, not by GitLab (also goes into container env)
};

/// `job_info`.
struct JobInfo {
  std::string name;
  std::string stage;
  int64_t project_id = 0;
  std::string project_name;
  std::string project_full_path;  ///< "root/mycicd"
  int64_t pipeline_id = 0;
  int64_t namespace_id = 0;
  int64_t root_namespace_id = 0;
};

/// `git_info`.
struct GitInfo {
  std::string repo_url;  ///< with gitlab-ci-token:<job token>@ credentials
  std::string ref;
  std::string sha;
  std::string before_sha;
  std::string ref_type;  ///< "branch" | "tag"
  std::vector<std::string> refspecs;
  int64_t depth = 0;           ///< 0: full clone
  bool protected_ref = false;  ///< `protected`
};

/// One of `image.ports` / `services[].ports`.
struct ImagePort {
  int64_t number = 0;
  std::string protocol;
  std::string name;
};

/// `image` or one of `services[]` (the payload uses the same shape for both).
struct JobImage {
  std::string name;
  std::string alias;  ///< services: several, space or comma separated
  std::vector<std::string> command;
  std::vector<std::string> entrypoint;
  std::vector<ImagePort> ports;
  std::vector<JobVariable> variables;  ///< services: the service's own variables
  std::vector<std::string> pull_policy;
  /// executor_opts.kubernetes.user, "uid[:gid]" (StringOrInt64: an integer reads as its decimal).
  std::string kubernetes_user;
};

/// One of `credentials[]`.
struct JobCredential {
  std::string type;  ///< "registry"
  std::string url;
  std::string username;
  std::string password;
};

/// One of `steps[]`.
struct JobStep {
  std::string name;  ///< "script", "after_script", "release", ...
  std::vector<std::string> script;
  int64_t timeout = 0;
  std::string when;
  bool allow_failure = false;
};

/// One of `artifacts[]`: what upload_artifacts_on_success/on_failure archive and send.
struct JobArtifact {
  std::string name;
  bool untracked = false;
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::string when;  ///< on_success (also when empty) | on_failure | always
  std::string artifact_type;
  std::string artifact_format;
  std::string expire_in;
};

/// One of `cache[]`: what restore_cache extracts and archive_cache saves.
struct JobCache {
  std::string key;
  bool untracked = false;
  std::string policy;  ///< pull | push | pull-push (also when empty)
  std::vector<std::string> paths;
  std::string when;  ///< on_success (also when empty) | on_failure | always
  std::vector<std::string> fallback_keys;
};

/// One of `dependencies[]`: an earlier job whose artifacts download_artifacts fetches.
struct JobDependency {
  int64_t id = 0;
  std::string name;
  std::string token;
  std::string artifacts_filename;  ///< artifacts_file.filename; empty: nothing to download
  int64_t artifacts_size = 0;
};

/// `features`: what this GitLab supports for this job.
struct JobFeatures {
  bool trace_sections = false;
  std::vector<std::string> failure_reasons;
  std::vector<std::string> token_mask_prefixes;
};

/// A job as the runner received it.
struct Job {
  int64_t id = 0;
  std::string token;
  bool allow_git_fetch = false;
  JobInfo job_info;
  GitInfo git_info;
  int64_t timeout_seconds = 7200;  ///< runner_info.timeout; 0 or absent means 7200
  std::vector<JobVariable> variables;
  std::vector<JobStep> steps;
  std::vector<std::string> script;        ///< lines of the "script" step
  std::vector<std::string> after_script;  ///< lines of the "after_script" step
  /// `hooks[]` (15.9+): the job's pre_get_sources_script and post_get_sources_script lines.
  std::vector<std::string> pre_get_sources_hook, post_get_sources_hook;
  JobImage image;                         ///< name empty: the config's default image
  std::vector<JobImage> services;
  std::vector<JobCredential> credentials;
  std::vector<JobArtifact> artifacts;
  std::vector<JobCache> cache;
  std::vector<JobDependency> dependencies;
  JobFeatures features;
  /// TLSData.CAChain's fallback: the chain the job request's connection verified (not in the payload).
  std::string tls_chain;

  /// The value of the last variable named key ("" if none), as the runner's lookup does.
  std::string variable(std::string_view key) const;
  /// Whether a variable named key exists.
  bool has_variable(std::string_view key) const;
  /// Non-empty values of masked variables, for the trace's masker.
  std::vector<std::string> masked_values() const;
  /// Expands $NAME, ${NAME} and $$ from the job's variables as os.Expand does (unknown and
  /// positional names become ""; a `$` before anything else stays).
  std::string expand(std::string_view text) const;
};

/// Parses a job payload. Errors name the field and what was wrong; never throws.
Result<Job> parse_job(const std::string& json);

/// Where a file variable's content is written: "<project dir>.tmp/<KEY>".
std::string file_variable_path(std::string_view project_dir, std::string_view key);

}  // namespace kexsim::executor

#pragma once
// A job as a scenario defines it; the fake GitLab turns it into the runner API's job payload.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kexsim::fakes {

/// A service the job asks for (`services:` in .gitlab-ci.yml).
struct JobService {
  std::string name;   ///< image, e.g. "docker:24.0.6-dind"
  std::string alias;  ///< may hold several, space or comma separated
  std::vector<std::string> command;
  std::vector<std::string> entrypoint;
  std::map<std::string, std::string> variables;  ///< the service's own `variables:` (e.g. HEALTHCHECK_TCP_PORT)
  std::string user;          ///< `kubernetes: user:` ("uid[:gid]"); empty: none
  bool user_is_int = false;  ///< the YAML gave an integer (sent as a JSON number)
};

/// A job variable (`variables:`, project/group/instance variables, predefined variables).
struct JobVariable {
  std::string key;
  std::string value;
  bool is_public = true;
  bool masked = false;
  bool file = false;
  bool raw = false;  ///< `raw: true` in .gitlab-ci.yml / "Expand variable reference" off: the runner never expands it
};

/// The runner as GitLab registered it: what CI_RUNNER_ID, CI_RUNNER_DESCRIPTION and CI_RUNNER_TAGS say.
struct RunnerIdentity {
  int64_t id = 0;
  std::string description;
  std::vector<std::string> tags;
};

/// A registry credential handed to the runner (`credentials[]` in the payload).
struct JobCredential {
  std::string type = "registry";
  std::string url;
  std::string username;
  std::string password;
};

/// One `artifacts:` entry of a job, as GitLab sends it in the payload's `artifacts[]`.
struct JobArtifact {
  std::string name;  ///< `artifacts:name`; empty: "artifacts"
  bool untracked = false;
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::string when = "on_success";  ///< on_success | on_failure | always
  std::string expire_in;            ///< "1 week"; empty: the instance default
  std::string artifact_type = "archive";
  std::string artifact_format = "zip";
};

/// One `cache:` entry of a job (the payload's `cache[]`).
struct JobCache {
  std::string key = "default";
  bool untracked = false;
  std::string policy = "pull-push";  ///< pull | push | pull-push
  std::vector<std::string> paths;
  std::string when = "on_success";
  std::vector<std::string> fallback_keys;
};

/// One job in the fake GitLab's queue.
struct JobDefinition {
  int64_t id = 0;  ///< 0: assigned by the fake (1000, 1001, ...)
  std::string name = "test";
  std::string stage = "test";
  std::string project = "root/app";  ///< full path
  int64_t project_id = 1;
  std::string ref = "main";
  std::string sha;  ///< 40 hex; empty: derived deterministically
  int depth = 20;
  std::string image;  ///< empty: the runner's default image
  std::string image_user;          ///< `image: kubernetes: user:` ("uid[:gid]"); empty: none
  bool image_user_is_int = false;  ///< the YAML gave an integer (sent as a JSON number)
  std::vector<JobService> services;
  std::vector<std::string> script;
  std::vector<std::string> after_script;
  /// The `release` step's lines as GitLab generates them from `release:` (Ci::Build::Releaser); sent
  /// between script and after_script when set.
  std::vector<std::string> release_script;
  /// `hooks: pre_get_sources_script:` and `post_get_sources_script:` (sent as `hooks[]` when set).
  std::vector<std::string> pre_get_sources_hook, post_get_sources_hook;
  std::vector<JobVariable> variables;  ///< user variables; predefined CI_* are added by the fake
  std::vector<JobCredential> credentials;
  std::vector<JobArtifact> artifacts;
  std::vector<JobCache> cache;
  std::vector<std::string> dependencies;  ///< names of earlier jobs whose artifacts this one downloads
  int timeout_seconds = 3600;
  std::vector<std::string> failure_reasons;  ///< features.failure_reasons; empty: GitLab's usual set
  bool trace_sections = true;
  int64_t cancel_after_ms = -1;  ///< cancel the job this long after it starts (virtual), -1: never
  /// How that cancel happens: graceful is a UI/API cancel of a runner that advertises
  /// cancel_gracefully (the job goes `canceling` until the runner reports); otherwise the job is
  /// `canceled` at once (a forced cancel), and the runner only hears it as an abort.
  bool cancel_graceful = false;
};

}  // namespace kexsim::fakes

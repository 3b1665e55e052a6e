#pragma once
// Turns a JobDefinition into the job JSON that POST /api/v4/jobs/request answers with (201),
// including the predefined CI variables GitLab adds to every job.

#include <cstdint>
#include <string>
#include <vector>

#include "fakes/gitlab/job.h"

namespace kexsim::fakes {

/// An earlier job whose artifacts a job downloads (the payload's `dependencies[]`).
struct JobDependency {
  int64_t id = 0;
  std::string name;
  std::string token;     ///< that job's token: the downloader authenticates as it
  std::string filename;  ///< artifacts_file.filename; empty: that job stored no artifacts
  int64_t size = 0;      ///< artifacts_file.size
};

/// What the fake GitLab decided about a job beyond its definition (which must have id and sha set).
struct JobContext {
  std::string external_url;  ///< e.g. "https://gitlab.mylab.com" (no trailing slash needed)
  std::string token;         ///< the job token, "glcbt-..."
  int64_t pipeline_id = 0;
  int64_t namespace_id = 0;       ///< id of the project's parent namespace
  int64_t root_namespace_id = 0;  ///< id of the top-level group or user namespace
  bool protected_ref = false;     ///< git_info.protected (the default branch is protected)
  int64_t time_in_queue_seconds = 0;
  std::vector<JobDependency> dependencies;  ///< resolved from the definition's dependency names
  RunnerIdentity runner;                    ///< the runner that took the job (its token's registration)
};

/// The pieces of an external URL the predefined variables need.
struct ServerUrl {
  std::string protocol;   ///< "https"
  std::string host;       ///< "gitlab.mylab.com"
  int port = 443;         ///< explicit or the protocol's default
  std::string authority;  ///< host, plus ":port" when not the default
  std::string base;       ///< protocol://authority plus any relative root, no trailing slash
};

/// Splits an external URL such as "https://gitlab.mylab.com:8443/gitlab".
ServerUrl parse_server_url(const std::string& external_url);

/// GitLab's failure reasons, advertised in features.failure_reasons when a job does not set its own.
const std::vector<std::string>& default_failure_reasons();

/// The failure reasons a job advertises (its own list, or the default set).
std::vector<std::string> effective_failure_reasons(const JobDefinition& job);

/// Ruby's Array#to_s of strings, `["docker", "linux"]`: how GitLab spells CI_RUNNER_TAGS.
std::string ruby_array_string(const std::vector<std::string>& items);

/// The predefined variables GitLab sends for a job, in the order it sends them; keys the job sets
/// itself are left out (its own value follows in the payload).
std::vector<JobVariable> predefined_variables(const JobDefinition& job, const JobContext& ctx);

/// The 201 response body for this job (nlohmann's sorted key order, so byte-for-byte stable).
std::string job_payload(const JobDefinition& job, const JobContext& ctx);

}  // namespace kexsim::fakes

#pragma once
// `kexsim render`: the secret and the pod the executor would POST for a config and a job, and the
// Kubernetes API calls its run would make, without running anything (like `helm template`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/config.h"
#include "executor/profile.h"
#include "fakes/gitlab/job.h"

namespace kexsim::sim {

/// One Kubernetes API call of the run, in the order the executor makes it.
struct PlannedCall {
  std::string method;  ///< "GET", "POST", "PUT", "DELETE"
  std::string path;    ///< path and query, e.g. /api/v1/namespaces/ci/pods
  std::string when;    ///< the condition or repetition; empty: always, once
};

/// What render produces: objects in POST order, the call plan, and what the plan had to assume.
struct Rendering {
  std::vector<nlohmann::json> objects;  ///< the registry secret (if any), then the pod
  std::vector<PlannedCall> calls;
  std::vector<std::string> assumptions;  ///< what render cannot know without a cluster
  std::vector<std::string> warnings;     ///< config.toml warnings (file:line:column: message)
};

/// The inputs of one rendering, already loaded.
struct RenderInputs {
  executor::RunnerConfig runner;  ///< the [[runners]] entry that takes the job
  fakes::JobDefinition job;
  executor::Profile profile = executor::Profile::kV19_4;
  uint64_t seed = 1;  ///< same seed as a scenario run => same generated names
};

/// Builds the objects through the executor's own pod_spec functions, with the names and job
/// payload a simulated run with this seed would use.
Result<Rendering> render(const RenderInputs& in);

/// What `kexsim render` was given on its command line.
struct RenderRequest {
  std::string config_path;             ///< a config.toml, or a scenario file (its config and first job)
  std::string job_path;                ///< optional job file (.json or .toml); empty: the scenario's job or hello
  std::optional<std::string> profile;  ///< "19.4" | "13.12"; default: the scenario's, else 19.4
  std::optional<uint64_t> seed;        ///< default: the scenario's, else 1
};

/// Loads the files of a request into RenderInputs (errors name file:line:column where known).
Result<RenderInputs> load_render_inputs(const RenderRequest& request, std::vector<std::string>* warnings = nullptr);

/// Reads a job file: the keys of a scenario's [[gitlab.jobs]] entry, as JSON or TOML.
Result<fakes::JobDefinition> parse_job_file(const std::string& text, const std::string& path);

/// The job render uses when none is given: alpine, `echo Hello`.
fakes::JobDefinition default_render_job();

/// A multi-document YAML stream: each object, then the call plan as trailing comments.
std::string rendering_yaml(const Rendering& r);

/// {"objects": [...], "apiCalls": [...], "assumptions": [...]}, pretty-printed.
std::string rendering_json(const Rendering& r);

/// One JSON value as YAML through yaml-cpp; strings a YAML reader would take for another type
/// ("1001", "true", "0644", "") are quoted so they read back as strings.
std::string json_to_yaml(const nlohmann::json& value);

}  // namespace kexsim::sim

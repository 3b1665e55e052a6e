#pragma once
// The job's variables as the runner hands them to the pod env and the script exports: the runner's
// predefined variables around the job's, in upstream's order, expanded once (common/build.go
// GetAllVariables, common/spec/variables.go Expand).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/config.h"
#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// What the runner knows about a job's run that it exposes as predefined variables.
struct BuildVariablesInput {
  Profile profile = Profile::kV19_4;
  const Job* job = nullptr;                ///< the job's own variables and image (none: runner's only)
  std::vector<JobVariable> feature_flags;  ///< FF_* as the release resolves them (they come first)
  std::string builds_dir;                  ///< CI_BUILDS_DIR, e.g. "/builds"
  std::string project_dir;                 ///< CI_PROJECT_DIR
  int concurrent_id = 0;                   ///< CI_CONCURRENT_ID
  int concurrent_project_id = 0;           ///< CI_CONCURRENT_PROJECT_ID
  std::string short_token;                 ///< CI_RUNNER_SHORT_TOKEN
  std::vector<std::string> environment;    ///< [[runners]] environment, "K=V"
  std::string ca_chain;                    ///< CI_SERVER_TLS_CA_FILE's content (PEM); empty: not set
};

/// The FF_* variables that open the list: 18.4 the effective values, before the defaults.
std::vector<JobVariable> feature_flag_variables(Profile p, const FeatureFlagValues& flags);

/// The runner's CA chain for GitLab as GetCITLSVariables sees it (network/client.go buildCAChain):
/// `tls-ca-file`'s content, else the chain the job request's TLS connection verified ("" over HTTP).
std::string runner_ca_chain(const RunnerConfig& runner, std::string_view verified_chain = {});

/// Every variable of the job in GetAllVariables' order, non-raw values expanded against the list.
std::vector<JobVariable> build_variables(const BuildVariablesInput& in);

/// The variables images expand with: GetAllVariables as it stands when the release expands them. 14.2+
/// expand before StartBuild has set CI_BUILDS_DIR and CI_PROJECT_DIR (so they are empty there).
std::vector<JobVariable> image_expansion_variables(BuildVariablesInput in);

/// common.AppVersion.Variables(): CI_RUNNER_VERSION, CI_RUNNER_REVISION and CI_RUNNER_EXECUTABLE_ARCH.
std::vector<JobVariable> runner_version_variables(Profile p);

/// The runner's own variables only (no job): build_variables without a job, for tools and tests.
std::vector<JobVariable> runner_variables(const BuildVariablesInput& in);

/// Go's os.Expand: `$NAME`, `${NAME}`, `$$` and the shell's one-character specials go through
/// lookup; `${}` and an unclosed `${` are dropped; a `$` before anything else stays.
std::string go_expand(std::string_view text, const std::function<std::string(std::string_view)>& lookup);

/// Variables.Get for os.Expand: "$" for `$$`, "" for positional and special names, the last variable
/// named key; a file variable gives its path from 15.7 (before: its content).
std::string variable_for_expansion(const std::vector<JobVariable>& vars, std::string_view key, Profile profile);

/// Variables.ExpandValue: text expanded with vars.
std::string expand_value(const std::vector<JobVariable>& vars, std::string_view text, Profile profile);

/// Variables.ExpandWith: each non-raw variable of vars expanded against source.
std::vector<JobVariable> expand_with(std::vector<JobVariable> vars, const std::vector<JobVariable>& source,
                                     Profile profile);

}  // namespace kexsim::executor

#pragma once
// The scenario keys about many jobs and the runner process: job copies, the runner host (in a
// cluster or not, its files), revoked runner tokens, and the per-job and runner-log expectations.

#include <vector>

#include "base/toml_reader.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "sim/scenario.h"

namespace kexsim::sim {

struct RunResult;

/// [[gitlab.jobs]] `copies`: how many times the job is queued (1 when absent).
int read_job_copies(TomlTable& job);

/// [runner] `in_cluster` and `files`.
void read_runner_host(TomlTable& runner, Scenario& s);

/// [gitlab] `revoked_tokens` and [[gitlab.runners]] (id, description and tags of a runner token).
void read_gitlab_tokens(TomlTable& gitlab, Scenario& s);

/// What GitLab registered for each [[runners]] token: its defaults, then [[gitlab.runners]].
/// Fails for a [[gitlab.runners]] token that no [[runners]] entry has.
Status register_runners(const Scenario& s, fakes::FakeGitLab& gitlab);

/// [expect] `runner_log_contains`, `runner_log_not_contains` and [[expect.jobs]].
void read_job_expectations(TomlTable& expect, Expectations& e);

/// Checks the runner-log and per-job expectations against what the run produced.
void evaluate_jobs(const Scenario& s, const std::vector<fakes::JobRecord>& jobs, TimePoint start, RunResult& r);

}  // namespace kexsim::sim

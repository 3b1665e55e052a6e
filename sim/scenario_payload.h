#pragma once
// The [[gitlab.jobs]] keys about what the job payload carries beyond its scripts: `artifacts`,
// `cache` and `dependencies`, as .gitlab-ci.yml says them.

#include "base/toml_reader.h"
#include "fakes/gitlab/job.h"

namespace kexsim::sim {

/// Reads `artifacts`, `cache` (each a table or an array of tables) and `dependencies` into job.
void read_job_payload(TomlTable& t, fakes::JobDefinition& job);

}  // namespace kexsim::sim

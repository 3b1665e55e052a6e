#pragma once
// Scenario keys of the fake GitLab's projects: [[gitlab.projects]] with their access rules and
// [[gitlab.projects.submodules]]. Documented in docs/scenarios.md, "Projects and submodules".

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads [[gitlab.projects]] of [gitlab] into s.projects.
void read_git_projects(TomlTable& gitlab, Scenario& s);

}  // namespace kexsim::sim

#pragma once
// A command a scenario defines ([cluster.commands.<name>]) as the shell runs it: its output, its
// duration and, when it declares a footprint, its memory against the container's limit.

#include <string>

#include "fakes/runtime/shell_state.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes::shell {

/// Runs spec as the process `name`; returns its status (137 when the OOM killer ends it).
int run_scenario_command(const CommandSpec& spec, const std::string& name, Session& session, const Io& io);

}  // namespace kexsim::fakes::shell

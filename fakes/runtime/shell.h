#pragma once
// The container runtime model's entry point: a stage script goes in, the timed output, duration and
// exit status of the modelled `sh` come out, synchronously and in virtual time.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/runtime/output.h"
#include "fakes/runtime/tool_table.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {

namespace shell {
struct Volumes;
}
class MemoryCgroup;

/// The process environment the script starts with.
struct ShellOptions {
  std::map<std::string, std::string> env;  ///< exported variables
  std::string cwd = "/";                   ///< working directory (treated as existing)
  TimePoint start{};                       ///< (virtual) time the exec starts, for `date`
  /// The pod's files, shared by its execs so that a stage sees what an earlier one wrote (the git
  /// work tree under /builds). Null: a fresh file system for this exec only.
  std::shared_ptr<shell::Volumes> volumes;
  /// The commands the shell knows. Null: every built-in and tool model (shell::default_tools()).
  const shell::ToolTable* tools = nullptr;
  /// Directories whose file appends are returned timed (ShellResult::appends) instead of written at
  /// once: the shell model runs a script in one go, and a reader in another container (read-logs)
  /// must see each line when the script wrote it.
  std::vector<std::string> timed_paths;
  /// The container's memory cgroup, shared by its execs: the exec's shell and the programs it runs
  /// are charged to it, and the OOM killer acts on it. Null: no memory accounting.
  std::shared_ptr<MemoryCgroup> memory;
};

/// An empty file system (with the usual system directories) for one pod's execs.
std::shared_ptr<shell::Volumes> make_volumes();

/// Runs a script in the model; returns its timed output, duration and exit code. Never throws.
ShellResult interpret(const std::string& script, const ShellOptions& options, ContainerWorld& world);

}  // namespace kexsim::fakes

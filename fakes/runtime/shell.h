#pragma once
// The container runtime model's entry point: a stage script (the exec's stdin) goes in, the timed
// output, duration and exit status of the modelled `sh` come out, synchronously and in virtual time.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/http/types.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {

namespace shell {
struct Volumes;
}

/// The process environment the script starts with.
struct ShellOptions {
  std::map<std::string, std::string> env;  ///< exported variables
  std::string cwd = "/";                   ///< working directory (treated as existing)
  TimePoint start{};                       ///< (virtual) time the exec starts, for `date`
  /// The pod's files, shared by its execs so that a stage sees what an earlier one wrote (the git
  /// work tree under /builds). Null: a fresh file system for this exec only.
  std::shared_ptr<shell::Volumes> volumes;
};

/// An empty file system (with the usual system directories) for one pod's execs.
std::shared_ptr<shell::Volumes> make_volumes();

/// Everything a modelled script did: output at virtual offsets, when it ended, its exit code.
struct ShellResult {
  std::vector<OutputChunk> output;
  Duration duration{0};
  int exit_code = 0;
};

/// Runs a script in the model; returns its timed output, duration and exit code. Never throws.
ShellResult interpret(const std::string& script, const ShellOptions& options, ContainerWorld& world);

/// Runs a script in the model and packages the result as an exec outcome (command `sh`). Never throws.
ExecOutcome run_shell(const std::string& script, const ShellOptions& options, ContainerWorld& world);

/// The Kubernetes exec error-channel Status for an exit code: {"metadata":{},"status":"Success"} for 0,
/// else the kubelet's NonZeroExitCode Failure naming the command (elements joined by spaces).
std::string exec_status_json(int exit_code, const std::vector<std::string>& command);

}  // namespace kexsim::fakes

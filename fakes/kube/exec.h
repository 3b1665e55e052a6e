#pragma once
// Exec into a simulated container: which script an exec's argv stands for, the environment the
// process sees, the runner the transport calls once stdin has arrived, and the kubelet's and API
// server's words for how it ended or why it could not start.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http/types.h"
#include "fakes/runtime/shell.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {

/// Something that builds a ContainerWorld for an exec into a pod (the network view etc. live elsewhere).
class ContainerWorldFactory {
 public:
  virtual ~ContainerWorldFactory() = default;
  /// The world as `container` of `pod` (the pod as a read returns it) sees it.
  virtual std::unique_ptr<ContainerWorld> world_for(const nlohmann::json& pod, const std::string& container) = 0;
};

/// What the shell model runs for an exec: the exec's stdin, or a script taken from its argv.
struct ExecScript {
  bool from_stdin = false;
  std::string script;  ///< when not from stdin
};

/// A bare shell (`sh`, `/bin/bash -l`), `sh -c <shell-detect script>` and `gitlab-runner-build` read
/// their script from stdin; `sh -c <script>` runs that script; anything else runs argv as one command.
ExecScript exec_script(const std::vector<std::string>& command);

/// The process environment: the container's `env` entries with a `value`, HOSTNAME = pod name, and
/// the container's workingDir (or /).
ShellOptions exec_options(const nlohmann::json& pod, const std::string& container);

/// The exec error-channel Status for an exit code: {"metadata":{},"status":"Success"} for 0, else the
/// kubelet's NonZeroExitCode Failure naming the command (elements joined by spaces).
std::string exec_status_json(int exit_code, const std::vector<std::string>& command);

/// What the transport plays for a finished process: its output as stdout/stderr channel messages at
/// the same offsets, then the Status for its exit code.
ExecOutcome exec_outcome(const ShellResult& result, const std::vector<std::string>& command);

/// The API server's Status for an exec whose WebSocket upgrade failed.
HttpResponse upgrade_failure_response(UpgradeFailure failure);

/// The container an exec runs in, beyond its files: its memory cgroup, when the kubelet kills its
/// processes (activeDeadlineSeconds), and who hears that the OOM killer ended it.
struct ExecContainer {
  std::shared_ptr<MemoryCgroup> memory;         ///< null: no memory accounting
  std::optional<TimePoint> killed_at;           ///< the process is SIGKILLed then, if still running
  std::function<void(TimePoint)> on_oom_death;  ///< the container died OOMKilled at that time
  /// Told what the process printed (from `start`): when a disruption kills it (fakes/kube/disruption.h).
  std::function<std::optional<TimePoint>(TimePoint start, const std::vector<OutputChunk>& output)> disrupted;
  /// Told what the container's main process wrote (an attached shell's line, from `start`): its log.
  std::function<void(TimePoint start, const std::vector<OutputChunk>& output)> on_output;
};

/// The runner of an accepted exec. It owns copies of what it needs, so it outlives the request;
/// volumes is the pod's file system, shared with its other execs; the clock dates the process.
ExecRunner make_exec_runner(const nlohmann::json& pod, const std::string& container,
                            const std::vector<std::string>& command, ContainerWorldFactory& worlds, Clock& clock,
                            std::shared_ptr<shell::Volumes> volumes, ExecContainer target = {});

}  // namespace kexsim::fakes

#pragma once
// A container's own command: what a container whose spec names a command or args (and that reads no
// stdin) runs as its main process when the kubelet starts it, run after run as the restartPolicy and the
// kubelet's crash-loop back-off restart it, and what those runs show in the container's status and log.
// The executor's containers (stdin: true, a shell waiting for what attach or exec types) are not these.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/kube/events.h"
#include "fakes/kube/pod_logs.h"
#include "fakes/runtime/output.h"

namespace kexsim::fakes {

/// Whether the container's main process is its own command, run by the model at its start: it has a
/// `command` or `args`, no `stdin`, and is not an image whose daemon the service model runs (docker:dind).
/// A container with neither keeps running: its image's entrypoint is not modelled.
bool runs_own_command(const nlohmann::json& container);

/// The argv the runtime starts: `command` then `args`; `args` alone replace the image's CMD, which for
/// images without an ENTRYPOINT (alpine, busybox, debian, ubuntu) makes args[0] the program.
std::vector<std::string> container_argv(const nlohmann::json& container);

/// One run of a container's command: when it started and ended, how (containerd's Completed or Error and
/// the exit code), the runtime's id for it and the lines it wrote (its CRI log file).
struct CommandRun {
  TimePoint start{};
  TimePoint end{};
  int exit_code = 0;
  std::string reason;
  std::string container_id;
  std::vector<LogLine> lines;
};

/// When the kubelet starts the run after `runs` and the back-off shown while it waits (zero: at once),
/// or none when restartPolicy ends it (Never; OnFailure after exit 0). The kubelet's flowcontrol back-off
/// (kuberuntime_manager.go doBackOff, client-go util/flowcontrol/backoff.go): the first restart is
/// immediate and sets 10 s; each later exit waits the current back-off, which then doubles up to 5 min;
/// an exit more than 10 min after the last restart starts over.
std::optional<std::pair<TimePoint, Duration>> next_restart(const std::vector<CommandRun>& runs,
                                                           const std::string& restart_policy);

/// The runs of every own-command container, by pod uid and container name.
class ContainerCommands {
 public:
  /// Runs the container's command from `start` (the shell model: output, duration, exit code).
  using Runner = std::function<ShellResult(TimePoint start)>;

  /// The container started at `at`: its first run; later runs come from advance(). id: the runtime's id.
  void start(const std::string& uid, const std::string& container, const std::string& restart_policy, TimePoint at,
             const std::string& id, Runner run);
  /// Starts the restarts due by now.
  void advance(TimePoint now);
  /// Whether the container's main process is modelled here.
  bool has(const std::string& uid, const std::string& container) const;
  /// Whether any container of the pod is.
  bool has_pod(const std::string& uid) const;
  /// Whether none is (then nothing here needs a look).
  bool empty() const { return entries_.empty(); }
  /// Sets the pod's own-command container statuses at `now` (running, waiting CrashLoopBackOff or
  /// terminated; restartCount, lastState); returns when the latest of them last changed, if any did.
  std::optional<TimePoint> apply(nlohmann::json& pod, TimePoint now) const;
  /// The next moment after `now` at which a run of the pod ends or starts.
  std::optional<TimePoint> next_change(const std::string& uid, TimePoint now) const;
  /// The log a request reads at `now`: the last run started (previous: the one before it); null: none.
  const std::vector<LogLine>* log(const std::string& uid, const std::string& container, bool previous,
                                  TimePoint now) const;
  /// Records the Warning BackOff events due by now (one at each exit the kubelet waits after).
  void record_back_off_events(const nlohmann::json& pod, int kubernetes_minor, TimePoint now, EventLog& events,
                              const std::string& rv);
  /// Forgets a deleted pod.
  void release(const std::string& uid);

 private:
  struct Entry {
    Runner run;
    std::string policy;
    std::string first_id;
    std::vector<CommandRun> runs;
    size_t back_off_events = 0;  ///< exits whose BackOff event is recorded
  };
  /// Appends the run starting at `at`.
  static void run_at(Entry& entry, const std::string& uid, const std::string& container, TimePoint at);

  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace kexsim::fakes

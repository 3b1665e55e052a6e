#pragma once
// A container's processes as the kernel shows them through /proc: pid, parent, command line, when
// each started and ended, and how a signal ends it. Upstream's attach kill script
// (executors/kubernetes/kubernetes.go stageCancellationScript) finds the stage's processes only
// through /proc/PID/cmdline and /proc/PID/task/PID/children, and `kill -TERM`s them: this is what it
// reads and what its kill changes. Virtual time throughout; nothing here runs a process.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/runtime/output.h"

namespace kexsim::fakes::shell {

/// Signal numbers the model knows (Linux x86-64).
enum Signal : int { kSigKill = 9, kSigTerm = 15 };

/// One container's process table over virtual time.
class ProcessTable {
 public:
  /// One process: what /proc shows of it and when it lived.
  struct Process {
    int pid = 0;
    int parent = 0;                 ///< 0 for the container's first process
    std::vector<std::string> argv;  ///< what /proc/PID/cmdline shows, NUL-separated
    TimePoint started{};
    std::optional<TimePoint> ended;     ///< it exited or was killed by then
    std::optional<int> exit_status;     ///< as wait(2) reports it to a shell: code, or 128+signal
    std::map<int, int> trapped;         ///< signal -> the exit code the process's trap exits with
  };

  /// Starts a process at `at` (pids from 1, in order, never reused); returns its pid.
  int spawn(int parent, std::vector<std::string> argv, TimePoint at);
  /// The process ends by itself at `at` with code (ignored when it already ended earlier).
  void exit(int pid, int code, TimePoint at);
  /// A trap in the process's shell: signal makes it exit with code (bash `trap 'exit 1' TERM`).
  void trap(int pid, int signal, int code);
  /// kill(2) at `at`: false (ESRCH) when no such process is alive then. Its children live on, as
  /// with a real kill: they are re-parented to pid 1 only in the kernel's view, which nothing reads.
  bool kill(int pid, int signal, TimePoint at);

  /// Whether pid is alive at `at`.
  bool alive(int pid, TimePoint at) const;
  /// The live pids at `at`, ascending (what `ls /proc` and /proc/[0-9]* list).
  std::vector<int> pids(TimePoint at) const;
  /// The live children of pid at `at`, ascending.
  std::vector<int> children(int pid, TimePoint at) const;
  /// A process's record (alive or not), or nullptr.
  const Process* find(int pid) const;
  /// The content of a /proc file at `at`: /proc/PID/cmdline (arguments, each NUL-terminated) and
  /// /proc/PID/task/PID/children (the children's pids, each followed by a space). nullopt: no such
  /// file (not a /proc path the model knows, or no live process).
  std::optional<std::string> read(const std::string& path, TimePoint at) const;

 private:
  std::map<int, Process> processes_;
  int next_pid_ = 1;
};

/// What a process killed `after` its start leaves of its result: output and timed appends written
/// later never happened, it ran until then and ends with exit_code. Unchanged if it ended earlier.
void cut_result_at(ShellResult& result, Duration after, int exit_code);

}  // namespace kexsim::fakes::shell

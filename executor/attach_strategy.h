#pragma once
// GitLab Runner's attach strategy (executors/kubernetes/kubernetes.go runWithAttach, the default
// since 14.0): stage scripts saved on the `scripts` emptyDir by exec, a command line typed into the
// container's shell through pods/attach, the output tee'd to the `logs` emptyDir and read back by
// `gitlab-runner-helper read-logs` (log_processor.go), the stage's end taken from the exit-status
// JSON line the trapping script prints (shells/trap_command_exit_status.go), never traced.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "executor/kube_client.h"
#include "executor/kube_retry.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Whether a build uses the attach strategy: from 14.0 on unless
/// FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY is on (13.12 defaults the flag to true; kexsim's
/// 13.12 profile always runs the legacy exec strategy).
bool uses_attach_strategy(Profile profile, const FeatureFlagValues& flags);

/// The strategy's directories for one job (executor.scriptsDir / logsDir).
struct AttachPaths {
  std::string scripts_dir;  ///< "/scripts-<project>-<job>"
  std::string logs_dir;     ///< "/logs-<project>-<job>"

  /// "<logs_dir>/output.log".
  std::string log_file() const { return logs_dir + "/output.log"; }
  /// "<scripts_dir>/<name>" (bash scripts have no extension).
  std::string script(std::string_view name) const { return scripts_dir + "/" + std::string(name); }
};

/// baseDir: "<base>-<project id>-<job id>", with scripts_base_dir / logs_base_dir (trailing / or \ trimmed) in front.
AttachPaths attach_paths(int64_t project_id, int64_t job_id, std::string_view scripts_base, std::string_view logs_base);

/// The shell-detection script saved as <scripts>/detect_shell_script: shells/bash.go
/// BashDetectShellScript, which passes its arguments ("$@") to the shell it finds.
std::string detect_shell_file_script();

/// A stage script with the trapping head the attach strategy needs (shells/bash.go Finish with
/// useJSONInitializationTermination): it announces itself as {"script": "$0"} and, on exit, prints
/// an empty line and {"command_exit_code": N, "script": "$0"}.
std::string trapped_script(Profile profile, std::string_view body);

/// The script, run through `sh -c <detect>` by exec, that saves script at path (generateSaveScript:
/// write to <path>.tmp, chmod 777, mv).
std::string save_script(const std::string& path, std::string_view script);

/// The command typed for a stage (getContainerInfo): build stages run the stage script through the
/// detect script in a background subshell with a fallback exit marker; helper (predefined) stages
/// feed its path to `gitlab-runner-build`. Both tee into the log file.
std::vector<std::string> stage_command(const AttachPaths& paths, std::string_view stage, bool predefined);

/// The kill script for a stage (kubernetes.go stageCancellationScript, bash): TERM to every process
/// whose command line ends in the stage script's name, and their children.
std::string stage_cancellation_script(std::string_view stage);

/// `gitlab-runner-helper read-logs --path <log> --offset <n> --wait-file-timeout 1m0s`.
std::vector<std::string> read_logs_command(const AttachPaths& paths, int64_t offset);

/// A control line of the log (shells.StageCommandStatus): which script started or ended, and how.
struct StageStatus {
  std::optional<int> exit_code;
  std::optional<std::string> script;
  /// The stage the script is named after (its last path element), "" without a script.
  std::string stage() const;
};

/// TryUnmarshal: a JSON object with command_exit_code (an integer) and/or script (a string), null
/// fields counting as absent; nullopt for every other line, which is job output.
std::optional<StageStatus> parse_stage_status(std::string_view line);

/// The executor's side of read-logs output (kubernetesLogProcessor.readLogs): splits the stream
/// into lines, takes the "<offset> " prefix off (remembering the offset to resume from), and drops
/// the newline read-logs forced onto a partial line, so the pieces join again.
class LogLineReader {
 public:
  /// Starts at offset (the resume point of an earlier connection).
  explicit LogLineReader(int64_t offset = 0) : offset_(offset) {}
  /// Feeds stream bytes; returns the log lines they completed (with their newline unless forced).
  std::vector<std::string> feed(std::string_view data);
  /// The offset after the last line read (where a reconnect resumes).
  int64_t offset() const { return offset_; }
  /// A new connection: the forced-newline check starts again; the offset stays.
  void reconnect();

 private:
  std::string buffer_;
  int64_t offset_ = 0;
  int64_t previous_ = -1;
};

/// The backoff of the log processor's reconnects (backoff.Backoff{Min: 1s, Max: 30s}.ForAttempt).
Duration read_logs_backoff(int attempt);

/// How an attached stage ended: its script's exit code, or the error that ended it first.
struct AttachStageOutcome {
  std::optional<int> exit_code;  ///< from the exit-status line (or the saving exec's exit code)
  std::string error;             ///< when exit_code is empty
  /// The pod watchdog saw a phase other than Running or Failed: runWithAttach makes that a
  /// BuildError with reason unknown_failure (the rest of its errors are system failures).
  bool unknown_failure = false;
};

/// Runs one job's stages with the attach strategy on an existing pod. Trace writes go through the
/// callbacks; the owner keeps it alive until stop() and the log processor's end.
class AttachStrategy : public std::enable_shared_from_this<AttachStrategy> {
 public:
  /// Where job output and warnings go (the trace), and runner log lines.
  struct Sinks {
    std::function<void(std::string_view)> output;   ///< a log line for the trace (stream 01O)
    std::function<void(std::string_view)> warning;  ///< a WARNING: line in the trace
    std::function<void(std::string)> runner_log;    ///< a line of the runner's own log
  };

  /// poll_interval: how often the pod watchdog checks the pod during a stage (poll_interval);
  /// retry: the Kubernetes retry policy the stage's attach is retried by (runInContainer's retry.WithFn);
  /// profile: the release whose stage scripts are saved (their trap line).
  AttachStrategy(asio::any_io_executor ex, Clock& clock, KubeClient& kube, std::string ns, std::string pod,
                 AttachPaths paths, Sinks sinks, Duration poll_interval, KubeRetryPolicy retry, Profile profile);

  /// setupTrappingScripts: saves the detect script in the build container. The error is unwrapped
  /// (the caller adds "setting up trapping scripts on emptyDir: ").
  asio::awaitable<std::optional<std::string>> setup_trapping_scripts();
  /// Starts the log processor (read-logs in the helper, reconnecting from the last offset).
  void start_log_processor();
  /// Whether the log processor runs: without it no stage's output or exit status can arrive.
  bool reading_logs() const { return reading_logs_; }
  /// One stage: save the script by exec, type the command by attach, wait for its exit status
  /// while the pod watchdog checks the pod every poll interval (watchPodStatus).
  asio::awaitable<AttachStageOutcome> run_stage(std::string stage, std::string container, std::string script);
  /// The stage's context ended first: unless the log already reported an exit, exec the kill script
  /// (stageCancellationScript: SIGTERM to the processes running the stage script) in its container.
  asio::awaitable<void> cancel_stage(std::string stage, std::string container);
  /// The job is over: the log processor ends with its current stream and nothing more is traced.
  void stop();
  /// Whether the pod watchdog found the pod gone (a 404): Finish then knows not to delete it.
  bool pod_gone() const { return pod_gone_; }

 private:
  struct Waiter {
    explicit Waiter(asio::any_io_executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer wake;
    std::optional<int> exit_code;
    std::optional<std::string> failure;  ///< the watchdog's
    bool unknown_failure = false;
    bool done() const { return exit_code || failure; }
  };
  asio::awaitable<void> process_logs();
  asio::awaitable<void> watch_pod(std::shared_ptr<Waiter> waiter);
  void on_line(const std::string& line);
  void deliver(std::optional<std::string> script, int code);

  asio::any_io_executor ex_;
  Clock& clock_;
  KubeClient& kube_;
  std::string ns_, pod_;
  AttachPaths paths_;
  Sinks sinks_;
  Duration poll_interval_;
  KubeRetryPolicy retry_;
  Profile profile_;
  LogLineReader reader_;
  std::optional<StageStatus> remote_status_;                ///< the last control line (remoteStageStatus)
  std::map<std::string, std::shared_ptr<Waiter>> waiters_;  ///< by stage script path
  std::string current_script_;                              ///< the stage waiting now
  bool stopped_ = false;
  bool pod_gone_ = false;  ///< checkPodStatus got the pod's 404
  bool reading_logs_ = false;
};

}  // namespace kexsim::executor

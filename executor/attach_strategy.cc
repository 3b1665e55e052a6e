#include "executor/attach_strategy.h"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "executor/messages.h"
#include "executor/pod_status_check.h"
#include "executor/release_features.h"
#include "executor/scripts.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

std::string base_dir(std::string_view default_base, std::string_view config_dir, int64_t project_id, int64_t job_id) {
  std::string base(default_base);
  if (!config_dir.empty()) {
    std::string dir(config_dir);
    while (!dir.empty() && (dir.back() == '/' || dir.back() == '\\')) dir.pop_back();
    base = dir + base;
  }
  return base + "-" + std::to_string(project_id) + "-" + std::to_string(job_id);
}

std::string phase_of(const json& pod) {
  if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) return {};
  const json& status = pod["status"];
  return status.contains("phase") && status["phase"].is_string() ? status["phase"].get<std::string>() : "";
}

}  // namespace

bool uses_attach_strategy(Profile profile, const FeatureFlagValues& flags) {
  return attach_default(profile) && !flags.on("FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY");
}

AttachPaths attach_paths(int64_t project_id, int64_t job_id, std::string_view scripts_base,
                         std::string_view logs_base) {
  // executors/kubernetes/kubernetes.go defaultScriptsBaseDir "/scripts", defaultLogsBaseDir "/logs".
  return AttachPaths{base_dir("/scripts", scripts_base, project_id, job_id),
                     base_dir("/logs", logs_base, project_id, job_id)};
}

std::string detect_shell_file_script() {
  // shells/bash.go BashDetectShellScript, verbatim.
  std::string s;
  bool first = true;
  for (const char* shell : {"/usr/local/bin/bash", "/usr/bin/bash", "/bin/bash", "/usr/local/bin/sh", "/usr/bin/sh",
                            "/bin/sh", "/busybox/sh"}) {
    s += first ? "if" : "elif";
    s += std::string(" [ -x ") + shell + " ]; then\n\texec " + shell + " $@\n";
    first = false;
  }
  s += "else\n\techo shell not found\n\texit 1\nfi\n\n";
  return s;
}

std::string trapped_script(Profile profile, std::string_view body) {
  // shells/bash.go: bashExitOnScriptTerminationSignal (17.4+), bashJSONInitializationScript and
  // bashJSONTerminationScript, in Finish's order, ahead of the stage's own text.
  std::string out = term_trap_line(profile);
  out += "start_json=\"{\\\"script\\\": \\\"$0\\\"}\"\necho \"$start_json\"\n";
  out +=
      "runner_script_trap() {\n\texit_code=$?\n\tout_json=\"{\\\"command_exit_code\\\": $exit_code, \\\"script\\\": "
      "\\\"$0\\\"}\"\n\n\techo \"\"\n\techo \"$out_json\"\n\texit 0\n}\n\ntrap runner_script_trap EXIT\n";
  out += body;
  return out;
}

std::string save_script(const std::string& path, std::string_view script) {
  // shells/bash.go generateSaveScript writes with bash's echo; kexsim's scripts are POSIX sh, whose
  // echo may read backslashes, so printf carries the text unchanged.
  return "printf '%s\\n' " + shell_quote(script) + " > " + path + ".tmp\nchmod 777 " + path + ".tmp\nmv " + path +
         ".tmp " + path + "\n";
}

std::vector<std::string> stage_command(const AttachPaths& paths, std::string_view stage, bool predefined) {
  const std::string redirect = "2>&1 | tee -a " + paths.log_file();  // buildRedirectionCmd
  const std::string script = paths.script(stage);
  if (predefined) return {"gitlab-runner-build", "<<<", script, redirect};  // helperImageInfo.Cmd
  // kubernetes.go fallbackExitStatusMarkerFmt (the quotes are part of the argument).
  return {"sh", "-c",
          "'((" + paths.script("detect_shell_script") + " " + script +
              "; ec=$?; if [ $ec -ne 0 ]; then echo; echo \"{\\\"command_exit_code\\\": $ec, \\\"script\\\": \\\"" +
              script + "\\\"}\"; fi) " + redirect + ") &'"};
}

std::string stage_cancellation_script(std::string_view stage) {
  // ps is not in every image: the PIDs come from /proc (kubernetes.go stageCancellationScript).
  const std::string search_pids =
      "for prc in /proc/[0-9]*/cmdline; do (printf \"$prc \"; cat -A \"$prc\") | "
      "sed 's/\\^@/ /g;s|/proc/||;s|/cmdline||'; echo; done";
  return "kill -TERM $(for item in $(" + search_pids + " | grep -e '" + std::string(stage) +
         " $' | awk '{print $1}'); do test -f /proc/${item}/task/${item}/children && cat "
         "/proc/${item}/task/${item}/children && echo; done) 2> /dev/null";
}

std::vector<std::string> read_logs_command(const AttachPaths& paths, int64_t offset) {
  // log_processor.go kubernetesLogStreamer.Stream; waitLogFileTimeout = time.Minute, printed by Go.
  return {"gitlab-runner-helper", "read-logs",           "--path", paths.log_file(), "--offset",
          std::to_string(offset), "--wait-file-timeout", "1m0s"};
}

std::string StageStatus::stage() const {
  if (!script) return {};
  const size_t slash = script->rfind('/');
  return slash == std::string::npos ? *script : script->substr(slash + 1);
}

std::optional<StageStatus> parse_stage_status(std::string_view line) {
  const json parsed = json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  StageStatus status;
  // encoding/json into *int and *string: a field of another type fails the whole line.
  if (auto it = parsed.find("command_exit_code"); it != parsed.end() && !it->is_null()) {
    if (!it->is_number_integer()) return std::nullopt;
    status.exit_code = it->get<int>();
  }
  if (auto it = parsed.find("script"); it != parsed.end() && !it->is_null()) {
    if (!it->is_string()) return std::nullopt;
    status.script = it->get<std::string>();
  }
  if (!status.exit_code && !status.script) return std::nullopt;
  return status;
}

std::vector<std::string> LogLineReader::feed(std::string_view data) {
  buffer_ += data;
  std::vector<std::string> lines;
  size_t newline;
  while ((newline = buffer_.find('\n')) != std::string::npos) {
    std::string line = buffer_.substr(0, newline + 1);
    buffer_.erase(0, newline + 1);
    // parseLogLine: "<offset> <rest>"; without a numeric offset the line passes as it is.
    int64_t offset = -1;
    const size_t space = line.find(' ');
    if (space != std::string::npos && space > 0) {
      const std::string number = line.substr(0, space);
      const bool digits = std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                          (number.size() > 1 && number[0] == '-' &&
                           std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; }));
      if (digits) {
        offset = std::stoll(number);
        line.erase(0, space + 1);
      }
    }
    if (offset != -1) offset_ = offset;
    // A line longer than the bytes it advanced got a newline from read-logs: drop it.
    if (previous_ != -1 && static_cast<int64_t>(line.size()) > offset - previous_ && !line.empty() &&
        line.back() == '\n')
      line.pop_back();
    previous_ = offset;
    lines.push_back(std::move(line));
  }
  return lines;
}

void LogLineReader::reconnect() {
  buffer_.clear();
  previous_ = -1;
}

Duration read_logs_backoff(int attempt) {
  // jpillora/backoff ForAttempt: Min * Factor^attempt (factor 2), at most Max.
  Duration d = std::chrono::seconds(1);
  for (int i = 0; i < attempt && d < std::chrono::seconds(30); ++i) d *= 2;
  return std::min<Duration>(d, std::chrono::seconds(30));
}

AttachStrategy::AttachStrategy(asio::any_io_executor ex, Clock& clock, KubeClient& kube, std::string ns,
                               std::string pod, AttachPaths paths, Sinks sinks, Duration poll_interval,
                               KubeRetryPolicy retry, Profile profile)
    : ex_(ex),
      clock_(clock),
      kube_(kube),
      ns_(std::move(ns)),
      pod_(std::move(pod)),
      paths_(std::move(paths)),
      sinks_(std::move(sinks)),
      poll_interval_(poll_interval),
      retry_(std::move(retry)),
      profile_(profile) {}

asio::awaitable<std::optional<std::string>> AttachStrategy::setup_trapping_scripts() {
  auto self = shared_from_this();
  // runInContainerWithExec checks the pod first, as every exec.
  auto pod = co_await kube_.get_pod(ns_, pod_);
  if (!pod) co_return messages::couldnt_get_pod_details(pod.error().message);
  if (const std::string phase = phase_of(*pod); phase != "Running")
    co_return messages::pod_not_running_for_exec(pod_, ns_, phase);
  const std::string script = save_script(paths_.script("detect_shell_script"), detect_shell_file_script());
  std::function<void(int, std::string_view)> ignore = [](int, std::string_view) {};
  std::vector<std::string> argv = {"sh", "-c", detect_shell_script()};
  Result<int> saved = co_await kube_.exec(ns_, pod_, "build", argv, script, ignore);
  if (!saved) co_return saved.error().message;
  if (*saved != 0) co_return messages::command_terminated(*saved);
  co_return std::nullopt;
}

void AttachStrategy::start_log_processor() {
  auto self = shared_from_this();
  reading_logs_ = true;
  asio::co_spawn(
      ex_, [self]() { return self->process_logs(); }, asio::detached);
}

asio::awaitable<void> AttachStrategy::process_logs() {
  auto self = shared_from_this();
  const std::string stream = ns_ + "/" + pod_ + "/helper:" + paths_.log_file();  // kubernetesLogStreamer.String
  std::function<void(int, std::string_view)> on_output = [this](int, std::string_view data) {
    for (const std::string& line : reader_.feed(data)) on_line(line);
  };
  for (int attempt = 0; !stopped_; ++attempt) {
    if (attempt > 0) co_await clock_.sleep_for(read_logs_backoff(attempt));
    if (stopped_) break;
    reader_.reconnect();
    const std::vector<std::string> argv = read_logs_command(paths_, reader_.offset());
    Result<int> ended = co_await kube_.exec_output_only(ns_, pod_, "helper", argv, on_output);
    if (stopped_) break;
    if (ended && *ended == 100) {  // outputLogFileNotExistsExitCode: start again from the top
      reader_ = LogLineReader(0);
      sinks_.warning("Error processing the log file: output log file deleted, cannot continue streaming logs " +
                     stream + ": " + messages::command_terminated(100));
      deliver(std::nullopt, 100);
    } else if (!ended) {
      sinks_.runner_log("WARNING: Error streaming logs " + stream + ": " + ended.error().message + ". Retrying...");
    } else if (*ended != 0) {
      sinks_.runner_log("WARNING: Error streaming logs " + stream + ": " + messages::command_terminated(*ended) +
                        ". Retrying...");
    }
  }
  for (auto& [script, waiter] : waiters_) waiter->wake.cancel();
}

asio::awaitable<void> AttachStrategy::cancel_stage(std::string stage, std::string container) {
  auto self = shared_from_this();
  if (remote_status_ && remote_status_->exit_code) co_return;  // remoteStageStatus.IsExited()
  std::function<void(int, std::string_view)> ignore = [](int, std::string_view) {};
  std::vector<std::string> shell = {"sh", "-c", detect_shell_script()};
  std::string kill = stage_cancellation_script(stage);
  // Its outcome is only logged at debug level upstream.
  Result<int> killed = co_await kube_.exec(ns_, pod_, container, shell, kill, ignore);
  (void)killed;
}

void AttachStrategy::stop() {
  stopped_ = true;
  for (auto& [script, waiter] : waiters_) waiter->wake.cancel();
}

void AttachStrategy::on_line(const std::string& line) {
  if (stopped_) return;
  std::optional<StageStatus> status = parse_stage_status(line);
  if (!status) {
    sinks_.output(line);
    return;
  }
  remote_status_ = status;  // forwardLogLine: control lines never reach the trace
  if (status->exit_code) deliver(status->script, *status->exit_code);
}

void AttachStrategy::deliver(std::optional<std::string> script, int code) {
  auto it = script ? waiters_.find(*script) : waiters_.end();
  if (it == waiters_.end()) it = waiters_.find(current_script_);
  if (it == waiters_.end()) return;
  it->second->exit_code = code;
  it->second->wake.cancel();
}

asio::awaitable<AttachStageOutcome> AttachStrategy::run_stage(std::string stage, std::string container,
                                                              std::string script) {
  auto self = shared_from_this();
  AttachStageOutcome outcome;
  const std::string path = paths_.script(stage);
  // saveScriptOnEmptyDir: the caller checked the pod for this exec. A non-zero exit is a BuildError
  // with that exit code.
  std::function<void(int, std::string_view)> ignore = [](int, std::string_view) {};
  std::vector<std::string> shell = {"sh", "-c", detect_shell_script()};
  std::string saver = save_script(path, trapped_script(profile_, script));
  Result<int> saved = co_await kube_.exec(ns_, pod_, container, shell, saver, ignore);
  if (!saved) {
    outcome.error = saved.error().message;
    co_return outcome;
  }
  if (*saved != 0) {
    outcome.exit_code = *saved;
    co_return outcome;
  }

  auto waiter = std::make_shared<Waiter>(ex_);
  asio::co_spawn(
      ex_, [self, waiter]() { return self->watch_pod(waiter); }, asio::detached);
  auto pod = co_await kube_.get_pod(ns_, pod_);
  const std::string phase = pod ? phase_of(*pod) : std::string();
  if (!pod || phase != "Running") {
    // executors/kubernetes/exec.go AttachOptions.Run.
    outcome.error = !pod ? messages::couldnt_get_pod_details(pod.error().message)
                         : "pod " + messages::go_quote(pod_) + " (on namespace " + messages::go_quote(ns_) +
                               ") is not running and cannot execute commands; current phase is " +
                               messages::go_quote(phase);
    waiter->failure = outcome.error;  // stops the watchdog
    co_return outcome;
  }
  waiters_[path] = waiter;
  current_script_ = path;
  std::string typed;
  for (const std::string& part : stage_command(paths_, stage, container == "helper"))
    typed += (typed.empty() ? "" : " ") + part;
  typed += "\n";
  for (int tries = 1;; ++tries) {
    Result<int> attached = co_await kube_.attach(ns_, pod_, container, typed);
    if (attached || waiter->done()) break;
    const std::string error = attached.error().message;
    // checkScriptExecution: a network error is tried again; any other failure of an attach whose
    // stage the log already announced is taken as done (the command did arrive).
    bool network = false;
    for (std::string_view n : retry_.network_errors()) network = network || error.find(n) != std::string::npos;
    if (!network && remote_status_ && remote_status_->stage() == stage) break;
    if (network && retry_.should_retry(tries, error)) {
      co_await clock_.sleep_for(retry_.backoff(tries - 1));
      continue;
    }
    waiters_.erase(path);
    waiter->failure = error;
    outcome.error = error;
    co_return outcome;
  }
  while (!waiter->done() && !stopped_) {
    boost::system::error_code ignored;
    co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  waiters_.erase(path);
  if (waiter->exit_code) {
    outcome.exit_code = waiter->exit_code;
  } else {
    outcome.error = waiter->failure ? *waiter->failure : std::string("build aborted");
    outcome.unknown_failure = waiter->unknown_failure;
    if (!waiter->failure) waiter->failure = outcome.error;
  }
  co_return outcome;
}

asio::awaitable<void> AttachStrategy::watch_pod(std::shared_ptr<Waiter> waiter) {
  auto self = shared_from_this();
  // watchPodStatus / checkPodStatus with podContainerStatusChecker on build and helper.
  for (;;) {
    co_await clock_.sleep_for(poll_interval_);
    if (waiter->done() || stopped_) co_return;
    auto pod = co_await kube_.get_pod(ns_, pod_);
    if (waiter->done() || stopped_) co_return;
    std::optional<std::string> failure;
    if (!pod && pod.error().code == 404) {
      failure = pod.error().message;
      pod_gone_ = true;
    } else if (!pod) {
      // executors/kubernetes/kubernetes.go checkPodStatus: Warningln("Getting job pod status", err).
      sinks_.warning("Getting job pod status " + pod.error().message);
      continue;
    } else if (auto verdict = check_pod_status(*pod, pod_); !verdict) {
      // A body that does not decode is a failed GET for checkPodStatus: warned, polled again.
      sinks_.warning("Getting job pod status " + verdict.error().message);
      continue;
    } else {
      failure = verdict->failure;
      waiter->unknown_failure = verdict->unknown_failure;
    }
    if (!failure) continue;
    waiter->failure = failure;
    waiter->wake.cancel();
    co_return;
  }
}

}  // namespace kexsim::executor

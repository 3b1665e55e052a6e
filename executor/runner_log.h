#pragma once
// The runner process's own log (what `gitlab-runner run` prints to stderr, not a job's trace),
// formatted as GitLab Runner's default text formatter prints it without colours.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "executor/profile.h"

namespace kexsim::executor {

struct Job;

/// A logrus level, as far as the runner's log shows it.
enum class LogLevel { kDebug, kInfo, kWarning, kError };

/// One `key=value` field of a log line.
using LogField = std::pair<std::string, std::string>;

/// One line as log/runner_formatter.go (RunnerTextFormatter, colours off) prints it: the level's
/// prefix ("WARNING: ", "ERROR: ") and the message padded to 50 columns, then " key=value" per
/// field in key order.
std::string format_runner_log_line(LogLevel level, std::string_view message, std::vector<LogField> fields);

/// common/build.go Build.Log's fields, the ones kexsim knows: the runner's (config.go RunnerConfig.Log:
/// runner, and runner_name from 18.9), the job and project, and from 19.0 the job's pipeline and
/// namespaces. A build's BuildLogger tees its lines to the runner's log with them.
std::vector<LogField> build_log_fields(Profile profile, std::string_view short_token, std::string_view runner_name,
                                       const Job& job);

/// The lines the runner process printed, in order. Debug lines are dropped, as at the default
/// log_level (info).
class RunnerLog {
 public:
  /// Logs a line at the given level.
  void log(LogLevel level, std::string_view message, std::vector<LogField> fields = {});
  /// Appends a line already formatted (e.g. a job's "WARNING: ..." about its own GitLab updates).
  void append(std::string line) { lines_.push_back(std::move(line)); }
  /// Every line so far.
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

}  // namespace kexsim::executor

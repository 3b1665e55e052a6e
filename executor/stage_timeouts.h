#pragma once
// The script and after_script time limits a job's variables ask for (RUNNER_SCRIPT_TIMEOUT,
// RUNNER_AFTER_SCRIPT_TIMEOUT), read as GitLab Runner reads them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/job.h"

namespace kexsim::executor {

/// Go's time.ParseDuration: "1h30m", "5m", "1.5s", "-10m", "300ms"; nullopt when malformed.
std::optional<Duration> parse_go_duration(std::string_view text);

/// The limits of the user script stages; nullopt means only the job timeout applies.
struct StageTimeouts {
  std::optional<Duration> script;        ///< RUNNER_SCRIPT_TIMEOUT (no default)
  std::optional<Duration> after_script;  ///< RUNNER_AFTER_SCRIPT_TIMEOUT (default 5 min)
  std::vector<std::string> warnings;     ///< WARNING lines for the trace, in upstream's order
};

/// A [[runners]] stage limit (prepare_timeout, get_sources_timeout; 19.4 common/build.go
/// GetPrepareTimeout, GetGetSourcesTimeout): unset gives nullopt (the job timeout applies); zero or
/// negative, or longer than the job timeout, also gives nullopt, with the runner-log warning
/// upstream prints (in *warning).
std::optional<Duration> runner_stage_timeout(std::string_view key, std::optional<Duration> configured,
                                             Duration job_timeout, std::string* warning);

/// The error a stage limit ends the job with: "prepare timeout: exceeded timeout of 30s" (19.4
/// ErrJobPrepareTimeout / ErrJobGetSourcesTimeout wrapped with the limit; job_execution_timeout).
std::string stage_limit_exceeded(std::string_view what, Duration limit);

/// Reads both variables against the job's remaining time (common/build.go getStageTimeoutContexts):
/// malformed and negative values are ignored with a warning, longer ones are clamped with one.
StageTimeouts read_stage_timeouts(const Job& job, Duration job_time_left);

}  // namespace kexsim::executor

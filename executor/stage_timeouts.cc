#include "executor/stage_timeouts.h"

#include <cmath>

#include "executor/messages.h"

namespace kexsim::executor {

std::optional<Duration> parse_go_duration(std::string_view text) {
  // The grammar of Go's time.ParseDuration: [-+]? ( number unit )+ , or a bare "0".
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration(0);
  if (s.empty()) return std::nullopt;
  double total_us = 0;
  while (!s.empty()) {
    size_t i = 0;
    double whole = 0, frac = 0, scale = 1;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0'), digits = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac = frac * 10 + (s[i++] - '0'), scale *= 10, digits = true;
    }
    if (!digits) return std::nullopt;
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    const std::string_view unit = s.substr(i, u - i);
    double us_per_unit = 0;
    if (unit == "ns")
      us_per_unit = 0.001;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs")
      us_per_unit = 1;
    else if (unit == "ms")
      us_per_unit = 1e3;
    else if (unit == "s")
      us_per_unit = 1e6;
    else if (unit == "m")
      us_per_unit = 60e6;
    else if (unit == "h")
      us_per_unit = 3600e6;
    else
      return std::nullopt;  // a missing or unknown unit
    total_us += (whole + frac / scale) * us_per_unit;
    s.remove_prefix(u);
  }
  const auto us = static_cast<int64_t>(std::llround(total_us));
  return Duration(negative ? -us : us);
}

namespace {

/// Go's time.Duration String() for whole seconds and above (the limits are config durations).
std::string duration_text(Duration d) {
  return messages::go_duration(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

std::optional<Duration> runner_stage_timeout(std::string_view key, std::optional<Duration> configured,
                                             Duration job_timeout, std::string* warning) {
  if (!configured) return std::nullopt;
  const std::string name(key);
  if (*configured <= Duration(0)) {
    if (warning)
      *warning = name + " (" + duration_text(*configured) + ") must be greater than 0; using job timeout (" +
                 duration_text(job_timeout) + ")";
    return std::nullopt;
  }
  if (*configured > job_timeout) {
    if (warning)
      *warning = name + " (" + duration_text(*configured) + ") exceeds job timeout (" + duration_text(job_timeout) +
                 "); using job timeout";
    return std::nullopt;
  }
  return configured;
}

std::string stage_limit_exceeded(std::string_view what, Duration limit) {
  // common/build.go executePrepareScripts / Run:
  // fmt.Errorf("%w: exceeded timeout of %s", ErrJobPrepareTimeout, prepareTimeout)
  return std::string(what) + ": exceeded timeout of " + duration_text(limit);
}

StageTimeouts read_stage_timeouts(const Job& job, Duration job_time_left) {
  StageTimeouts out;
  out.after_script = std::chrono::minutes(5);  // common/consts.go AfterScriptTimeout
  struct Entry {
    const char* name;
    std::optional<Duration>* target;
  };
  for (const Entry& entry :
       {Entry{"RUNNER_SCRIPT_TIMEOUT", &out.script}, Entry{"RUNNER_AFTER_SCRIPT_TIMEOUT", &out.after_script}}) {
    const std::string raw = job.variable(entry.name);
    if (raw.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    const auto parsed = parse_go_duration(raw);
    if (!parsed) {
      out.warnings.push_back(messages::ignoring_malformed_timeout(entry.name, raw));
    } else if (*parsed < Duration(0)) {
      out.warnings.push_back(messages::ignoring_relative_timeout(entry.name, raw));
    } else if (*parsed > job_time_left) {
      // The job's deadline bounds the stage anyway (Go's context.WithTimeout keeps the parent's).
      out.warnings.push_back(messages::timeout_longer_than_job(entry.name, raw));
    } else if (*parsed != Duration(0)) {
      *entry.target = *parsed;
    }
  }
  return out;
}

}  // namespace kexsim::executor

#include "executor/runner_log.h"

#include <algorithm>

namespace kexsim::executor {

std::string format_runner_log_line(LogLevel level, std::string_view message, std::vector<LogField> fields) {
  // log/runner_formatter.go: "%s%s%-*s%s " with the indent 50 - len(prefix), then " %s=%v" per
  // sorted key.
  std::string_view prefix;
  if (level == LogLevel::kWarning) prefix = "WARNING: ";
  if (level == LogLevel::kError) prefix = "ERROR: ";
  std::string out(prefix);
  out += message;
  const size_t width = 50;
  if (out.size() < width) out.append(width - out.size(), ' ');
  out += ' ';
  std::stable_sort(fields.begin(), fields.end(),
                   [](const LogField& a, const LogField& b) { return a.first < b.first; });
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    out += value;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();  // a line without fields
  return out;
}

void RunnerLog::log(LogLevel level, std::string_view message, std::vector<LogField> fields) {
  if (level == LogLevel::kDebug) return;
  lines_.push_back(format_runner_log_line(level, message, std::move(fields)));
}

}  // namespace kexsim::executor

#include "executor/runner_log.h"

#include <algorithm>

#include "executor/job.h"
#include "executor/release_features.h"

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

std::vector<LogField> build_log_fields(Profile profile, std::string_view short_token, std::string_view runner_name,
                                       const Job& job) {
  std::vector<LogField> f;
  if (!short_token.empty()) f.emplace_back("runner", short_token);
  if (logs_runner_name_field(profile) && !runner_name.empty()) f.emplace_back("runner_name", runner_name);
  f.emplace_back("job", std::to_string(job.id));
  f.emplace_back("project", std::to_string(job.job_info.project_id));
  if (logs_build_job_info_fields(profile)) {
    f.emplace_back("pipeline_id", std::to_string(job.job_info.pipeline_id));
    f.emplace_back("project_full_path", job.job_info.project_full_path);
    f.emplace_back("namespace_id", std::to_string(job.job_info.namespace_id));
    f.emplace_back("root_namespace_id", std::to_string(job.job_info.root_namespace_id));
  }
  return f;
}

}  // namespace kexsim::executor

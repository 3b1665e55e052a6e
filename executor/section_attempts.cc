#include "executor/section_attempts.h"

#include <algorithm>

#include "base/strings.h"
#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

/// The int of Go's int(i) on a 64-bit build, held in an int here: values outside are clamped anyway.
int as_attempts(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, -1'000'000'000, 1'000'000'000)); }

}  // namespace

SectionAttempts read_section_attempts(const Job& job, Profile p) {
  SectionAttempts out;
  struct Entry {
    const char* name;
    int* value;
  };
  // validateVariables' order; the clamp below goes in validateAttemptSettings' own order.
  const Entry entries[] = {{"GET_SOURCES_ATTEMPTS", &out.get_sources},
                           {"ARTIFACT_DOWNLOAD_ATTEMPTS", &out.artifact_download},
                           {"RESTORE_CACHE_ATTEMPTS", &out.restore_cache},
                           {"EXECUTOR_JOB_SECTION_ATTEMPTS", &out.executor_job_section},
                           {"SECRETS_RETRIEVAL_ATTEMPTS", &out.secrets_retrieval}};
  for (const Entry& e : entries) {
    if (!clamps_section_attempts(p) && std::string_view(e.name) == "SECRETS_RETRIEVAL_ATTEMPTS") continue;
    const std::string raw = job.variable(e.name);
    if (raw.empty()) continue;  // the default
    const auto parsed = parse_go_int(raw);
    if (parsed) {
      *e.value = as_attempts(*parsed);
    } else if (warns_malformed_settings(p)) {
      // common/build_settings.go validate, case *int.
      out.warnings.push_back(std::string(e.name) + ": expected int got " + messages::go_quote(raw) +
                             ", using default value: 1");
    }
  }
  out.clamp_warnings_from = out.warnings.size();
  if (!clamps_section_attempts(p)) return out;
  // common/build_settings.go validateAttemptSettings.
  const Entry clamped[] = {{"EXECUTOR_JOB_SECTION_ATTEMPTS", &out.executor_job_section},
                           {"GET_SOURCES_ATTEMPTS", &out.get_sources},
                           {"ARTIFACT_DOWNLOAD_ATTEMPTS", &out.artifact_download},
                           {"RESTORE_CACHE_ATTEMPTS", &out.restore_cache},
                           {"SECRETS_RETRIEVAL_ATTEMPTS", &out.secrets_retrieval}};
  for (const Entry& e : clamped) {
    const int value = std::clamp(*e.value, 1, 10);
    if (value == *e.value) continue;
    *e.value = value;
    out.warnings.push_back(std::string(e.name) +
                           ": number of attempts out of the range [1, 10], clamping to: " + std::to_string(value));
  }
  return out;
}

// common/build_settings.go initSettings: "number of attempts out of the range [1, 10] for stage: %s".
std::optional<std::string> attempts_out_of_range(Profile p, int attempts, std::string_view stage) {
  if (clamps_section_attempts(p) || (attempts >= 1 && attempts <= 10)) return std::nullopt;
  return "number of attempts out of the range [1, 10] for stage: " + std::string(stage);
}

Duration stage_retry_pause(Profile p, bool exponential_backoff, int retry) {
  if (!stage_retries_warn_and_back_off(p)) return Duration(0);
  // github.com/jpillora/backoff: Min * 2^attempt, at most Max.
  const Duration min = exponential_backoff ? std::chrono::seconds(5) : std::chrono::seconds(1);
  const Duration max = exponential_backoff ? std::chrono::minutes(5) : std::chrono::seconds(5);
  Duration d = min;
  for (int i = 0; i < retry && d < max; ++i) d *= 2;
  return std::min(d, max);
}

Backoff jittered_stage_backoff() {
  return Backoff(std::chrono::seconds(5), std::chrono::minutes(5), 1.5, /*jitter=*/true);
}

}  // namespace kexsim::executor

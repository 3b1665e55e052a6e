#pragma once
// How many times GitLab Runner tries a stage again (GET_SOURCES_ATTEMPTS, ARTIFACT_DOWNLOAD_ATTEMPTS,
// RESTORE_CACHE_ATTEMPTS, EXECUTOR_JOB_SECTION_ATTEMPTS, SECRETS_RETRIEVAL_ATTEMPTS), read per profile.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/backoff.h"
#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The attempts of the repeatable stages, from the job's variables.
struct SectionAttempts {
  int get_sources = 1;           ///< GET_SOURCES_ATTEMPTS (common/consts.go DefaultGetSourcesAttempts)
  int artifact_download = 1;     ///< ARTIFACT_DOWNLOAD_ATTEMPTS
  int restore_cache = 1;         ///< RESTORE_CACHE_ATTEMPTS
  int executor_job_section = 1;  ///< EXECUTOR_JOB_SECTION_ATTEMPTS (the docker executor's; read, unused here)
  int secrets_retrieval = 1;     ///< SECRETS_RETRIEVAL_ATTEMPTS (19.4)
  /// 19.4's settings errors for these variables, in initSettings' order (printSettingErrors joins
  /// them into one WARNING); 13.12 ignores a malformed value silently.
  std::vector<std::string> warnings;
  /// Where validateAttemptSettings' clamp warnings start in warnings (validateDebugTraceSettings'
  /// error goes between the parse errors and these).
  size_t clamp_warnings_from = 0;
};

/// Reads the variables as the profile does: 19.4 common/build_settings.go (validate: a malformed
/// integer keeps the default with a warning; validateAttemptSettings: clamped to [1, 10] with one);
/// 13.12 common/build.go Get*Attempts (strconv.Atoi, the default on any error, no clamping).
SectionAttempts read_section_attempts(const Job& job, Profile p);

/// 13.12 attemptExecuteStage: the error a stage gets when its attempts are outside [1, 10] (the job
/// fails as a system failure); nullopt when in range, and always for 19.4, which clamps.
std::optional<std::string> attempts_out_of_range(Profile p, int attempts, std::string_view stage);

/// 19.4 attemptExecuteStage: the pause before try `retry` + 1 (retry 0 is the first repeat):
/// FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY gives 5 s doubling to 5 min (common/consts.go
/// DefaultStageRetryBackoffMin/Max), else helpers/retry's default 1 s doubling to 5 s. 13.12
/// repeats a stage at once.
Duration stage_retry_pause(Profile p, bool exponential_backoff, int retry);

/// 18.0-19.0 attemptExecuteStage's back-off, one per stage loop: jpillora/backoff{Min: 5 s, Max: 5 min,
/// Factor: 1.5, Jitter: true}, so the first pause is 5 s and later ones are drawn from [5 s, 5 s x 1.5^n).
Backoff jittered_stage_backoff();

/// The line 19.4 prints before each repeat (helpers/retry WithBuildLog: Warningln("Retrying...")).
inline constexpr std::string_view kRetryingLine = "Retrying...";

}  // namespace kexsim::executor

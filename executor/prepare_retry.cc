#include "executor/prepare_retry.h"

#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {

PrepareErrorKind config_prepare_error_kind(Profile p) {
  return prepare_config_errors_are_build_errors(p) ? PrepareErrorKind::kBuildError : PrepareErrorKind::kPlain;
}

bool retries_preparation(PrepareErrorKind kind, bool context_done) {
  // common/build.go retryCreateExecutor: errors.As(err, &buildErr) returns at once, and so does a
  // done options.Context (handleError of its cause).
  return kind == PrepareErrorKind::kPlain && !context_done;
}

// common/build.go retryCreateExecutor: logger.SoftErrorln("Preparation failed:", err), Go's Sprintln
// puts one space between the operands.
std::string preparation_failed(std::string_view error) { return "Preparation failed: " + std::string(error); }

// logger.Infoln("Will be retried in", PreparationRetryInterval, "..."): time.Duration prints "3s".
std::string will_be_retried() {
  return "Will be retried in " +
         messages::go_duration(std::chrono::duration_cast<std::chrono::seconds>(kPreparationRetryInterval).count()) +
         " ...";
}

}  // namespace kexsim::executor

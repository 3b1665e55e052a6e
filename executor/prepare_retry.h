#pragma once
// GitLab Runner's preparation retries (common/build.go retryCreateExecutor): which errors of the
// executor's Prepare are tried again, how many times and how far apart, and the trace lines between.

#include <string>
#include <string_view>

#include "base/clock.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// How an error of the executor's Prepare is typed upstream: a *common.BuildError ends the job at
/// once (its failure reason stands); any other error is retried, then fails as a system failure.
enum class PrepareErrorKind { kBuildError, kPlain };

/// common/consts.go PreparationRetries: Prepare is tried at most this many times (both profiles).
inline constexpr int kPreparationRetries = 3;
/// common/consts.go PreparationRetryInterval: the wait after each failed try, the last one included.
inline constexpr Duration kPreparationRetryInterval = std::chrono::seconds(3);

/// The type of the errors kexsim's Prepare can return today (config, image and pull policy
/// problems, getting the Kubernetes config): 19.4 wraps each in a BuildError with
/// runner_configuration_error (executors/kubernetes/kubernetes.go prepareConnections,
/// prepareInfrastructure); 13.12 returns them as plain errors (kubernetes.go Prepare).
PrepareErrorKind config_prepare_error_kind(Profile p);

/// Whether retryCreateExecutor goes round again after a failed try: not for a BuildError, nor
/// once the prepare context ended (job timeout, cancel); the three tries are counted by the caller.
bool retries_preparation(PrepareErrorKind kind, bool context_done);

/// `Preparation failed: <err>` (SoftErrorln: the trace's "ERROR: " prefix and colour).
std::string preparation_failed(std::string_view error);
/// `Will be retried in 3s ...` (Infoln: bold green).
std::string will_be_retried();

}  // namespace kexsim::executor

#pragma once
// GitLab Runner's retry policy for Kubernetes API requests (executors/kubernetes/kubernetes.go
// NewRetry, helpers/retry): which errors are retried, how often, and how long to wait between tries.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The retry settings of [runners.kubernetes] as the runner resolves them.
struct KubeRetrySettings {
  int retry_limit = 0;                      ///< `retry_limit`; <= 0 means the default (5)
  std::map<std::string, int> retry_limits;  ///< `retry_limits`: error substring -> max tries
  int retry_backoff_max_ms = 0;             ///< `retry_backoff_max` in milliseconds; <= 0 means 2000
};

/// Decides, for one failed request, whether to try again and after how long. Pure: no clock, no I/O.
class KubeRetryPolicy {
 public:
  KubeRetryPolicy(Profile profile, KubeRetrySettings settings);

  /// Whether the profile retries Kubernetes API requests at all (NewRetry appeared in 16.9).
  bool enabled() const { return enabled_; }
  /// Whether an error with this text is worth another try (substring match, as upstream).
  bool retryable(std::string_view error_text) const;
  /// How many tries in all an error with this text gets (retry_limits entry, else retry_limit).
  int max_tries(std::string_view error_text) const;
  /// Whether to try again after the `tries`-th try (1-based) failed with this error.
  bool should_retry(int tries, std::string_view error_text) const;
  /// The wait before retry number `retry` (0-based): 500 ms doubled each time, capped at the maximum.
  Duration backoff(int retry) const;
  /// The substrings retried without a retry_limits entry, in upstream's order.
  const std::vector<std::string_view>& network_errors() const { return network_errors_; }

 private:
  bool enabled_ = false;
  KubeRetrySettings settings_;
  Duration backoff_max_{0};
  std::vector<std::string_view> network_errors_;
};

}  // namespace kexsim::executor

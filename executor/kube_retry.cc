#include "executor/kube_retry.h"

#include <algorithm>

namespace kexsim::executor {
namespace {

// executors/kubernetes/kubernetes.go retryNetworkErrorsGroup (19.4). The last five entries are Go
// error texts: io.ErrUnexpectedEOF, syscall.ECONNRESET, ECONNREFUSED (a repeat), ECONNABORTED, EPIPE.
// "etcdserver: request timed out" joined in 18.6 (gitlab-runner !5877).
const std::vector<std::string_view> kNetworkErrors19 = {
    "error dialing backend",
    "TLS handshake timeout",
    "read: connection timed out",
    "connect: connection timed out",
    "Timeout occurred",
    "etcdserver: request timed out",
    "http2: client connection lost",
    "connection refused",
    "tls: internal error",
    "unexpected EOF",
    "connection reset by peer",
    "connection refused",
    "software caused connection abort",
    "broken pipe",
};

// common/consts.go: DefaultRequestRetryLimit, RequestRetryBackoffMin, DefaultRequestRetryBackoffMax.
constexpr int kDefaultRetryLimit = 5;
constexpr Duration kBackoffMin = std::chrono::milliseconds(500);
constexpr Duration kDefaultBackoffMax = std::chrono::milliseconds(2000);

}  // namespace

KubeRetryPolicy::KubeRetryPolicy(Profile profile, KubeRetrySettings settings)
    : enabled_(profile == Profile::kV19_4), settings_(std::move(settings)) {
  // 13.12 has no request retry (only a retry of exec on "error dialing backend: EOF", not modelled).
  if (enabled_) network_errors_ = kNetworkErrors19;
  // common/config.go RequestRetryBackoffMax.Get: <= 0 is the default, anything up to the minimum is the minimum.
  const Duration configured = std::chrono::milliseconds(settings_.retry_backoff_max_ms);
  if (settings_.retry_backoff_max_ms <= 0)
    backoff_max_ = kDefaultBackoffMax;
  else
    backoff_max_ = std::max(configured, kBackoffMin);
}

bool KubeRetryPolicy::retryable(std::string_view error_text) const {
  if (!enabled_) return false;
  for (const auto& [key, limit] : settings_.retry_limits)
    if (error_text.find(key) != std::string_view::npos) return true;
  return std::any_of(network_errors_.begin(), network_errors_.end(),
                     [&](std::string_view e) { return error_text.find(e) != std::string_view::npos; });
}

int KubeRetryPolicy::max_tries(std::string_view error_text) const {
  // Upstream ranges over a Go map (random order) when several keys match; kexsim takes the first
  // matching key in sorted order so that runs stay reproducible.
  for (const auto& [key, limit] : settings_.retry_limits)
    if (error_text.find(key) != std::string_view::npos) return limit;
  return settings_.retry_limit > 0 ? settings_.retry_limit : kDefaultRetryLimit;
}

bool KubeRetryPolicy::should_retry(int tries, std::string_view error_text) const {
  // helpers/retry WithMaxTriesFunc: stop once tries >= max, else ask the check.
  if (tries >= max_tries(error_text)) return false;
  return retryable(error_text);
}

Duration KubeRetryPolicy::backoff(int retry) const {
  // jpillora/backoff with Factor 2 and no jitter: min * 2^attempt, capped at max.
  Duration d = kBackoffMin;
  for (int i = 0; i < retry && d < backoff_max_; ++i) d *= 2;
  return std::min(d, backoff_max_);
}

}  // namespace kexsim::executor

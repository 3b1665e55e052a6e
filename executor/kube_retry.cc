#include "executor/kube_retry.h"

#include <algorithm>

#include "executor/release_features.h"

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
constexpr Duration kApiBackoffMin = std::chrono::milliseconds(500);
constexpr Duration kDefaultBackoffMax = std::chrono::milliseconds(2000);

}  // namespace

KubeRetryPolicy::KubeRetryPolicy(Profile profile, KubeRetrySettings settings)
    : enabled_(kube_api_retries(profile)), settings_(std::move(settings)) {
  // Before 16.2 only exec/attach was retried, on "error dialing backend" (not modelled).
  if (enabled_) {
    // The entries each release added to 16.2's list (gitlab-runner-releases.md section 6).
    bool refused_seen = false;
    for (std::string_view e : kNetworkErrors19) {
      const bool first_refused = e == "connection refused" && !refused_seen;
      if (e == "connection refused") refused_seen = true;
      if (e == "connect: connection timed out" || e == "http2: client connection lost") {
        if (!kube_retries_connection_timeouts(profile)) continue;
      } else if (e == "tls: internal error" || first_refused) {
        if (!kube_retries_refused_and_limits(profile)) continue;  // the errno text (ECONNREFUSED) is older
      } else if (e == "etcdserver: request timed out") {
        if (!kube_retries_etcd_timeout(profile)) continue;
      }
      network_errors_.push_back(e);
    }
  }
  // retry_limit and retry_limits are 16.9's, retry_backoff_max 17.1's.
  if (!kube_retries_refused_and_limits(profile)) {
    settings_.retry_limit = 0;
    settings_.retry_limits.clear();
  }
  if (!kube_retry_backoff_max(profile)) settings_.retry_backoff_max_ms = 0;
  // common/config.go RequestRetryBackoffMax.Get: <= 0 is the default, anything up to the minimum is the minimum.
  const Duration configured = std::chrono::milliseconds(settings_.retry_backoff_max_ms);
  if (settings_.retry_backoff_max_ms <= 0)
    backoff_max_ = kDefaultBackoffMax;
  else
    backoff_max_ = std::max(configured, kApiBackoffMin);
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
  Duration d = kApiBackoffMin;
  for (int i = 0; i < retry && d < backoff_max_; ++i) d *= 2;
  return std::min(d, backoff_max_);
}

}  // namespace kexsim::executor

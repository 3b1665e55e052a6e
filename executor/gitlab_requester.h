#pragma once
// How GitLab Runner's HTTP layer answers a GitLab API reply that asks to be retried, per release:
// 19.4 retries 408, 429, 500, 502, 503, 504 and >= 512 up to 5 attempts, waiting for
// RateLimit-ResetTime, else Retry-After, else a jittered back-off (network/retry_requester.go,
// 18.5 on); 13.12 retries only a 429 that carries RateLimit-ResetTime (network/ratelimit_requester.go).

#include <optional>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "executor/backoff.h"
#include "executor/http/client.h"
#include "executor/profile.h"
#include "executor/release_features.h"

namespace kexsim::executor {

/// The retry decision for one reply, and the wait before the next attempt. Pure: for tests.
class GitLabRetryPolicy {
 public:
  explicit GitLabRetryPolicy(Profile profile);

  /// Attempts in all before the last reply is returned as it is (5 in both releases).
  int max_attempts() const { return 5; }
  /// The wait before trying again after `reply` at `now`, or nullopt when the release returns the
  /// reply to its caller. backoff is the loop's schedule (19.4 only).
  std::optional<Duration> wait_after(const HttpClientResponse& reply, TimePoint now, Backoff& backoff,
                                     Random& random) const;
  /// 13.12 only: what the caller gets when every attempt was rate limited (errRateLimitGaveUp).
  bool gives_up_with_error() const { return !gitlab_client_v18_3(profile_); }

 private:
  Profile profile_;
};

/// Sends GitLab API requests through the release's retry layer.
class GitLabRequester {
 public:
  GitLabRequester(HttpClient& http, Clock& clock, Random random, Profile profile);

  /// Sends request and, while the policy says so, waits on the clock and sends it again. Transport
  /// errors are never retried here (upstream's layer returns them at once).
  asio::awaitable<Result<HttpClientResponse>> send(HttpClientRequest request);

  /// How many attempts went out beyond the first one, over this requester's life.
  int retries() const { return retries_; }

 private:
  HttpClient& http_;
  Clock& clock_;
  Random random_;
  GitLabRetryPolicy policy_;
  int retries_ = 0;
};

}  // namespace kexsim::executor

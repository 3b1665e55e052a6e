#include "executor/gitlab_requester.h"

#include <charconv>
#include <chrono>
#include <string>

#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using namespace std::chrono_literals;

// retry_requester.go: backOffMinDelay, backOffMaxDelay, backOffDelayFactor, backOffDelayJitter.
constexpr Duration kRequestBackoffMin = 100ms;
constexpr Duration kBackoffMax = 60s;
// ratelimit_requester.go: defaultRateLimitFallbackDelay, used when RateLimit-ResetTime does not parse.
constexpr Duration kRateLimitFallback = 1min;

bool retried_status(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return true;
    default: return status >= 512;
  }
}

// time.Until(reset) for a parsable RateLimit-ResetTime; nullopt when the header is absent or bad.
std::optional<Duration> until_reset(const HttpClientResponse& reply, TimePoint now, bool& malformed) {
  malformed = false;
  const std::string value = reply.header("RateLimit-ResetTime");
  if (value.empty()) return std::nullopt;
  TimePoint reset;
  if (!parse_rfc1123(value, reset)) {
    malformed = true;
    return std::nullopt;
  }
  return reset - now;
}

// parseRetryAfter: strconv.Atoi of the header, in seconds.
std::optional<Duration> retry_after(const HttpClientResponse& reply) {
  const std::string value = reply.header("Retry-After");
  int seconds = 0;
  const char* end = value.data() + value.size();
  if (value.empty() || std::from_chars(value.data(), end, seconds).ptr != end) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace

GitLabRetryPolicy::GitLabRetryPolicy(Profile profile) : profile_(profile) {}

std::optional<Duration> GitLabRetryPolicy::wait_after(const HttpClientResponse& reply, TimePoint now, Backoff& backoff,
                                                      Random& random) const {
  bool malformed = false;
  if (!gitlab_client_v18_3(profile_)) {
    // Only a 429 is rate limited, and only when it says until when; a past reset time sleeps 0.
    if (reply.status != 429) return std::nullopt;
    auto reset = until_reset(reply, now, malformed);
    if (malformed) return kRateLimitFallback;
    if (!reset) return std::nullopt;
    return std::max(*reset, Duration(0));
  }
  if (!retried_status(reply.status)) return std::nullopt;
  // calculateWaitTime: a positive reset time, else a positive Retry-After, else the back-off.
  if (auto reset = until_reset(reply, now, malformed); reset && *reset > Duration(0)) return *reset;
  if (auto after = retry_after(reply); after && *after > Duration(0)) return *after;
  return backoff.next(random);
}

GitLabRequester::GitLabRequester(HttpClient& http, Clock& clock, Random random, Profile profile)
    : http_(http), clock_(clock), random_(random), policy_(profile) {}

asio::awaitable<Result<HttpClientResponse>> GitLabRequester::send(HttpClientRequest request) {
  Backoff backoff(kRequestBackoffMin, kBackoffMax, 2.0, true);
  for (int attempt = 1;; ++attempt) {
    HttpClientRequest copy = request;
    auto reply = co_await http_.request(std::move(copy));
    if (!reply) co_return reply.error();
    const auto wait = policy_.wait_after(*reply, clock_.now(), backoff, random_);
    if (!wait) co_return reply;
    if (attempt >= policy_.max_attempts()) {
      if (!policy_.gives_up_with_error()) co_return reply;
      co_await clock_.sleep_for(*wait);  // 13.12 sleeps after the last rate-limited reply too
      co_return make_error("gave up due to rate limit");
    }
    ++retries_;
    co_await clock_.sleep_for(*wait);
  }
}

}  // namespace kexsim::executor

// GitLab Runner's HTTP retry layer per release (network/retry_requester.go in 19.4,
// network/ratelimit_requester.go in 13.12) and the jpillora/backoff schedule it uses.

#include "executor/gitlab_requester.h"

#include <chrono>

#include <gtest/gtest.h>

#include "executor/backoff.h"

namespace kexsim::executor {
namespace {

using namespace std::chrono_literals;

HttpClientResponse reply(int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpClientResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TimePoint at(const char* rfc3339) {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339(rfc3339, t));
  return t;
}

struct Fixture {
  Backoff backoff{100ms, 60s, 2.0, true};
  Random random{42};
};

TEST(GitLabRetryPolicy, V19RetriesTheTransientStatusesOnly) {
  GitLabRetryPolicy policy(Profile::kV19_4);
  for (int status : {408, 429, 500, 502, 503, 504, 512, 599}) {
    Fixture f;
    EXPECT_TRUE(policy.wait_after(reply(status), TimePoint{}, f.backoff, f.random)) << status;
  }
  for (int status : {200, 201, 202, 204, 400, 401, 403, 404, 409, 412, 416, 501, 505, 511}) {
    Fixture f;
    EXPECT_FALSE(policy.wait_after(reply(status), TimePoint{}, f.backoff, f.random)) << status;
  }
  EXPECT_EQ(policy.max_attempts(), 5);
  EXPECT_FALSE(policy.gives_up_with_error());
}

TEST(GitLabRetryPolicy, V19WaitsForTheResetTimeThenRetryAfterThenTheBackoff) {
  GitLabRetryPolicy policy(Profile::kV19_4);
  const TimePoint now = at("2015-10-21T07:27:50Z");
  Fixture f;
  auto both = reply(429, {{"RateLimit-ResetTime", "Wed, 21 Oct 2015 07:28:00 GMT"}, {"Retry-After", "3"}});
  EXPECT_EQ(policy.wait_after(both, now, f.backoff, f.random), Duration(10s));
  // A reset time in the past or one that does not parse falls through to Retry-After.
  auto past = reply(503, {{"RateLimit-ResetTime", "Wed, 21 Oct 2015 07:27:00 GMT"}, {"Retry-After", "3"}});
  EXPECT_EQ(policy.wait_after(past, now, f.backoff, f.random), Duration(3s));
  auto garbled = reply(503, {{"RateLimit-ResetTime", "soon"}, {"Retry-After", "7"}});
  EXPECT_EQ(policy.wait_after(garbled, now, f.backoff, f.random), Duration(7s));
  // Neither: the jittered back-off, whose first step is exactly the minimum.
  EXPECT_EQ(policy.wait_after(reply(502, {{"Retry-After", "x"}}), now, f.backoff, f.random), Duration(100ms));
}

TEST(GitLabRetryPolicy, V13RetriesOnlyARateLimitThatSaysUntilWhen) {
  GitLabRetryPolicy policy(Profile::kV13_12);
  const TimePoint now = at("2015-10-21T07:27:50Z");
  Fixture f;
  EXPECT_FALSE(policy.wait_after(reply(503, {{"Retry-After", "3"}}), now, f.backoff, f.random));
  EXPECT_FALSE(policy.wait_after(reply(429, {{"Retry-After", "3"}}), now, f.backoff, f.random));
  EXPECT_EQ(policy.wait_after(reply(429, {{"RateLimit-ResetTime", "Wed, 21 Oct 2015 07:28:00 GMT"}}), now, f.backoff,
                              f.random),
            Duration(10s));
  // defaultRateLimitFallbackDelay when the header does not parse; a past reset sleeps 0.
  EXPECT_EQ(policy.wait_after(reply(429, {{"RateLimit-ResetTime", "soon"}}), now, f.backoff, f.random), Duration(1min));
  EXPECT_EQ(policy.wait_after(reply(429, {{"RateLimit-ResetTime", "Wed, 21 Oct 2015 07:00:00 GMT"}}), now, f.backoff,
                              f.random),
            Duration(0));
  EXPECT_TRUE(policy.gives_up_with_error());
}

TEST(Backoff, DoublesFromTheMinimumAndStopsAtTheMaximum) {
  Backoff b(1s, 60min);
  Random r(1);
  EXPECT_EQ(b.next(r), Duration(1s));
  EXPECT_EQ(b.next(r), Duration(2s));
  EXPECT_EQ(b.next(r), Duration(4s));
  EXPECT_EQ(b.for_attempt(11), Duration(2048s));
  EXPECT_EQ(b.for_attempt(12), Duration(60min));
  EXPECT_EQ(b.for_attempt(400), Duration(60min));  // pow overflows to inf: still the maximum
}

TEST(Backoff, JitterStaysBetweenTheMinimumAndTheStep) {
  Backoff b(100ms, 60s, 2.0, true);
  Random r(7);
  EXPECT_EQ(b.next(r), Duration(100ms));  // attempt 0: min·2^0 - min is an empty range
  for (int attempt = 1; attempt < 12; ++attempt) {
    const Duration d = b.next(r);
    const Duration step = std::min<Duration>(Duration(100ms) * (1 << attempt), Duration(60s));
    EXPECT_GE(d, Duration(100ms)) << attempt;
    EXPECT_LE(d, step) << attempt;
  }
  // Same seed, same schedule.
  Backoff b1(100ms, 60s, 2.0, true), b2(100ms, 60s, 2.0, true);
  Random r1(9), r2(9);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(b1.next(r1), b2.next(r2));
}

}  // namespace
}  // namespace kexsim::executor

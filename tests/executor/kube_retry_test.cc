// GitLab Runner's Kubernetes request retry policy, per profile (executor/kube_retry.h).

#include <chrono>

#include <gtest/gtest.h>

#include "executor/kube_retry.h"

namespace kexsim::executor {
namespace {

using std::chrono::milliseconds;

TEST(KubeRetryPolicy, RetriesUpstreamNetworkErrorsBySubstring) {
  const KubeRetryPolicy p(Profile::kV19_4, {});
  EXPECT_TRUE(p.retryable("etcdserver: request timed out"));
  EXPECT_TRUE(
      p.retryable("Post \"https://10.0.0.1/api/v1/namespaces/ci/pods\": dial tcp 10.0.0.1:443: "
                  "connect: connection refused"));
  EXPECT_TRUE(p.retryable("read tcp 10.0.0.5:40000->10.0.0.1:443: read: connection reset by peer"));
  EXPECT_TRUE(p.retryable("unexpected EOF"));
  EXPECT_TRUE(p.retryable("net/http: TLS handshake timeout"));
  EXPECT_TRUE(p.retryable("write: broken pipe"));
  EXPECT_TRUE(p.retryable("remote error: tls: internal error"));
  EXPECT_TRUE(p.retryable("error dialing backend: dial tcp 10.0.0.9:10250: i/o timeout"));
  EXPECT_EQ(p.network_errors().size(), 14u);
}

TEST(KubeRetryPolicy, DoesNotRetryOtherErrors) {
  const KubeRetryPolicy p(Profile::kV19_4, {});
  EXPECT_FALSE(p.retryable("Timeout: request did not complete within requested timeout - context deadline exceeded"));
  EXPECT_FALSE(p.retryable("pods \"x\" is forbidden: User \"u\" cannot create resource \"pods\""));
  EXPECT_FALSE(p.retryable("Too many requests, please try again later."));
  EXPECT_FALSE(p.retryable("ETCDSERVER: REQUEST TIMED OUT"));  // case matters, as strings.Contains
  EXPECT_FALSE(p.should_retry(1, "admission webhook denied the request"));
}

TEST(KubeRetryPolicy, DefaultFiveTries) {
  const KubeRetryPolicy p(Profile::kV19_4, {});
  EXPECT_EQ(p.max_tries("etcdserver: request timed out"), 5);
  for (int tries = 1; tries < 5; ++tries) EXPECT_TRUE(p.should_retry(tries, "etcdserver: request timed out"));
  EXPECT_FALSE(p.should_retry(5, "etcdserver: request timed out"));
}

TEST(KubeRetryPolicy, RetryLimitSetsTries) {
  const KubeRetryPolicy p(Profile::kV19_4, {2, {}, 0});
  EXPECT_TRUE(p.should_retry(1, "connection refused"));
  EXPECT_FALSE(p.should_retry(2, "connection refused"));
  const KubeRetryPolicy zero(Profile::kV19_4, {0, {}, 0});
  EXPECT_EQ(zero.max_tries("connection refused"), 5);
}

TEST(KubeRetryPolicy, RetryLimitsOverrideAndExtendTheList) {
  const KubeRetryPolicy p(Profile::kV19_4, {5, {{"etcdserver: request timed out", 8}, {"Timeout: request", 3}}, 0});
  EXPECT_EQ(p.max_tries("etcdserver: request timed out"), 8);
  EXPECT_TRUE(p.should_retry(7, "etcdserver: request timed out"));
  EXPECT_FALSE(p.should_retry(8, "etcdserver: request timed out"));
  // A key outside the network list makes its errors retryable too.
  EXPECT_TRUE(p.retryable("Timeout: request did not complete within requested timeout - context deadline exceeded"));
  EXPECT_EQ(p.max_tries("Timeout: request did not complete within requested timeout"), 3);
  EXPECT_EQ(p.max_tries("connection refused"), 5);
}

TEST(KubeRetryPolicy, BackoffDoublesFrom500msUpTo2s) {
  const KubeRetryPolicy p(Profile::kV19_4, {});
  EXPECT_EQ(p.backoff(0), milliseconds(500));
  EXPECT_EQ(p.backoff(1), milliseconds(1000));
  EXPECT_EQ(p.backoff(2), milliseconds(2000));
  EXPECT_EQ(p.backoff(3), milliseconds(2000));
  EXPECT_EQ(p.backoff(40), milliseconds(2000));
}

TEST(KubeRetryPolicy, BackoffMaxIsConfigurableButNotBelowTheMinimum) {
  const KubeRetryPolicy wide(Profile::kV19_4, {0, {}, 5000});
  EXPECT_EQ(wide.backoff(3), milliseconds(4000));
  EXPECT_EQ(wide.backoff(4), milliseconds(5000));
  const KubeRetryPolicy narrow(Profile::kV19_4, {0, {}, 100});
  EXPECT_EQ(narrow.backoff(0), milliseconds(500));
  EXPECT_EQ(narrow.backoff(3), milliseconds(500));
}

TEST(KubeRetryPolicy, Profile1312DoesNotRetryRequests) {
  const KubeRetryPolicy p(Profile::kV13_12, {5, {{"etcdserver", 3}}, 0});
  EXPECT_FALSE(p.enabled());
  EXPECT_FALSE(p.retryable("etcdserver: request timed out"));
  EXPECT_FALSE(p.should_retry(1, "connection refused"));
  EXPECT_TRUE(p.network_errors().empty());
}

}  // namespace
}  // namespace kexsim::executor

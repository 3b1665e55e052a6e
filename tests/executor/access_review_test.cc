// The runner's SelfSubjectAccessReviews before its pod informer (feature.go IsResourceVerbAllowed) and the
// warning without it (kubernetes.go newPodWatcher).

#include "executor/access_review.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

using nlohmann::json;

Result<json> review_status(json status) { return json{{"kind", "SelfSubjectAccessReview"}, {"status", status}}; }

TEST(AccessReviewTest, TheRequestAsksForTheVerbOnCoreV1PodsInTheNamespace) {
  const json r = access_review_request("ci", "pods", "watch");
  EXPECT_EQ(r["kind"], "SelfSubjectAccessReview");
  EXPECT_EQ(r["apiVersion"], "authorization.k8s.io/v1");
  const json& a = r["spec"]["resourceAttributes"];
  EXPECT_EQ(a["namespace"], "ci");
  EXPECT_EQ(a["verb"], "watch");
  EXPECT_EQ(a["version"], "v1");
  EXPECT_EQ(a["resource"], "pods");
  EXPECT_FALSE(a.contains("group"));  // "" is omitted
}

TEST(AccessReviewTest, AllowedAndNotDeniedIsAllowed) {
  const AccessAnswer a = read_access_review(review_status({{"allowed", true}}), "pods", "list");
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.reason, "");
  EXPECT_FALSE(read_access_review(review_status({{"allowed", true}, {"denied", true}}), "pods", "list").allowed);
}

TEST(AccessReviewTest, ADenialNamesTheVerbAndTheServersReason) {
  EXPECT_EQ(read_access_review(review_status({{"allowed", false}}), "pods", "list").reason,
            "not allowed: list on pods");
  EXPECT_EQ(
      read_access_review(review_status({{"allowed", false}, {"reason", "no RBAC policy matched"}}), "pods", "watch")
          .reason,
      "not allowed: watch on pods (reason: no RBAC policy matched)");
}

TEST(AccessReviewTest, AnEvaluationErrorCountsAsADenial) {
  const AccessAnswer a =
      read_access_review(review_status({{"allowed", true}, {"evaluationError", "webhook down"}}), "pods", "list");
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.reason, "SelfSubjectAccessReview evaluation error: webhook down");
}

TEST(AccessReviewTest, AFailedCreationIsTheReason) {
  const Result<json> failed = make_error("the server could not find the requested resource");
  EXPECT_EQ(read_access_review(failed, "pods", "list").reason,
            "SelfSubjectAccessReview creation: the server could not find the requested resource");
}

TEST(AccessReviewTest, TheWarningQuotesTheReasonAsGoDoes) {
  EXPECT_EQ(informers_refused("not allowed: list on pods"),
            "won't use informers: \"not allowed: list on pods\", see: "
            "https://docs.gitlab.com/runner/executors/kubernetes/#informers");
  EXPECT_EQ(informers_refused("Post \"https://k8s/x\": EOF"),
            "won't use informers: \"Post \\\"https://k8s/x\\\": EOF\", see: "
            "https://docs.gitlab.com/runner/executors/kubernetes/#informers");
}

}  // namespace
}  // namespace kexsim::executor

#include "fakes/kube/pdb.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json pdb_pod(const std::string& name, bool ready, const std::string& phase = "Running") {
  return {{"metadata", {{"name", name}, {"namespace", "ci"}, {"labels", {{"job.runner.gitlab.com/pod", "p-1"}}}}},
          {"status", {{"phase", phase}, {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

json job_budget() {
  return {{"metadata", {{"name", "job-pdb"}, {"namespace", "ci"}}},
          {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{"job.runner.gitlab.com/pod", "p-1"}}}}}}}};
}

TEST(PodDisruptionBudget, StatusCountsHealthyPodsAgainstMinAvailable) {
  const json status =
      pdb_with_status(job_budget(), {pdb_pod("a", true), pdb_pod("b", true), pdb_pod("c", false)})["status"];
  EXPECT_EQ(status["expectedPods"], 3);
  EXPECT_EQ(status["currentHealthy"], 2);
  EXPECT_EQ(status["desiredHealthy"], 1);
  EXPECT_EQ(status["disruptionsAllowed"], 1);
}

TEST(PodDisruptionBudget, SelectorMatchesLabelsAndExpressions) {
  json pdb = job_budget();
  EXPECT_TRUE(pdb_selects(pdb, {{"job.runner.gitlab.com/pod", "p-1"}, {"x", "y"}}));
  EXPECT_FALSE(pdb_selects(pdb, {{"job.runner.gitlab.com/pod", "p-2"}}));
  pdb["spec"]["selector"] = {{"matchExpressions", {{{"key", "tier"}, {"operator", "In"}, {"values", {"ci"}}}}}};
  EXPECT_TRUE(pdb_selects(pdb, {{"tier", "ci"}}));
  EXPECT_FALSE(pdb_selects(pdb, {{"tier", "web"}}));
  pdb["spec"].erase("selector");
  EXPECT_FALSE(pdb_selects(pdb, {{"tier", "ci"}}));
}

TEST(PodDisruptionBudget, EvictionOfTheOnlyHealthyPodIsRefusedWith429) {
  const json running = pdb_pod("a", true);
  const json pdb = pdb_with_status(job_budget(), {running});
  const auto refused = eviction_refusal(running, {pdb});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, 429);
  EXPECT_EQ(refused->body["reason"], "TooManyRequests");
  EXPECT_EQ(refused->body["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(refused->body["details"]["causes"][0]["reason"], "DisruptionBudget");
  EXPECT_EQ(refused->body["details"]["causes"][0]["message"],
            "The disruption budget job-pdb needs 1 healthy pods and has 1 currently");
  EXPECT_FALSE(refused->body["details"].contains("retryAfterSeconds"));
}

TEST(PodDisruptionBudget, EvictionGoesOnWhenTheBudgetAllowsOrThePodIsDone) {
  const json a = pdb_pod("a", true), b = pdb_pod("b", true);
  EXPECT_FALSE(eviction_refusal(a, {pdb_with_status(job_budget(), {a, b})}).has_value());
  const json done = pdb_pod("a", false, "Succeeded");
  EXPECT_FALSE(eviction_refusal(done, {pdb_with_status(job_budget(), {done})}).has_value());
  EXPECT_FALSE(eviction_refusal(a, {}).has_value());
}

TEST(PodDisruptionBudget, TwoBudgetsOverOnePodAreAnInternalError) {
  const json a = pdb_pod("a", true);
  const json pdb = pdb_with_status(job_budget(), {a});
  const auto refused = eviction_refusal(a, {pdb, pdb});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, 500);
  EXPECT_EQ(refused->body["message"],
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
}

}  // namespace
}  // namespace kexsim::fakes

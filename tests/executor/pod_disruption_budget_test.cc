#include "executor/pod_disruption_budget.h"

#include <gtest/gtest.h>

namespace kexsim {
namespace {

using nlohmann::json;

TEST(PodDisruptionBudget, MinAvailableOneOverThePodsOwnLabelOwnedByThePod) {
  const json pod = {{"metadata",
                     {{"name", "runner-abc-project-2-concurrent-0-xyz"},
                      {"namespace", "ci"},
                      {"uid", "u-1"},
                      {"labels", {{"job.runner.gitlab.com/pod", "runner-abc-project-2-concurrent-0"}}}}}};
  const json pdb = pod_disruption_budget_for(pod);
  EXPECT_EQ(pdb["apiVersion"], "policy/v1");
  EXPECT_EQ(pdb["kind"], "PodDisruptionBudget");
  EXPECT_EQ(pdb["metadata"]["name"], "runner-abc-project-2-concurrent-0-xyz-pdb");
  EXPECT_EQ(pdb["metadata"]["namespace"], "ci");
  EXPECT_EQ(pdb["metadata"]["ownerReferences"][0]["kind"], "Pod");
  EXPECT_EQ(pdb["metadata"]["ownerReferences"][0]["uid"], "u-1");
  EXPECT_EQ(pdb["spec"]["minAvailable"], 1);
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"]["job.runner.gitlab.com/pod"], "runner-abc-project-2-concurrent-0");
}

}  // namespace
}  // namespace kexsim

// node_tolerations as the pod's tolerations (19.4 getPodTolerations, 13.12 GetNodeTolerations).

#include "executor/pod_tolerations.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

using nlohmann::json;

TEST(PodTolerationsTest, KeyValueIsEqualAndKeyAloneIsExists) {
  const json t = pod_tolerations(Profile::kV19_4, {{"dedicated=ci", "NoSchedule"}, {"spot", ""}, {"", ""}});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], json({{"operator", "Exists"}}));  // "" = "": tolerates every taint
  EXPECT_EQ(t[1], json({{"key", "dedicated"}, {"operator", "Equal"}, {"value", "ci"}, {"effect", "NoSchedule"}}));
  EXPECT_EQ(t[2], json({{"key", "spot"}, {"operator", "Exists"}}));
}

TEST(PodTolerationsTest, A13_12ValueStopsAtASecondEqualsSign) {
  EXPECT_EQ(pod_tolerations(Profile::kV19_4, {{"k=a=b", "NoExecute"}})[0]["value"], "a=b");
  EXPECT_EQ(pod_tolerations(Profile::kV13_12, {{"k=a=b", "NoExecute"}})[0]["value"], "a");
}

TEST(PodTolerationsTest, NoneGiveAnEmptyList) { EXPECT_TRUE(pod_tolerations(Profile::kV19_4, {}).empty()); }

}  // namespace
}  // namespace kexsim::executor

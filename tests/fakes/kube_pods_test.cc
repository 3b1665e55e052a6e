// The node-side state of pods: IPs in creation order and volumes shared by a pod's execs.

#include "fakes/kube/pods.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

TEST(KubePods, IpsInCreationOrderWrappingAfter250) {
  PodResources pods;
  pods.admit("a");
  pods.admit("b");
  EXPECT_EQ(pods.ip("a"), "10.244.0.2");
  EXPECT_EQ(pods.ip("b"), "10.244.0.3");
  EXPECT_EQ(pods.ip("seeded"), "10.244.0.2");
  for (int i = 0; i < 248; ++i) pods.admit("p" + std::to_string(i));
  pods.admit("wrapped");
  EXPECT_EQ(pods.ip("wrapped"), "10.244.0.2");
}

TEST(KubePods, VolumesAreSharedUntilThePodGoes) {
  PodResources pods;
  pods.admit("a");
  const auto first = pods.volumes("a");
  ASSERT_TRUE(first);
  EXPECT_EQ(pods.volumes("a"), first);
  EXPECT_NE(pods.volumes("b"), first);
  pods.release("a");
  EXPECT_NE(pods.volumes("a"), first);
  EXPECT_EQ(pods.ip("a"), "10.244.0.2");
}

}  // namespace
}  // namespace kexsim::fakes

// GitLab Runner's job bookkeeping (commands/builds_helper.go): limit and request_concurrency
// slots, and the CI_CONCURRENT_ID / CI_CONCURRENT_PROJECT_ID numbers.

#include "executor/build_slots.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(BuildSlotsTest, LimitBoundsTheJobsOfOneRunner) {
  BuildSlots slots;
  EXPECT_TRUE(slots.acquire_build("a", 2));
  EXPECT_TRUE(slots.acquire_build("a", 2));
  EXPECT_FALSE(slots.acquire_build("a", 2));  // "runner limit met"
  EXPECT_TRUE(slots.acquire_build("b", 2));   // another runner has its own count
  slots.release_build("a");
  EXPECT_TRUE(slots.acquire_build("a", 2));
  EXPECT_EQ(slots.builds("a"), 2);
}

TEST(BuildSlotsTest, ZeroLimitMeansNoLimit) {
  BuildSlots slots;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(slots.acquire_build("a", 0));
  EXPECT_EQ(slots.builds("a"), 100);
}

TEST(BuildSlotsTest, RequestConcurrencyIsAtLeastOne) {
  BuildSlots slots;
  EXPECT_TRUE(slots.acquire_request("a", 0));
  EXPECT_FALSE(slots.acquire_request("a", 0));
  slots.release_request("a");
  EXPECT_TRUE(slots.acquire_request("a", 3));
  EXPECT_TRUE(slots.acquire_request("a", 3));
  EXPECT_TRUE(slots.acquire_request("a", 3));
  EXPECT_FALSE(slots.acquire_request("a", 3));
  EXPECT_EQ(slots.requests("a"), 3);
}

TEST(BuildSlotsTest, ReleasingMoreThanTakenDoesNotGoNegative) {
  BuildSlots slots;
  slots.release_build("a");
  slots.release_request("a");
  EXPECT_EQ(slots.builds("a"), 0);
  EXPECT_EQ(slots.requests("a"), 0);
}

TEST(BuildSlotsTest, IdsAreTheLowestFreePerRunnerAndPerProject) {
  BuildSlots slots;
  // Two jobs of project 2, then one of project 3: the project id counts per project.
  EXPECT_EQ(slots.add_build("a", 2, 1000).concurrent_id, 0);
  const ConcurrencyIds second = slots.add_build("a", 2, 1001);
  EXPECT_EQ(second.concurrent_id, 1);
  EXPECT_EQ(second.concurrent_project_id, 1);
  const ConcurrencyIds other_project = slots.add_build("a", 3, 1002);
  EXPECT_EQ(other_project.concurrent_id, 2);
  EXPECT_EQ(other_project.concurrent_project_id, 0);
  EXPECT_EQ(slots.running(), 3u);

  // The first job ends: its ids are the lowest free ones again.
  slots.remove_build(1000);
  const ConcurrencyIds reused = slots.add_build("a", 2, 1003);
  EXPECT_EQ(reused.concurrent_id, 0);
  EXPECT_EQ(reused.concurrent_project_id, 0);
  const ConcurrencyIds next = slots.add_build("a", 2, 1004);
  EXPECT_EQ(next.concurrent_id, 3);
  EXPECT_EQ(next.concurrent_project_id, 2);
}

TEST(BuildSlotsTest, AnotherRunnerTokenCountsFromZero) {
  BuildSlots slots;
  slots.add_build("a", 2, 1000);
  slots.add_build("a", 2, 1001);
  const ConcurrencyIds b = slots.add_build("b", 2, 1002);
  EXPECT_EQ(b.concurrent_id, 0);
  EXPECT_EQ(b.concurrent_project_id, 0);
}

TEST(BuildSlotsTest, RemovingAnUnknownJobChangesNothing) {
  BuildSlots slots;
  slots.add_build("a", 2, 1000);
  slots.remove_build(999);
  EXPECT_EQ(slots.running(), 1u);
  EXPECT_EQ(slots.add_build("a", 2, 1001).concurrent_id, 1);
}

}  // namespace
}  // namespace kexsim::executor

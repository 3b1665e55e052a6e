// The memory model: which process the OOM killer picks, main vs child, memory.oom.group, limits
// from quantities, and what a script sees when its program is killed.

#include "fakes/runtime/memory.h"

#include <gtest/gtest.h>

#include "fakes/kube/container_memory.h"
#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using runtime_testing::stream_text;
using runtime_testing::TestWorld;
using Verdict = OomVerdict::Kind;
using std::chrono::seconds;

constexpr uint64_t kMemMiB = 1024 * 1024;

TEST(MemoryCgroup, UnderTheLimitNothingDies) {
  MemoryCgroup cg(100 * kMemMiB, false);
  const int main = cg.start("sh", true);
  cg.grow(main, kMemMiB);
  const int child = cg.start("make");
  EXPECT_EQ(cg.grow(child, 99 * kMemMiB).kind, Verdict::kNone);  // exactly at the limit is allowed
  EXPECT_EQ(cg.usage(), 100 * kMemMiB);
  EXPECT_FALSE(cg.oom_killed());
  EXPECT_FALSE(cg.dead());
}

TEST(MemoryCgroup, NoLimitNeverKills) {
  MemoryCgroup cg(std::nullopt, true);
  EXPECT_EQ(cg.grow(cg.start("java"), 64 * 1024 * kMemMiB).kind, Verdict::kNone);
  EXPECT_FALSE(cg.dead());
}

TEST(MemoryCgroup, TheLargestChildIsKilledAndTheContainerGoesOn) {
  MemoryCgroup cg(100 * kMemMiB, false);
  cg.grow(cg.start("sh", true), kMemMiB);
  const int grower = cg.start("gradle");
  const OomVerdict v = cg.grow(grower, 150 * kMemMiB);
  EXPECT_EQ(v.kind, Verdict::kGrowerKilled);
  EXPECT_EQ(v.victim, "gradle");
  EXPECT_EQ(v.usage, 151 * kMemMiB);
  EXPECT_TRUE(cg.oom_killed());
  EXPECT_FALSE(cg.dead());
  EXPECT_EQ(cg.usage(), kMemMiB);  // the victim is uncharged
}

TEST(MemoryCgroup, ASmallGrowerCanTakeDownABiggerNeighbour) {
  MemoryCgroup cg(100 * kMemMiB, false);
  cg.grow(cg.start("sh", true), kMemMiB);
  cg.grow(cg.start("postgres"), 80 * kMemMiB);
  const int small = cg.start("cat");
  const OomVerdict v = cg.grow(small, 30 * kMemMiB);
  EXPECT_EQ(v.kind, Verdict::kOtherKilled);
  EXPECT_EQ(v.victim, "postgres");
  EXPECT_EQ(cg.usage(), 31 * kMemMiB);  // cat goes on
}

TEST(MemoryCgroup, TheMainProcessBeingLargestKillsTheContainer) {
  MemoryCgroup cg(100 * kMemMiB, false);
  const int main = cg.start("java", true);
  cg.grow(main, 90 * kMemMiB);
  const OomVerdict v = cg.grow(cg.start("sh"), 20 * kMemMiB);
  EXPECT_EQ(v.kind, Verdict::kContainerDied);
  EXPECT_EQ(v.victim, "java");
  EXPECT_TRUE(cg.dead());
  EXPECT_EQ(cg.usage(), 0u);
  // A dead container runs nothing more.
  EXPECT_EQ(cg.grow(cg.start("echo"), kMemMiB).kind, Verdict::kNone);
  EXPECT_EQ(cg.usage(), 0u);
}

TEST(MemoryCgroup, GroupKillTakesEveryProcess) {
  MemoryCgroup cg(100 * kMemMiB, true);
  cg.grow(cg.start("sh", true), kMemMiB);
  const OomVerdict v = cg.grow(cg.start("gradle"), 150 * kMemMiB);
  EXPECT_EQ(v.kind, Verdict::kContainerDied);
  EXPECT_EQ(v.victim, "gradle");
  EXPECT_TRUE(cg.dead());
}

TEST(OomPolicy, GroupKillFromCgroupV2AndKubelet128UnlessSingleProcess) {
  EXPECT_TRUE((OomPolicy{2, false, 28}).group_kill());
  EXPECT_TRUE((OomPolicy{2, false, 33}).group_kill());
  EXPECT_FALSE((OomPolicy{2, false, 27}).group_kill());
  EXPECT_FALSE((OomPolicy{1, false, 33}).group_kill());
  EXPECT_FALSE((OomPolicy{2, true, 33}).group_kill());
}

json pod_with_limit(const json& memory) {
  json c = {{"name", "build"}, {"image", "alpine"}};
  if (!memory.is_null()) c["resources"] = {{"limits", {{"memory", memory}}}};
  return {{"metadata", {{"uid", "u1"}}}, {"spec", {{"containers", {c, {{"name", "helper"}}}}}}};
}

TEST(ContainerMemoryLimit, FromKubernetesQuantities) {
  EXPECT_EQ(container_memory_limit(pod_with_limit("4Gi"), "build"), 4ull * 1024 * kMemMiB);
  EXPECT_EQ(container_memory_limit(pod_with_limit("4G"), "build"), 4000000000ull);
  EXPECT_EQ(container_memory_limit(pod_with_limit("1536Mi"), "build"), 1536 * kMemMiB);
  EXPECT_EQ(container_memory_limit(pod_with_limit("0.5Gi"), "build"), 512 * kMemMiB);
  EXPECT_EQ(container_memory_limit(pod_with_limit(1073741824), "build"), 1024 * kMemMiB);
  EXPECT_EQ(container_memory_limit(pod_with_limit("lots"), "build"), std::nullopt);
  EXPECT_EQ(container_memory_limit(pod_with_limit(nullptr), "build"), std::nullopt);
  EXPECT_EQ(container_memory_limit(pod_with_limit("4Gi"), "helper"), std::nullopt);
}

TEST(ContainerMemory, OneCgroupPerContainerWithItsMainProcess) {
  ContainerMemory memory;
  memory.set_policy({2, true, 33});
  const json pod = pod_with_limit("64Mi");
  auto build = memory.cgroup(pod, "build");
  EXPECT_EQ(build, memory.cgroup(pod, "build"));
  EXPECT_NE(build, memory.cgroup(pod, "helper"));
  EXPECT_EQ(build->limit(), 64 * kMemMiB);
  EXPECT_EQ(build->usage(), footprint::kShell);
  memory.release("u1");
  EXPECT_NE(build, memory.cgroup(pod, "build"));
}

class ScriptMemoryTest : public ::testing::Test {
 protected:
  ShellResult run(const std::string& script) {
    ShellOptions options;
    options.memory = cgroup;
    return interpret(script, options, world);
  }
  TestWorld world;
  std::shared_ptr<MemoryCgroup> cgroup;
};

TEST_F(ScriptMemoryTest, AKilledProgramGivesTheShell137AndTheScriptGoesOn) {
  cgroup = std::make_shared<MemoryCgroup>(100 * kMemMiB, false);
  cgroup->grow(cgroup->start("sh", true), kMemMiB);
  CommandSpec hog;
  hog.stdout_text = "compiling\n";
  hog.duration = seconds(30);
  hog.memory_bytes = 196 * kMemMiB;
  world.commands["hog"] = hog;
  const ShellResult r = run("hog; echo \"status $?\"\n");
  EXPECT_EQ(stream_text(r, 1), "compiling\nstatus 137\n");
  EXPECT_EQ(r.exit_code, 0);
  // It grew evenly and crossed the 98MiB left for it half way through.
  EXPECT_EQ(r.duration, seconds(15));
  EXPECT_FALSE(cgroup->dead());
  EXPECT_EQ(cgroup->usage(), kMemMiB);  // the exec's shell is gone too
}

TEST_F(ScriptMemoryTest, AGroupKillEndsTheWholeExecWithNoTrap) {
  cgroup = std::make_shared<MemoryCgroup>(100 * kMemMiB, true);
  cgroup->grow(cgroup->start("sh", true), kMemMiB);
  CommandSpec hog;
  hog.memory_bytes = 200 * kMemMiB;
  world.commands["hog"] = hog;
  const ShellResult r = run("trap 'echo trapped' EXIT\nfor i in 1 2; do hog; echo \"after $i\"; done\necho end\n");
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(stream_text(r, 1), "");
  EXPECT_TRUE(cgroup->dead());
}

TEST_F(ScriptMemoryTest, WithoutACgroupNothingIsCounted) {
  CommandSpec hog;
  hog.memory_bytes = 200 * kMemMiB;
  world.commands["hog"] = hog;
  EXPECT_EQ(run("hog\n").exit_code, 0);
}

}  // namespace
}  // namespace kexsim::fakes

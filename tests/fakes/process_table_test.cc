// A container's process table: what /proc shows the attach kill script, and what its kill ends.

#include "fakes/runtime/process_table.h"

#include <gtest/gtest.h>

namespace kexsim::fakes::shell {
namespace {

using std::chrono::seconds;

TimePoint t(int s) { return TimePoint{} + seconds(s); }

TEST(ProcessTable, SpawnsWithParentsAndListsLiveProcessesOnly) {
  // Given the attached shell, the stage's subshell and the stage script's bash under it,
  ProcessTable table;
  const int shell = table.spawn(0, {"sh", "-c", "detect"}, t(0));
  const int sub = table.spawn(shell, {"sh", "-c", "sub"}, t(1));
  const int stage = table.spawn(sub, {"/bin/bash", "/scripts-1-2/step_script"}, t(1));
  EXPECT_EQ(shell, 1);
  EXPECT_EQ(stage, 3);
  EXPECT_EQ(table.pids(t(0)), std::vector<int>({1}));
  EXPECT_EQ(table.pids(t(2)), std::vector<int>({1, 2, 3}));
  EXPECT_EQ(table.children(sub, t(2)), std::vector<int>({stage}));
  // then an ended process leaves /proc and its parent's children.
  table.exit(stage, 0, t(5));
  EXPECT_EQ(table.pids(t(5)), std::vector<int>({1, 2}));
  EXPECT_TRUE(table.children(sub, t(5)).empty());
  EXPECT_EQ(table.find(stage)->exit_status, 0);
}

TEST(ProcessTable, ProcFilesReadAsTheKernelWritesThem) {
  ProcessTable table;
  const int sub = table.spawn(0, {"sh", "-c", "x"}, t(0));
  const int a = table.spawn(sub, {"/bin/bash", "/scripts/step_script"}, t(0));
  const int b = table.spawn(sub, {"sleep", "60"}, t(0));
  // cmdline: each argument NUL-terminated (cat -A shows each NUL as ^@).
  EXPECT_EQ(table.read("/proc/2/cmdline", t(1)), std::string("/bin/bash\0/scripts/step_script\0", 31));
  EXPECT_EQ(table.read("/proc/1/task/1/children", t(1)), std::to_string(a) + " " + std::to_string(b) + " ");
  EXPECT_EQ(table.read("/proc/2/task/2/children", t(1)), "");
  // No file: another task's name, an unknown file, a dead or unborn process, a path outside /proc.
  EXPECT_FALSE(table.read("/proc/1/task/2/children", t(1)));
  EXPECT_FALSE(table.read("/proc/1/status", t(1)));
  EXPECT_FALSE(table.read("/proc/9/cmdline", t(1)));
  EXPECT_FALSE(table.read("/proc/x/cmdline", t(1)));
  EXPECT_FALSE(table.read("/etc/hosts", t(1)));
}

TEST(ProcessTable, KillEndsTheProcessAtItsTimeWithTheSignalsStatus) {
  ProcessTable table;
  const int sub = table.spawn(0, {"sh"}, t(0));
  const int plain = table.spawn(sub, {"sleep", "60"}, t(0));
  const int trapping = table.spawn(sub, {"/bin/bash", "/scripts/step_script"}, t(0));
  // shells/bash.go (19.3+) bashExitOnScriptTerminationSignal: trap 'exit 1' TERM.
  table.trap(trapping, kSigTerm, 1);
  EXPECT_TRUE(table.kill(plain, kSigTerm, t(10)));
  EXPECT_TRUE(table.kill(trapping, kSigTerm, t(10)));
  EXPECT_EQ(table.find(plain)->exit_status, 143);  // bash: 128 + SIGTERM
  EXPECT_EQ(table.find(trapping)->exit_status, 1);
  EXPECT_TRUE(table.alive(plain, t(9)));
  EXPECT_FALSE(table.alive(plain, t(10)));
  // A later exit does not rewrite the kill; killing the dead is ESRCH; the parent lives on.
  table.exit(plain, 0, t(60));
  EXPECT_EQ(table.find(plain)->exit_status, 143);
  EXPECT_FALSE(table.kill(plain, kSigTerm, t(11)));
  EXPECT_TRUE(table.alive(sub, t(11)));
  // SIGKILL ignores traps.
  const int other = table.spawn(sub, {"bash"}, t(12));
  table.trap(other, kSigKill, 1);
  EXPECT_TRUE(table.kill(other, kSigKill, t(13)));
  EXPECT_EQ(table.find(other)->exit_status, 137);
}

TEST(ProcessTable, CutDropsEverythingWrittenAfterTheKill) {
  ShellResult result;
  result.output = {{seconds(1), 1, "before\n"}, {seconds(5), 1, "at\n"}, {seconds(9), 1, "after\n"}};
  result.appends = {{seconds(1), "/logs/output.log", "before\n"}, {seconds(9), "/logs/output.log", "after\n"}};
  result.duration = seconds(20);
  cut_result_at(result, seconds(5), 143);
  ASSERT_EQ(result.output.size(), 2u);
  EXPECT_EQ(result.output.back().data, "at\n");
  ASSERT_EQ(result.appends.size(), 1u);
  EXPECT_EQ(result.appends[0].data, "before\n");
  EXPECT_EQ(result.duration, seconds(5));
  EXPECT_EQ(result.exit_code, 143);
  // A process that had ended before the kill keeps its result.
  cut_result_at(result, seconds(8), 137);
  EXPECT_EQ(result.exit_code, 143);
  EXPECT_EQ(result.duration, seconds(5));
}

}  // namespace
}  // namespace kexsim::fakes::shell

// The runner process's log lines, as log/runner_formatter.go prints them without colours.

#include "executor/runner_log.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(RunnerLogTest, InfoLinesPadTheMessageToFiftyColumnsThenSortTheFields) {
  EXPECT_EQ(format_runner_log_line(LogLevel::kInfo, "Checking for jobs... received",
                                   {{"runner", "8xYzAbCdE"}, {"job", "1000"}, {"repo_url", "https://x/y.git"}}),
            "Checking for jobs... received                       job=1000 repo_url=https://x/y.git runner=8xYzAbCdE");
}

TEST(RunnerLogTest, ThePrefixCountsTowardsTheFiftyColumns) {
  const std::string line = format_runner_log_line(LogLevel::kWarning, "Checking for jobs... failed", {{"a", "b"}});
  EXPECT_EQ(line, "WARNING: Checking for jobs... failed                a=b");
  EXPECT_EQ(line.find(" a=b"), 51u);  // 50 columns, the formatter's space, then " key=value"
  EXPECT_EQ(format_runner_log_line(LogLevel::kError, "x", {{"k", "v"}}).substr(0, 9), "ERROR: x ");
}

TEST(RunnerLogTest, ALongMessageIsNotCutAndALineWithoutFieldsHasNoTrailingBlanks) {
  const std::string message(60, 'm');
  EXPECT_EQ(format_runner_log_line(LogLevel::kInfo, message, {{"k", "v"}}), message + "  k=v");
  EXPECT_EQ(format_runner_log_line(LogLevel::kError, "Runner x is not healthy and will be disabled!", {}),
            "ERROR: Runner x is not healthy and will be disabled!");
}

TEST(RunnerLogTest, DebugLinesAreDroppedAtTheDefaultLevel) {
  RunnerLog log;
  log.log(LogLevel::kDebug, "Checking for jobs... no content");
  log.log(LogLevel::kInfo, "Job succeeded");
  log.append("WARNING: Submitting job to coordinator... job failed");
  ASSERT_EQ(log.lines().size(), 2u);
  EXPECT_EQ(log.lines()[0], "Job succeeded");
  EXPECT_EQ(log.lines()[1], "WARNING: Submitting job to coordinator... job failed");
}

}  // namespace
}  // namespace kexsim::executor

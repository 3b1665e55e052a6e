// The exec error channel's Status as client-go's remotecommand reads it, including answers a
// faulty server may send (no details, non-object causes, a non-numeric exit code): never a throw.

#include "executor/kube_client.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(ExecExitCodeTest, SuccessAndSilenceAreZero) {
  EXPECT_EQ(*exec_exit_code(""), 0);
  EXPECT_EQ(*exec_exit_code(R"({"metadata":{},"status":"Success"})"), 0);
}

TEST(ExecExitCodeTest, NonZeroExitCodeReadsTheExitCodeCause) {
  auto code = exec_exit_code(
      R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}})");
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 42);
}

TEST(ExecExitCodeTest, MalformedStatusesAreErrorsNotCrashes) {
  EXPECT_EQ(exec_exit_code("[1,2]").error().message, "error stream protocol error: invalid status");
  EXPECT_EQ(exec_exit_code(R"({"reason":"NonZeroExitCode"})").error().message,
            "error stream protocol error: no ExitCode cause");
  EXPECT_EQ(exec_exit_code(R"({"reason":"NonZeroExitCode","details":"x"})").error().message,
            "error stream protocol error: no ExitCode cause");
  const std::string bad_code =
      R"({"reason":"NonZeroExitCode","details":{"causes":[7,{"reason":"ExitCode","message":"x"}]}})";
  EXPECT_EQ(exec_exit_code(bad_code).error().message, "error stream protocol error: invalid exit code value");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure","message":"container not found"})").error().message,
            "container not found");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure"})").error().message, "command failed");
}

}  // namespace
}  // namespace kexsim::executor

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
  // client-go tools/remotecommand/v4.go errorDecoderV4.decode's messages.
  EXPECT_EQ(exec_exit_code("[1,2]").error().message,
            "error stream protocol error: json: cannot unmarshal array into Go value of type v1.Status in \"[1,2]\"");
  EXPECT_EQ(exec_exit_code("oops").error().message,
            "error stream protocol error: invalid character 'o' looking for beginning of value in \"oops\"");
  EXPECT_EQ(exec_exit_code(R"({"status":"Fail)").error().message,
            "error stream protocol error: unexpected end of JSON input in \"{\\\"status\\\":\\\"Fail\"");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure","reason":"NonZeroExitCode"})").error().message,
            "error stream protocol error: details must be set");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure","reason":"NonZeroExitCode","details":{}})").error().message,
            "error stream protocol error: no ExitCode cause given");
  const std::string bad_code =
      R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[7,{"reason":"ExitCode","message":"x"}]}})";
  EXPECT_EQ(exec_exit_code(bad_code).error().message, "error stream protocol error: invalid exit code value \"x\"");
  // ParseUint(c.Message, 10, 8): 256 is out of range.
  const std::string big =
      R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"256"}]}})";
  EXPECT_EQ(exec_exit_code(big).error().message, "error stream protocol error: invalid exit code value \"256\"");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure","message":"container not found"})").error().message,
            "container not found");
  EXPECT_EQ(exec_exit_code(R"({"status":"Failure"})").error().message, "");  // errors.New(status.Message)
  // A Status that is neither Success nor Failure, such as {}, is the decoder's default case.
  EXPECT_EQ(exec_exit_code("{}").error().message, "error stream protocol error: unknown error");
  EXPECT_EQ(exec_exit_code(R"({"reason":"NonZeroExitCode"})").error().message,
            "error stream protocol error: unknown error");
}

TEST(ExecExitCodeTest, AnEmptyErrorStreamIsSuccessForEveryPinnedClientGo) {
  // B9: watchErrorStream sends nil when the stream ends without a message, in every client-go from the
  // 2019 snapshot 13.12 pins to v0.36.3 (19.3+): a dropped exec stream passes the stage.
  auto code = exec_exit_code("");
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace kexsim::executor

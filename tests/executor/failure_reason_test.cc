// Failure reasons: the API spelling, negotiation with what a GitLab understands, and image pull
// classification.

#include "executor/failure_reason.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(FailureReasons, NegotiationPerReferenceRules) {
  const std::vector<std::string> modern = {"script_failure", "runner_system_failure", "image_pull_failure",
                                           "runner_configuration_error"};
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kImagePullFailure, modern), "image_pull_failure");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kJobExecutionTimeout, {}), "job_execution_timeout");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kImagePullFailure, {}), "runner_system_failure");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kRunnerExternalDependencyFailure, {}), "runner_system_failure");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kRunnerConfigurationError, {}), "script_failure");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kJobCanceled, {}), "unknown_failure");
  EXPECT_EQ(negotiate_failure_reason(FailureReason::kRunnerInterrupted, {"runner_interrupted"}), "runner_interrupted");
}

TEST(FailureReasons, ImagePullClassification) {
  EXPECT_EQ(classify_image_pull_failure("rpc error: code = Unknown desc = 401 Unauthorized"),
            FailureReason::kRunnerConfigurationError);
  EXPECT_EQ(classify_image_pull_failure("manifest unknown"), FailureReason::kRunnerConfigurationError);
  EXPECT_EQ(classify_image_pull_failure("dial tcp 10.0.0.1:443: i/o timeout"),
            FailureReason::kRunnerExternalDependencyFailure);
  EXPECT_EQ(classify_image_pull_failure("Back-off pulling image \"x\""), FailureReason::kImagePullFailure);
}

TEST(FailureReasons, EveryReasonHasItsApiSpelling) {
  EXPECT_EQ(to_string(FailureReason::kScriptFailure), "script_failure");
  EXPECT_EQ(to_string(FailureReason::kRunnerSystemFailure), "runner_system_failure");
  EXPECT_EQ(to_string(FailureReason::kJobExecutionTimeout), "job_execution_timeout");
  EXPECT_EQ(to_string(FailureReason::kImagePullFailure), "image_pull_failure");
  EXPECT_EQ(to_string(FailureReason::kUnknownFailure), "unknown_failure");
  EXPECT_EQ(to_string(FailureReason::kRunnerConfigurationError), "runner_configuration_error");
  EXPECT_EQ(to_string(FailureReason::kRunnerExternalDependencyFailure), "runner_external_dependency_failure");
  EXPECT_EQ(to_string(FailureReason::kRunnerInterrupted), "runner_interrupted");
  EXPECT_EQ(to_string(FailureReason::kJobCanceled), "job_canceled");
}

}  // namespace
}  // namespace kexsim::executor

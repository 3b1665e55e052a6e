#include "executor/messages.h"

#include <gtest/gtest.h>

namespace kexsim::executor::messages {
namespace {

TEST(Messages, HeaderPerProfile) {
  EXPECT_EQ(header_running_with(Profile::kV13_12), "Running with gitlab-runner 13.12.0 (7a6612da)");
  EXPECT_EQ(header_running_with(Profile::kV19_4), "Running with gitlab-runner 19.4.0 (4d1a0ea3)");
  EXPECT_EQ(header_on(Profile::kV13_12, "myrunners3", "ngzTY4eh", "r_x"), "  on myrunners3 ngzTY4eh");
  EXPECT_EQ(header_on(Profile::kV19_4, "k8s-runner", "aaacccbb1", "r_0123456789ab"),
            "  on k8s-runner aaacccbb1, system ID: r_0123456789ab");
  EXPECT_EQ(header_feature_flags("FF_TIMESTAMPS:false, FF_PRINT_POD_EVENTS:true"),
            "  feature flags: FF_TIMESTAMPS:false, FF_PRINT_POD_EVENTS:true");
  EXPECT_EQ(feature_flag_errors({"FF_A: could not parse feature flag, expected bool, got x",
                                 "FF_B: could not parse feature flag, expected bool, got y"}),
            "FF_A: could not parse feature flag, expected bool, got x\n"
            "FF_B: could not parse feature flag, expected bool, got y");
}

TEST(Messages, PrepareExecutorLines) {
  EXPECT_EQ(preparing_executor(), "Preparing the \"kubernetes\" executor");
  EXPECT_EQ(using_namespace("cicd"), "Using Kubernetes namespace: cicd");
  EXPECT_EQ(using_image("ruby:2.7.2"), "Using Kubernetes executor with image ruby:2.7.2 ...");
  EXPECT_EQ(using_pull_policy({}, "build"), "Using effective pull policy of [] for container build");
  EXPECT_EQ(using_pull_policy({"always", "never"}, "helper"),
            "Using effective pull policy of [always never] for container helper");
  EXPECT_EQ(active_deadline_notice(3600),
            "Using FF_USE_POD_ACTIVE_DEADLINE_SECONDS, the Pod activeDeadlineSeconds will be set "
            "to the job timeout: 1h0m0s...");
}

TEST(Messages, WaitingForPodPerProfile) {
  EXPECT_EQ(waiting_for_pod(Profile::kV13_12, "cicd", "runner-lbxmycry-project-2-concurrent-07cfcd", "", "Pending"),
            "Waiting for pod cicd/runner-lbxmycry-project-2-concurrent-07cfcd to be running, "
            "status is Pending");
  EXPECT_EQ(waiting_for_pod(Profile::kV19_4, "ns", "pod", "", "Pending"),
            "Waiting for pod ns/pod to be running on the node <unknown>, status is Pending");
  EXPECT_EQ(waiting_for_pod(Profile::kV19_4, "ns", "pod", "node-1", "Pending"),
            "Waiting for pod ns/pod to be running on the node node-1, status is Pending");
  EXPECT_EQ(pod_condition("ContainersNotReady", "containers with unready status: [build helper]"),
            "\tContainersNotReady: \"containers with unready status: [build helper]\"");
}

TEST(Messages, GoQuoteEscapesLikeGo) {
  EXPECT_EQ(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(go_quote("tab\there\nnl"), "\"tab\\there\\nnl\"");
  EXPECT_EQ(go_quote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(go_quote("bad\xff"), "\"bad\\xff\"");
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");
}

TEST(Messages, GoDuration) {
  EXPECT_EQ(go_duration(7200), "2h0m0s");
  EXPECT_EQ(go_duration(3661), "1h1m1s");
  EXPECT_EQ(go_duration(300), "5m0s");
  EXPECT_EQ(go_duration(30), "30s");
  EXPECT_EQ(go_duration(0), "0s");
  EXPECT_EQ(go_duration(-90), "-1m30s");
  EXPECT_EQ(go_duration(INT64_MIN), "-2562047788015215h30m8s");
  EXPECT_EQ(execution_took_longer(3600), "execution took longer than 1h0m0s seconds");
}

TEST(Messages, GoDurationPrecise) {
  using std::chrono::microseconds;
  EXPECT_EQ(go_duration_precise(std::chrono::seconds(5)), "5s");
  EXPECT_EQ(go_duration_precise(microseconds(6283749)), "6.283749s");
  EXPECT_EQ(go_duration_precise(microseconds(62500000)), "1m2.5s");
  EXPECT_EQ(go_duration_precise(std::chrono::minutes(5)), "5m0s");
  EXPECT_EQ(go_duration_precise(std::chrono::hours(1)), "1h0m0s");
  EXPECT_EQ(go_duration_precise(microseconds(750000)), "750ms");
  EXPECT_EQ(go_duration_precise(microseconds(1500)), "1.5ms");
  EXPECT_EQ(go_duration_precise(microseconds(7)), "7\u00b5s");
  EXPECT_EQ(go_duration_precise(microseconds(-2500000)), "-2.5s");
  EXPECT_EQ(go_duration_precise(microseconds(0)), "0s");
  EXPECT_EQ(go_duration_precise(microseconds(INT64_MIN)).front(), '-');
  EXPECT_EQ(retrying_in(std::chrono::seconds(5)), "Retrying in 5s");
}

TEST(Messages, TimeoutErrorChainPerProfile) {
  EXPECT_EQ(job_failed(true, prepare_environment_error(Profile::kV19_4, waiting_for_pod_running(timed_out_waiting(
                                                                            Profile::kV19_4, "Pending")))),
            "Job failed (system failure): prepare environment: waiting for pod running: timed out "
            "waiting for pod to start (last phase: Pending). Check "
            "https://docs.gitlab.com/runner/shells/#shell-profile-loading for more information");
  EXPECT_EQ(prepare_environment_error(Profile::kV13_12,
                                      waiting_for_pod_running(timed_out_waiting(Profile::kV13_12, "Pending"))),
            "prepare environment: waiting for pod running: timed out waiting for pod to start. Check "
            "https://docs.gitlab.com/runner/shells/index.html#shell-profile-loading for more "
            "information");
  EXPECT_EQ(timed_out_waiting(Profile::kV19_4, ""), "timed out waiting for pod to start (last phase: Unknown)");
}

TEST(Messages, SecretsForbiddenFieldLineIn1312) {
  const std::string forbidden =
      "secrets is forbidden: User \"system:serviceaccount:cicd:default\" cannot create resource "
      "\"secrets\" in API group \"\" in the namespace \"cicd\"";
  EXPECT_EQ(job_failed(
                true, prepare_environment_error(Profile::kV13_12, setting_up_credentials(Profile::kV13_12, forbidden))),
            "Job failed (system failure): prepare environment: " + forbidden +
                ". Check https://docs.gitlab.com/runner/shells/index.html#shell-profile-loading for "
                "more information");
  EXPECT_EQ(setting_up_credentials(Profile::kV19_4, forbidden), "setting up credentials: " + forbidden);
  EXPECT_EQ(setting_up_build_pod(Profile::kV19_4, "x"), "setting up build pod: x");
  EXPECT_EQ(setting_up_build_pod(Profile::kV13_12, "x"), "x");
}

TEST(Messages, StageTitlesAndEndLines) {
  EXPECT_EQ(cleanup_stage_title(Profile::kV13_12), "Cleaning up file based variables");
  EXPECT_EQ(cleanup_stage_title(Profile::kV19_4), "Cleaning up project directory and file based variables");
  EXPECT_EQ(executing_step_script(), "Executing \"step_script\" stage of the job script");
  EXPECT_EQ(job_failed(false, command_terminated(1)), "Job failed: command terminated with exit code 1");
  EXPECT_EQ(job_succeeded(), "Job succeeded");
  EXPECT_EQ(error_cleaning_up_pod("context deadline exceeded"), "Error cleaning up pod: context deadline exceeded");
  EXPECT_EQ(error_in_container("build", 137, "OOMKilled"),
            "Error in container build: exit code: 137, reason: 'OOMKilled'");
  EXPECT_EQ(pod_phase_error("runner-x", "Failed"), "pod \"runner-x\" status is \"Failed\"");
  EXPECT_EQ(unable_to_upgrade("container not found (\"helper\")"),
            "unable to upgrade connection: container not found (\"helper\")");
  EXPECT_EQ(checking_out(Profile::kV13_12, "87f5240dabcdef", "master"), "Checking out 87f5240d as master...");
  EXPECT_EQ(checking_out(Profile::kV19_4, "03af6fc71345", "main"),
            "Checking out 03af6fc7 as detached HEAD (ref is main)...");
  EXPECT_EQ(running_on("pod-1", "host-a"), "Running on pod-1 via host-a...");
}

}  // namespace
}  // namespace kexsim::executor::messages

namespace kexsim::executor {
namespace {

TEST(Profile, ParsesBothNamesAndRejectsOthers) {
  EXPECT_EQ(parse_profile("19.4").value(), Profile::kV19_4);
  EXPECT_EQ(parse_profile("13.12").value(), Profile::kV13_12);
  EXPECT_EQ(parse_profile("13.12.0").value(), Profile::kV13_12);
  auto bad = parse_profile("15.0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "unknown runner profile \"15.0\"");
  EXPECT_EQ(runner_version(Profile::kV13_12), "13.12.0");
  EXPECT_EQ(runner_revision(Profile::kV13_12), "7a6612da");
  EXPECT_EQ(profile_name(Profile::kV19_4), "19.4");
}

}  // namespace
}  // namespace kexsim::executor

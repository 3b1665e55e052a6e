// The release predicates at their boundaries, the offered profiles, and the per-release flag registries.

#include "executor/release_features.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "executor/messages.h"
#include "executor/profile.h"

namespace kexsim::executor {
namespace {

// The release just before p: 14.0 -> 13.99 (there is no 13.99, but every 13.x is before 14.0).
Profile previous(Profile p) { return p.minor() > 0 ? Profile(p.major(), p.minor() - 1) : Profile(p.major() - 1, 99); }

TEST(ReleaseFeatures, EveryPredicateStartsAtItsRelease) {
  ASSERT_GE(release_features().size(), 60u);
  for (const auto& f : release_features()) {
    SCOPED_TRACE(std::string(f.name) + " since " + profile_name(f.since));
    EXPECT_TRUE(f.has(f.since));
    EXPECT_FALSE(f.has(previous(f.since)));
    EXPECT_FALSE(f.has(Profile::kV13_12));
  }
}

TEST(ReleaseFeatures, Kexsim1312And194AreTheEnds) {
  // Everything 19.4 does, except the differences 19.4 no longer has.
  for (const auto& f : release_features()) {
    SCOPED_TRACE(f.name);
    if (f.name == "job_update_private_token_header" || f.name == "job_failed_extra_line" ||
        f.name == "stage_retries_print_retrying_in" || f.name == "stage_retry_pauses_after_last_try")
      continue;
    EXPECT_TRUE(f.has(Profile::kV19_4));
  }
}

TEST(ReleaseFeatures, RevertedDifferencesEndWhereTheyWereReverted) {
  EXPECT_TRUE(invalid_image_name_is_config_error(Profile(18, 1)));
  EXPECT_FALSE(invalid_image_name_is_config_error(Profile(18, 2)));
  EXPECT_FALSE(invalid_image_name_is_config_error(Profile::kV18_11));
  EXPECT_TRUE(invalid_image_name_is_config_error(Profile(19, 0)));
  EXPECT_TRUE(logs_warning_events_on_failure(Profile(16, 2)));
  EXPECT_FALSE(logs_warning_events_on_failure(Profile(16, 3)));
  EXPECT_FALSE(logs_warning_events_on_failure(Profile(17, 1)));
  EXPECT_TRUE(logs_warning_events_on_failure(Profile(17, 2)));
  EXPECT_TRUE(job_failed_extra_line(Profile(18, 5)));
  EXPECT_FALSE(job_failed_extra_line(Profile(18, 6)));
  EXPECT_TRUE(job_update_private_token_header(Profile(17, 10)));
  EXPECT_FALSE(job_update_private_token_header(Profile::kV17_11));
}

TEST(ReleaseFeatures, StageRetryLinesFollowTheRelease) {
  // 18.0-19.0 "Retrying in %v"; 19.1 on "WARNING: Retrying..."; 18.7 stopped pausing after the last try.
  EXPECT_FALSE(stage_retries_print_retrying_in(Profile::kV17_11));
  EXPECT_TRUE(stage_retries_print_retrying_in(Profile::kV18_11));
  EXPECT_TRUE(stage_retries_print_retrying_in(Profile(19, 0)));
  EXPECT_FALSE(stage_retries_print_retrying_in(Profile(19, 1)));
  EXPECT_FALSE(stage_retries_print_retrying_in(Profile::kV19_4));
  EXPECT_TRUE(stage_retry_pauses_after_last_try(Profile(18, 6)));
  EXPECT_FALSE(stage_retry_pauses_after_last_try(Profile(18, 7)));
  EXPECT_FALSE(clears_worktree_before_second_get_sources(Profile(16, 8)));
  EXPECT_TRUE(clears_worktree_before_second_get_sources(Profile::kV16_11));
  EXPECT_TRUE(clears_worktree_before_second_get_sources(Profile::kV19_4));
}

TEST(ReleaseFeatures, NamedPredicatesKeyedAsTheReferenceSays) {
  EXPECT_FALSE(attach_default(Profile(13, 12)));
  EXPECT_TRUE(attach_default(Profile(14, 0)));
  EXPECT_FALSE(header_has_system_id(Profile(15, 7)));
  EXPECT_TRUE(header_has_system_id(Profile(15, 8)));
  EXPECT_FALSE(kube_api_retries(Profile(16, 1)));
  EXPECT_TRUE(kube_api_retries(Profile(16, 2)));
  EXPECT_FALSE(wait_line_names_node(Profile(18, 10)));
  EXPECT_TRUE(wait_line_names_node(Profile(18, 11)));
  EXPECT_FALSE(timeout_names_last_phase(Profile(19, 1)));
  EXPECT_TRUE(timeout_names_last_phase(Profile(19, 2)));
}

TEST(Profile, OrderedByMajorThenMinor) {
  EXPECT_LT(Profile::kV13_12, Profile::kV15_11);
  EXPECT_LT(Profile(15, 9), Profile(15, 11));
  EXPECT_LT(Profile::kV18_11, Profile::kV19_4);
  EXPECT_EQ(Profile{}, Profile::kV19_4);
  EXPECT_TRUE(Profile::kV16_11.at_least(16, 11));
  EXPECT_FALSE(Profile::kV16_11.at_least(17, 0));
  const auto offered = offered_profiles();
  ASSERT_EQ(offered.size(), 6u);
  for (size_t i = 1; i < offered.size(); ++i) EXPECT_LT(offered[i - 1], offered[i]);
}

TEST(Profile, ParsesEveryOfferedReleaseAndItsFullVersion) {
  const std::vector<std::pair<std::string, Profile>> cases = {{"13.12", Profile::kV13_12}, {"15.11", Profile::kV15_11},
                                                              {"16.11", Profile::kV16_11}, {"17.11", Profile::kV17_11},
                                                              {"18.11", Profile::kV18_11}, {"19.4", Profile::kV19_4}};
  for (const auto& [name, p] : cases) {
    SCOPED_TRACE(name);
    EXPECT_EQ(parse_profile(name).value(), p);
    EXPECT_EQ(parse_profile(name + ".0").value(), p);
    EXPECT_EQ(profile_name(p), name);
    EXPECT_EQ(runner_version(p), name + ".0");
    EXPECT_EQ(runner_revision(p).size(), 8u);
  }
  EXPECT_EQ(offered_profile_names(), (std::vector<std::string>{"13.12", "15.11", "16.11", "17.11", "18.11", "19.4"}));
}

TEST(Profile, RejectsReleasesNotOfferedWithTheListAsHint) {
  for (const char* text : {"15.0", "19.4.1", "14", "", "v19.4"}) {
    SCOPED_TRACE(text);
    auto bad = parse_profile(text);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "unknown runner profile \"" + std::string(text) + "\"");
    EXPECT_NE(bad.error().hint.find("\"16.11\""), std::string::npos);
  }
}

TEST(Profile, RevisionsAreTheTagCommits) {
  EXPECT_EQ(runner_revision(Profile::kV15_11), "436955cb");
  EXPECT_EQ(runner_revision(Profile::kV16_11), "91a27b2a");
  EXPECT_EQ(runner_revision(Profile::kV17_11), "0f67ff19");
  EXPECT_EQ(runner_revision(Profile::kV18_11), "249f0215");
  // A release that is not offered reports the newest offered one before it.
  EXPECT_EQ(runner_version(Profile(17, 3)), "16.11.0");
}

// helpers/featureflags/flags.go of main d79f3e7b8 (VERSION 19.4.0), `flags` in order.
constexpr FeatureFlag kFlags19_4[] = {
    {"FF_TEST_FEATURE", false},
    {"FF_NETWORK_PER_BUILD", false},
    {"FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", false},
    {"FF_USE_DIRECT_DOWNLOAD", true},
    {"FF_USE_FASTZIP", true},
    {"FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR", false},
    {"FF_ENABLE_BASH_EXIT_CODE_CHECK", false},
    {"FF_USE_WINDOWS_LEGACY_PROCESS_STRATEGY", false},
    {"FF_USE_LEGACY_BASH_EVAL", false},
    {"FF_USE_POWERSHELL_PATH_RESOLVER", false},
    {"FF_USE_DYNAMIC_TRACE_FORCE_SEND_INTERVAL", false},
    {"FF_SCRIPT_SECTIONS", false},
    {"FF_ENABLE_JOB_CLEANUP", false},
    {"FF_KUBERNETES_HONOR_ENTRYPOINT", false},
    {"FF_POSIXLY_CORRECT_ESCAPES", false},
    {"FF_RESOLVE_FULL_TLS_CHAIN", false},
    {"FF_DISABLE_POWERSHELL_STDIN", false},
    {"FF_USE_POD_ACTIVE_DEADLINE_SECONDS", true},
    {"FF_USE_ADVANCED_POD_SPEC_CONFIGURATION", false},
    {"FF_SECRET_RESOLVING_FAILS_IF_MISSING", true},
    {"FF_PRINT_POD_EVENTS", false},
    {"FF_USE_GIT_BUNDLE_URIS", true},
    {"FF_USE_GIT_NATIVE_CLONE", false},
    {"FF_USE_DUMB_INIT_WITH_KUBERNETES_EXECUTOR", false},
    {"FF_USE_INIT_WITH_DOCKER_EXECUTOR", false},
    {"FF_LOG_IMAGES_CONFIGURED_FOR_JOB", false},
    {"FF_USE_DOCKER_AUTOSCALER_DIAL_STDIO", true},
    {"FF_CLEAN_UP_FAILED_CACHE_EXTRACT", false},
    {"FF_USE_WINDOWS_JOB_OBJECT", false},
    {"FF_TIMESTAMPS", true},
    {"FF_DISABLE_AUTOMATIC_TOKEN_ROTATION", false},
    {"FF_USE_LEGACY_GCS_CACHE_ADAPTER", false},
    {"FF_DISABLE_UMASK_FOR_KUBERNETES_EXECUTOR", false},
    {"FF_USE_LEGACY_S3_CACHE_ADAPTER", false},
    {"FF_GIT_URLS_WITHOUT_TOKENS", false},
    {"FF_WAIT_FOR_POD_TO_BE_REACHABLE", false},
    {"FF_MASK_ALL_DEFAULT_TOKENS", true},
    {"FF_EXPORT_HIGH_CARDINALITY_METRICS", false},
    {"FF_USE_FLEETING_ACQUIRE_HEARTBEATS", false},
    {"FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY", true},
    {"FF_USE_ADAPTIVE_REQUEST_CONCURRENCY", true},
    {"FF_USE_GITALY_CORRELATION_ID", true},
    {"FF_USE_GIT_PROACTIVE_AUTH", false},
    {"FF_HASH_CACHE_KEYS", false},
    {"FF_ENABLE_JOB_INPUTS_INTERPOLATION", true},
    {"FF_USE_JOB_ROUTER", false},
    {"FF_SCRIPT_TO_STEP_MIGRATION", false},
    {"FF_USE_PARALLEL_CACHE_TRANSFER", false},
    {"FF_USE_PARALLEL_ARTIFACT_TRANSFER", false},
    {"FF_CONCRETE", false},
    {"FF_SUSPENDABLE_ENVIRONMENTS", false},
    {"FF_USE_NATIVE_CONTAINER_STOP", false},
};

TEST(FeatureFlagRegistry, AppliedChangesGive194Exactly) {
  const auto derived = feature_flags(Profile::kV19_4);
  ASSERT_EQ(derived.size(), std::size(kFlags19_4));
  for (size_t i = 0; i < derived.size(); ++i) {
    SCOPED_TRACE(kFlags19_4[i].name);
    EXPECT_EQ(derived[i].name, kFlags19_4[i].name);
    EXPECT_EQ(derived[i].default_value, kFlags19_4[i].default_value);
  }
}

TEST(FeatureFlagRegistry, EachOfferedReleaseHasItsFlagsAndDefaults) {
  const auto def = [](Profile p, std::string_view name) -> std::optional<bool> {
    for (const auto& f : feature_flags(p))
      if (f.name == name) return f.default_value;
    return std::nullopt;
  };
  EXPECT_EQ(feature_flags(Profile::kV13_12).size(), 16u);
  EXPECT_EQ(def(Profile::kV13_12, "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY"), true);
  EXPECT_EQ(def(Profile::kV15_11, "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY"), false);
  EXPECT_EQ(def(Profile::kV15_11, "FF_USE_POD_ACTIVE_DEADLINE_SECONDS"), false);
  EXPECT_EQ(def(Profile::kV15_11, "FF_RESOLVE_FULL_TLS_CHAIN"), true);
  EXPECT_EQ(def(Profile::kV15_11, "FF_TIMESTAMPS"), std::nullopt);
  EXPECT_EQ(def(Profile::kV16_11, "FF_USE_POD_ACTIVE_DEADLINE_SECONDS"), true);
  EXPECT_EQ(def(Profile::kV16_11, "FF_TIMESTAMPS"), false);
  EXPECT_EQ(def(Profile::kV16_11, "FF_USE_IMPROVED_URL_MASKING"), std::nullopt);
  EXPECT_EQ(feature_flags(Profile::kV16_11).front().name, "FF_TEST_FEATURE");
  EXPECT_EQ(def(Profile::kV17_11, "FF_USE_NATIVE_STEPS"), true);
  EXPECT_EQ(def(Profile::kV17_11, "FF_RETRIEVE_POD_WARNING_EVENTS"), true);
  EXPECT_EQ(def(Profile::kV17_11, "FF_CMD_DISABLE_DELAYED_ERROR_LEVEL_EXPANSION"), std::nullopt);
  EXPECT_EQ(def(Profile::kV18_11, "FF_TIMESTAMPS"), true);
  EXPECT_EQ(def(Profile::kV18_11, "FF_USE_NATIVE_STEPS"), std::nullopt);
  EXPECT_EQ(def(Profile::kV18_11, "FF_CONCRETE"), false);
  EXPECT_EQ(def(Profile::kV18_11, "FF_USE_PARALLEL_CACHE_TRANSFER"), std::nullopt);
  EXPECT_EQ(def(Profile::kV18_11, "FF_USE_FASTZIP"), false);
  EXPECT_TRUE(is_known_feature_flag("FF_USE_NATIVE_STEPS"));                        // 17.11 only among the offered
  EXPECT_TRUE(is_known_feature_flag("FF_SHELL_EXECUTOR_USE_LEGACY_PROCESS_KILL"));  // 13.12 only
  EXPECT_FALSE(is_known_feature_flag("FF_NO_SUCH_FLAG"));
}

TEST(FeatureFlagRegistry, TheSameSettingPrintsPerRelease) {
  const auto info = [](Profile p, const std::map<std::string, bool>& config) {
    return feature_flag_info(p, resolve_feature_flags(p, config, nullptr));
  };
  // gitlab-runner-releases.md 2.1: FF_TIMESTAMPS=true shows on 16.11-18.6, not on 18.7+.
  EXPECT_EQ(info(Profile::kV16_11, {{"FF_TIMESTAMPS", true}}), "FF_TIMESTAMPS:true");
  EXPECT_EQ(info(Profile::kV18_11, {{"FF_TIMESTAMPS", true}}), "");
  EXPECT_EQ(info(Profile::kV15_11, {{"FF_TIMESTAMPS", true}}), "");
  EXPECT_EQ(info(Profile::kV15_11, {{"FF_USE_POD_ACTIVE_DEADLINE_SECONDS", true}}),
            "FF_USE_POD_ACTIVE_DEADLINE_SECONDS:true");
}

TEST(FeatureFlagRegistry, UnparsableVariablesWarnFrom169) {
  const auto var = [](std::string_view name) -> const std::string* {
    static const std::string yes = "yes";
    return name == "FF_PRINT_POD_EVENTS" ? &yes : nullptr;
  };
  EXPECT_TRUE(resolve_feature_flags(Profile::kV15_11, {}, var).errors.empty());
  EXPECT_EQ(resolve_feature_flags(Profile::kV16_11, {}, var).errors.size(), 1u);
}

TEST(ReleaseWording, IntermediateReleasesGetEachRow) {
  using namespace messages;
  EXPECT_EQ(header_on(Profile::kV15_11, "r", "abcdefgh", "s_0123456789ab"),
            "  on r abcdefgh, system ID: s_0123456789ab");
  EXPECT_EQ(waiting_for_pod(Profile::kV17_11, "ns", "pod", "n1", "Pending"),
            "Waiting for pod ns/pod to be running, status is Pending");
  EXPECT_EQ(waiting_for_pod(Profile::kV18_11, "ns", "pod", "n1", "Pending"),
            "Waiting for pod ns/pod to be running on the node n1, status is Pending");
  EXPECT_EQ(timed_out_waiting(Profile::kV18_11, "Pending"), "timed out waiting for pod to start");
  EXPECT_EQ(cleanup_stage_title(Profile::kV15_11), "Cleaning up project directory and file based variables");
  EXPECT_EQ(checking_out(Profile::kV15_11, "87f5240dabcdef", "main"),
            "Checking out 87f5240d as detached HEAD (ref is main)...");
  EXPECT_NE(prepare_environment_error(Profile::kV16_11, "x").find("shells/index.html#shell-profile-loading"),
            std::string::npos);
  EXPECT_NE(prepare_environment_error(Profile::kV17_11, "x").find("shells/#shell-profile-loading"), std::string::npos);
  EXPECT_NE(stage_timeout_exceeded(Profile::kV16_11, "step_script").find("/ee/ci/runners/configure_runners.html#"),
            std::string::npos);
  EXPECT_NE(stage_timeout_exceeded(Profile::kV17_11, "step_script").find("/ci/runners/configure_runners/#"),
            std::string::npos);
  EXPECT_EQ(setting_up_build_pod(Profile::kV15_11, "x"), "setting up build pod: x");
  EXPECT_EQ(script_timeout_exceeded(Profile::kV16_11), "script timeout context: context deadline exceeded");
  EXPECT_EQ(script_timeout_exceeded(Profile::kV17_11), "script timeout: context deadline exceeded");
}

}  // namespace
}  // namespace kexsim::executor

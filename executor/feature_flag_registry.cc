// The feature-flag registry of every release: 13.12's list and the changes each later release made.
// Source: helpers/featureflags/flags.go at every vX.Y.0 tag and main (gitlab-runner-releases.md
// section 2.4). A test checks that applying every change yields 19.4's 52 flags exactly.

#include <algorithm>

#include "executor/profile.h"

namespace kexsim::executor {
namespace {

using Kind = FeatureFlagChange::Kind;

// helpers/featureflags/flags.go of v13.12.0, `flags` in order.
constexpr FeatureFlag kFlags13_12[] = {
    {"FF_CMD_DISABLE_DELAYED_ERROR_LEVEL_EXPANSION", false},
    {"FF_NETWORK_PER_BUILD", false},
    {"FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", true},
    {"FF_USE_DIRECT_DOWNLOAD", true},
    {"FF_SKIP_NOOP_BUILD_STAGES", true},
    {"FF_SHELL_EXECUTOR_USE_LEGACY_PROCESS_KILL", false},
    {"FF_RESET_HELPER_IMAGE_ENTRYPOINT", true},
    {"FF_USE_GO_CLOUD_WITH_CACHE_ARCHIVER", true},
    {"FF_USE_FASTZIP", false},
    {"FF_GITLAB_REGISTRY_HELPER_IMAGE", false},
    {"FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR", false},
    {"FF_ENABLE_BASH_EXIT_CODE_CHECK", false},
    {"FF_USE_WINDOWS_LEGACY_PROCESS_STRATEGY", true},
    {"FF_SKIP_DOCKER_MACHINE_PROVISION_ON_CREATION_FAILURE", false},
    {"FF_USE_NEW_BASH_EVAL_STRATEGY", false},
    {"FF_USE_POWERSHELL_PATH_RESOLVER", false},
};

constexpr FeatureFlagChange add(int major, int minor, std::string_view name, bool value = false,
                                std::string_view after = {}) {
  return {Profile(major, minor), Kind::kAdd, name, value, after};
}
constexpr FeatureFlagChange remove(int major, int minor, std::string_view name) {
  return {Profile(major, minor), Kind::kRemove, name};
}
constexpr FeatureFlagChange set_default(int major, int minor, std::string_view name, bool value) {
  return {Profile(major, minor), Kind::kDefault, name, value};
}

// Oldest first; within a release in the order flags.go lists them.
constexpr FeatureFlagChange kChanges[] = {
    set_default(14, 0, "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", false),
    set_default(14, 0, "FF_GITLAB_REGISTRY_HELPER_IMAGE", true),
    remove(14, 0, "FF_SHELL_EXECUTOR_USE_LEGACY_PROCESS_KILL"),
    remove(14, 0, "FF_RESET_HELPER_IMAGE_ENTRYPOINT"),
    remove(14, 0, "FF_USE_GO_CLOUD_WITH_CACHE_ARCHIVER"),
    set_default(14, 1, "FF_SKIP_DOCKER_MACHINE_PROVISION_ON_CREATION_FAILURE", true),
    add(14, 2, "FF_USE_DYNAMIC_TRACE_FORCE_SEND_INTERVAL", false, "FF_USE_POWERSHELL_PATH_RESOLVER"),
    add(14, 2, "FF_SCRIPT_SECTIONS", false, "FF_USE_DYNAMIC_TRACE_FORCE_SEND_INTERVAL"),
    add(14, 3, "FF_USE_NEW_SHELL_ESCAPE"),
    add(14, 3, "FF_ENABLE_JOB_CLEANUP"),
    remove(14, 3, "FF_SKIP_DOCKER_MACHINE_PROVISION_ON_CREATION_FAILURE"),
    add(14, 5, "FF_KUBERNETES_HONOR_ENTRYPOINT"),
    add(14, 9, "FF_POSIXLY_CORRECT_ESCAPES"),
    add(15, 0, "FF_USE_IMPROVED_URL_MASKING"),
    remove(15, 0, "FF_GITLAB_REGISTRY_HELPER_IMAGE"),
    add(15, 6, "FF_RESOLVE_FULL_TLS_CHAIN", true),
    add(15, 6, "FF_DISABLE_POWERSHELL_STDIN"),
    add(15, 10, "FF_USE_POD_ACTIVE_DEADLINE_SECONDS"),
    add(15, 10, "FF_USE_ADVANCED_POD_SPEC_CONFIGURATION"),
    add(15, 10, "FF_SET_PERMISSIONS_BEFORE_CLEANUP", true),
    add(16, 0, "FF_SECRET_RESOLVING_FAILS_IF_MISSING", true),
    add(16, 3, "FF_RETRIEVE_POD_WARNING_EVENTS"),
    set_default(16, 4, "FF_RESOLVE_FULL_TLS_CHAIN", false),
    set_default(16, 5, "FF_USE_POD_ACTIVE_DEADLINE_SECONDS", true),
    add(16, 5, "FF_PRINT_POD_EVENTS"),
    add(16, 6, "FF_USE_GIT_BUNDLE_URIS", true),
    add(16, 6, "FF_USE_DUMB_INIT_WITH_KUBERNETES_EXECUTOR"),
    add(16, 7, "FF_USE_INIT_WITH_DOCKER_EXECUTOR"),
    add(16, 7, "FF_LOG_IMAGES_CONFIGURED_FOR_JOB"),
    add(16, 7, "FF_USE_DOCKER_AUTOSCALER_DIAL_STDIO", true),
    add(16, 8, "FF_CLEAN_UP_FAILED_CACHE_EXTRACT"),
    add(16, 9, "FF_TEST_FEATURE", false, "^"),
    add(16, 9, "FF_USE_WINDOWS_JOB_OBJECT"),
    set_default(16, 10, "FF_USE_WINDOWS_LEGACY_PROCESS_STRATEGY", false),
    add(16, 11, "FF_TIMESTAMPS"),
    remove(16, 11, "FF_USE_IMPROVED_URL_MASKING"),
    add(17, 0, "FF_DISABLE_AUTOMATIC_TOKEN_ROTATION"),
    add(17, 0, "FF_USE_LEGACY_GCS_CACHE_ADAPTER"),
    remove(17, 0, "FF_CMD_DISABLE_DELAYED_ERROR_LEVEL_EXPANSION"),
    remove(17, 0, "FF_USE_NEW_SHELL_ESCAPE"),
    set_default(17, 2, "FF_RETRIEVE_POD_WARNING_EVENTS", true),
    add(17, 2, "FF_DISABLE_UMASK_FOR_KUBERNETES_EXECUTOR"),
    add(17, 5, "FF_USE_LEGACY_S3_CACHE_ADAPTER"),
    add(17, 5, "FF_GIT_URLS_WITHOUT_TOKENS", true),
    set_default(17, 6, "FF_GIT_URLS_WITHOUT_TOKENS", false),
    add(17, 6, "FF_WAIT_FOR_POD_TO_BE_REACHABLE"),
    add(17, 6, "FF_USE_NATIVE_STEPS"),
    add(17, 9, "FF_MASK_ALL_DEFAULT_TOKENS", true),
    add(17, 9, "FF_EXPORT_HIGH_CARDINALITY_METRICS"),
    add(17, 9, "FF_USE_FLEETING_ACQUIRE_HEARTBEATS"),
    set_default(17, 11, "FF_USE_NATIVE_STEPS", true),
    add(18, 0, "FF_USE_GIT_NATIVE_CLONE", false, "FF_USE_GIT_BUNDLE_URIS"),
    set_default(18, 0, "FF_GIT_URLS_WITHOUT_TOKENS", true),
    add(18, 0, "FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY", true),
    add(18, 0, "FF_USE_ADAPTIVE_REQUEST_CONCURRENCY", true),
    remove(18, 0, "FF_RETRIEVE_POD_WARNING_EVENTS"),
    set_default(18, 1, "FF_GIT_URLS_WITHOUT_TOKENS", false),
    add(18, 1, "FF_USE_GITALY_CORRELATION_ID", true),
    add(18, 4, "FF_HASH_CACHE_KEYS"),
    remove(18, 6, "FF_USE_NATIVE_STEPS"),
    set_default(18, 7, "FF_TIMESTAMPS", true),
    add(18, 7, "FF_ENABLE_JOB_INPUTS_INTERPOLATION"),
    add(18, 8, "FF_USE_JOB_ROUTER"),
    set_default(18, 9, "FF_ENABLE_JOB_INPUTS_INTERPOLATION", true),
    add(18, 9, "FF_SCRIPT_TO_STEP_MIGRATION"),
    add(18, 10, "FF_USE_GIT_PROACTIVE_AUTH", false, "FF_USE_GITALY_CORRELATION_ID"),
    add(18, 11, "FF_CONCRETE"),
    add(19, 0, "FF_USE_PARALLEL_CACHE_TRANSFER", false, "FF_SCRIPT_TO_STEP_MIGRATION"),
    add(19, 0, "FF_USE_PARALLEL_ARTIFACT_TRANSFER", false, "FF_USE_PARALLEL_CACHE_TRANSFER"),
    add(19, 0, "FF_SUSPENDABLE_ENVIRONMENTS", false, "FF_CONCRETE"),
    add(19, 1, "FF_USE_LEGACY_BASH_EVAL", false, "FF_USE_NEW_BASH_EVAL_STRATEGY"),
    add(19, 1, "FF_USE_NATIVE_CONTAINER_STOP"),
    remove(19, 3, "FF_SKIP_NOOP_BUILD_STAGES"),
    remove(19, 3, "FF_USE_NEW_BASH_EVAL_STRATEGY"),
    remove(19, 3, "FF_SET_PERMISSIONS_BEFORE_CLEANUP"),
    set_default(19, 4, "FF_USE_FASTZIP", true),
};

}  // namespace

std::span<const FeatureFlagChange> feature_flag_changes() { return kChanges; }

std::vector<FeatureFlag> derive_feature_flags(Profile p) {
  std::vector<FeatureFlag> flags(std::begin(kFlags13_12), std::end(kFlags13_12));
  const auto find = [&](std::string_view name) {
    return std::find_if(flags.begin(), flags.end(), [&](const FeatureFlag& f) { return f.name == name; });
  };
  for (const auto& c : kChanges) {
    if (c.since > p) break;
    switch (c.kind) {
      case Kind::kAdd:
        if (c.after == "^")
          flags.insert(flags.begin(), FeatureFlag{c.name, c.default_value});
        else if (auto at = c.after.empty() ? flags.end() : find(c.after); at != flags.end())
          flags.insert(at + 1, FeatureFlag{c.name, c.default_value});
        else
          flags.push_back(FeatureFlag{c.name, c.default_value});
        break;
      case Kind::kRemove:
        if (auto at = find(c.name); at != flags.end()) flags.erase(at);
        break;
      case Kind::kDefault:
        if (auto at = find(c.name); at != flags.end()) at->default_value = c.default_value;
        break;
    }
  }
  return flags;
}

}  // namespace kexsim::executor

#include "executor/profile.h"

#include <optional>
#include <string>

namespace kexsim::executor {

Result<Profile> parse_profile(std::string_view text) {
  if (text == "19.4" || text == "19.4.0") return Profile::kV19_4;
  if (text == "13.12" || text == "13.12.0") return Profile::kV13_12;
  return make_error("unknown runner profile \"" + std::string(text) + "\"",
                    "use \"19.4\" (current GitLab Runner wording) or \"13.12\" (older field logs)");
}

std::string_view profile_name(Profile p) { return p == Profile::kV13_12 ? "13.12" : "19.4"; }

std::string_view runner_version(Profile p) { return p == Profile::kV13_12 ? "13.12.0" : "19.4.0"; }

std::string_view runner_revision(Profile p) {
  // 13.12.0's revision is the one field logs show. The 19.4.0 revision is invented (we have no
  // release build to take it from); it only has to be stable.
  return p == Profile::kV13_12 ? "7a6612da" : "4d1a0ea3";
}

namespace {

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

// helpers/featureflags/flags.go of main d79f3e7b8 (VERSION 19.4.0), `flags` in order (52).
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

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

}  // namespace

std::span<const FeatureFlag> feature_flags(Profile p) {
  if (p == Profile::kV13_12) return kFlags13_12;
  return kFlags19_4;
}

bool is_feature_flag(Profile p, std::string_view name) {
  for (const auto& f : feature_flags(p)) {
    if (f.name == name) return true;
  }
  return false;
}

bool kexsim_acts_on_flag(std::string_view name) {
  return name == "FF_TIMESTAMPS" || name == "FF_MASK_ALL_DEFAULT_TOKENS" ||
         name == "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY" || name == "FF_USE_ADVANCED_POD_SPEC_CONFIGURATION";
}

bool FeatureFlagValues::on(std::string_view name) const {
  for (const auto& [n, v] : values) {
    if (n == name) return v;
  }
  return false;
}

FeatureFlagValues resolve_feature_flags(Profile p, const std::map<std::string, bool>& config,
                                        const std::function<const std::string*(std::string_view name)>& job_variable) {
  FeatureFlagValues out;
  for (const auto& f : feature_flags(p)) {
    bool value = f.default_value;
    if (const auto it = config.find(std::string(f.name)); it != config.end()) {
      value = it->second;
    } else if (const std::string* raw = job_variable ? job_variable(f.name) : nullptr) {
      if (const auto parsed = parse_go_bool(*raw)) {
        value = *parsed;
      } else if (p == Profile::kV13_12) {
        value = false;  // featureflags.IsOn: an unparsable value is off (logged to the runner log only)
      } else {
        // common/build_settings.go populateFeatureFlags
        out.errors.push_back(std::string(f.name) + ": could not parse feature flag, expected bool, got " + *raw);
      }
    }
    out.values.emplace_back(f.name, value);
  }
  return out;
}

std::string feature_flag_info(Profile p, const FeatureFlagValues& values) {
  std::string out;
  for (const auto& f : feature_flags(p)) {
    const bool on = values.on(f.name);
    if (on == f.default_value) continue;
    if (!out.empty()) out += ", ";
    out += std::string(f.name) + (on ? ":true" : ":false");
  }
  return out;
}

}  // namespace kexsim::executor

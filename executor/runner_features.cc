#include "executor/runner_features.h"

#include <optional>

namespace kexsim::executor {
namespace {

// A FeaturesInfo field: the release that added it and the one from which a Kubernetes runner with
// the bash shell sets it true (none: always false). Read from each minor tag v13.12.0 .. v19.3.0 and
// 19.4.0's common/network.go, network/gitlab.go getFeatures, executors/kubernetes/kubernetes.go
// featuresFn (13.12: the provider's FeaturesUpdater) and shells/abstract.go GetFeatures.
struct FieldHistory {
  std::string_view name;
  Profile added;
  std::optional<Profile> true_since;
};

constexpr Profile k13_12{13, 12};

const FieldHistory kFields[] = {
    {"variables", k13_12, k13_12},
    {"image", k13_12, k13_12},
    {"services", k13_12, k13_12},
    {"artifacts", k13_12, k13_12},
    {"cache", k13_12, k13_12},
    {"fallback_cache_keys", {15, 11}, Profile{15, 11}},
    {"shared", k13_12, std::nullopt},
    {"upload_multiple_artifacts", k13_12, k13_12},
    {"upload_raw_artifacts", k13_12, k13_12},
    {"session", k13_12, k13_12},
    {"terminal", k13_12, k13_12},
    {"refspecs", k13_12, k13_12},
    {"masking", k13_12, k13_12},
    {"proxy", k13_12, k13_12},
    {"raw_variables", k13_12, k13_12},
    {"artifacts_exclude", k13_12, k13_12},
    {"multi_build_steps", k13_12, k13_12},
    {"trace_reset", k13_12, k13_12},
    {"trace_checksum", k13_12, k13_12},
    {"trace_size", k13_12, k13_12},
    {"vault_secrets", k13_12, k13_12},
    {"cancelable", k13_12, k13_12},
    {"return_exit_code", k13_12, k13_12},
    {"service_variables", {14, 8}, Profile{14, 8}},
    {"service_multiple_aliases", {15, 8}, Profile{15, 8}},
    {"image_executor_opts", {16, 6}, Profile{18, 3}},  // featuresFn sets it from 18.3
    {"service_executor_opts", {16, 6}, std::nullopt},  // no executor sets it for Kubernetes
    {"cancel_gracefully", {16, 10}, Profile{16, 10}},
    {"native_steps_integration", {17, 6}, Profile{19, 2}},
    {"two_phase_job_commit", {18, 5}, Profile{18, 5}},
    {"job_inputs", {18, 9}, Profile{18, 9}},
};

}  // namespace

std::vector<RunnerFeature> runner_features(Profile p) {
  std::vector<RunnerFeature> out;
  for (const FieldHistory& f : kFields) {
    if (p < f.added) continue;
    out.push_back({f.name, f.true_since && p >= *f.true_since});
  }
  return out;
}

nlohmann::json runner_features_json(Profile p) {
  nlohmann::json out = nlohmann::json::object();
  for (const RunnerFeature& f : runner_features(p)) out[std::string(f.name)] = f.value;
  return out;
}

}  // namespace kexsim::executor

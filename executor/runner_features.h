#pragma once
// The `info.features` a runner release advertises to GitLab in jobs/request, runners/verify and job
// updates (common/network.go FeaturesInfo, set by network/gitlab.go getFeatures, the Kubernetes
// executor's featuresFn and shells/abstract.go GetFeatures).

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/profile.h"

namespace kexsim::executor {

/// One FeaturesInfo field as the release sends it.
struct RunnerFeature {
  std::string_view name;
  bool value;
};

/// Every FeaturesInfo field of the release, in the struct's order (Go marshals each, true or false).
std::vector<RunnerFeature> runner_features(Profile p);

/// runner_features() as the `features` object of `info`.
nlohmann::json runner_features_json(Profile p);

}  // namespace kexsim::executor

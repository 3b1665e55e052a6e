#pragma once
// The pod's tolerations from `node_tolerations` ("key[=value]" = "Effect"), as GitLab Runner builds them:
// 19.4 executors/kubernetes/kubernetes.go getPodTolerations, 13.12 common/config.go GetNodeTolerations.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "executor/profile.h"

namespace kexsim::executor {

/// spec.tolerations for `node_tolerations`: "k=v" gives {key k, operator Equal, value v}, "k" gives
/// {key k, operator Exists}, the effect as written ("" = any effect). Empty fields are omitted, as the
/// API's omitempty does. Upstream walks a Go map (random order); kexsim sorts by key so that logs are stable.
nlohmann::json pod_tolerations(Profile profile, const std::map<std::string, std::string>& node_tolerations);

}  // namespace kexsim::executor

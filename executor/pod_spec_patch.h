#pragma once
// [[runners.kubernetes.pod_spec]] with FF_USE_ADVANCED_POD_SPEC_CONFIGURATION: patches applied to
// the generated PodSpec in file order (executors/kubernetes/kubernetes.go applyPodSpecMerge,
// doPodSpecMerge): "json" (RFC 6902), "merge" (RFC 7386) or "strategic" (the default: lists of named
// items merge by their key, as strategicpatch does for a PodSpec).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/config.h"

namespace kexsim::executor {

/// The warning GitLab Runner prints before it applies them (kubernetes.go setupBuildPod).
std::string advanced_pod_spec_warning();

/// The spec with every patch applied; an error names the patch (common/config.go PodSpecPatch errors).
Result<nlohmann::json> apply_pod_spec_patches(nlohmann::json spec, const std::vector<PodSpecPatchConfig>& patches);

}  // namespace kexsim::executor

#include "executor/pod_spec_patch.h"

#include <map>

#include "base/files.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

// The patchMergeKey of the PodSpec's lists (k8s.io/api core/v1 types.go struct tags).
const std::map<std::string, std::string>& merge_keys() {
  static const std::map<std::string, std::string> keys = {{"containers", "name"},
                                                          {"initContainers", "name"},
                                                          {"ephemeralContainers", "name"},
                                                          {"volumes", "name"},
                                                          {"env", "name"},
                                                          {"volumeMounts", "mountPath"},
                                                          {"ports", "containerPort"},
                                                          {"imagePullSecrets", "name"},
                                                          {"hostAliases", "ip"},
                                                          {"volumeDevices", "devicePath"}};
  return keys;
}

json strategic_merge(json original, const json& patch);

json merge_list(json original, const json& patch, const std::string& key) {
  if (!original.is_array()) original = json::array();
  for (const json& item : patch) {
    if (!item.is_object() || !item.contains(key)) {
      original.push_back(item);
      continue;
    }
    const bool remove = item.value("$patch", "") == "delete";
    bool found = false;
    for (auto it = original.begin(); it != original.end(); ++it) {
      if (!it->is_object() || (*it)[key] != item[key]) continue;
      found = true;
      if (remove) {
        original.erase(it);
      } else {
        *it = strategic_merge(*it, item);
      }
      break;
    }
    if (!found && !remove) original.push_back(strategic_merge(json::object(), item));
  }
  return original;
}

json strategic_merge(json original, const json& patch) {
  if (!patch.is_object()) return patch;
  if (!original.is_object()) original = json::object();
  for (const auto& [name, value] : patch.items()) {
    if (name == "$patch") continue;
    if (value.is_null()) {
      original.erase(name);
      continue;
    }
    auto key = merge_keys().find(name);
    if (value.is_array() && key != merge_keys().end()) {
      original[name] = merge_list(original.contains(name) ? original[name] : json::array(), value, key->second);
    } else if (value.is_object()) {
      original[name] = strategic_merge(original.contains(name) ? original[name] : json::object(), value);
    } else {
      original[name] = value;
    }
  }
  return original;
}

}  // namespace

std::string advanced_pod_spec_warning() {
  // executors/kubernetes/kubernetes.go setupBuildPod (19.4).
  return "Advanced Pod Spec configuration enabled, merging the provided PodSpec to the generated one. "
         "This is a beta feature and is subject to change. Feedback is collected in this issue: "
         "https://gitlab.com/gitlab-org/gitlab-runner/-/issues/29659 ...";
}

Result<json> apply_pod_spec_patches(json spec, const std::vector<PodSpecPatchConfig>& patches) {
  for (const PodSpecPatchConfig& p : patches) {
    // common/config.go PodSpecPatch: errPatchAmbiguous, errPatchFileFail, errPatchConversion.
    std::string text = p.patch;
    if (!p.patch_path.empty()) {
      if (!p.patch.empty())
        return make_error("ambiguous patch: both patch path and patch provided (" + p.name + ")",
                          "set either patch or patch_path in [[runners.kubernetes.pod_spec]]");
      auto file = read_file(p.patch_path);
      if (!file) return make_error("loading patch file (" + p.name + "): " + file.error().message, "check patch_path");
      text = *file;
    }
    // Upstream converts YAML to JSON first; kexsim reads the JSON subset of YAML only.
    json patch = json::parse(text, nullptr, false);
    if (patch.is_discarded())
      return make_error("converting patch to json (" + p.name + "): kexsim reads pod_spec patches written as JSON",
                        "write the patch as JSON (valid YAML too), e.g. patch = '{\"hostname\": \"ci\"}'");
    const std::string type = p.patch_type.empty() ? "strategic" : p.patch_type;
    try {
      if (type == "json") {
        spec = spec.patch(patch);
      } else if (type == "merge") {
        spec.merge_patch(patch);
      } else if (type == "strategic") {
        spec = strategic_merge(std::move(spec), patch);
      } else {
        return make_error("unsupported patch type " + type, "patch_type is \"json\", \"merge\" or \"strategic\"");
      }
    } catch (const json::exception& e) {
      return make_error(std::string(e.what()), "check the patch against the generated pod (kexsim render)");
    }
  }
  return spec;
}

}  // namespace kexsim::executor

#include "executor/pod_tolerations.h"

#include "executor/release_features.h"

namespace kexsim::executor {

nlohmann::json pod_tolerations(Profile profile, const std::map<std::string, std::string>& node_tolerations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key_value, effect] : node_tolerations) {
    std::string key = key_value, value, op = "Exists";
    if (const size_t eq = key_value.find('='); eq != std::string::npos) {
      key = key_value.substr(0, eq);
      value = key_value.substr(eq + 1);
      // Up to 16.8 strings.Split keeps only the part up to a second '='; then strings.SplitN(…, 2) keeps the rest.
      if (!tolerations_split_once(profile)) value = value.substr(0, value.find('='));
      op = "Equal";
    }
    nlohmann::json t = nlohmann::json::object();
    if (!key.empty()) t["key"] = key;
    t["operator"] = op;
    if (!value.empty()) t["value"] = value;
    if (!effect.empty()) t["effect"] = effect;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace kexsim::executor

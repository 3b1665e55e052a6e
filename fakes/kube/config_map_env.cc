#include "fakes/kube/config_map_env.h"

#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

SecretLookup config_map_lookup(const Store& store) {
  return [&store](const std::string& ns, const std::string& name) -> const json* {
    const StoredObject* map = store.find("configmaps", ns, name);
    return map ? &map->object : nullptr;
  };
}

void resolve_config_map_env(json& pod, const std::string& container, const SecretLookup& config_map) {
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const char* list : {"containers", "initContainers"}) {
    json& spec = pod["spec"];
    if (!spec.is_object() || !spec.contains(list) || !spec[list].is_array()) continue;
    for (json& c : spec[list]) {
      if (text(c, "name") != container) continue;
      bool refers = false;
      for (const json& from : member(c, "envFrom")) refers = refers || member(from, "configMapRef").is_object();
      for (const json& e : member(c, "env"))
        refers = refers || member(member(e, "valueFrom"), "configMapKeyRef").is_object();
      if (!refers) continue;
      json resolved = json::array();
      // makeEnvironmentVariables: envFrom first (a later env entry of the same name wins).
      for (const json& from : member(c, "envFrom")) {
        const json& ref = member(from, "configMapRef");
        if (!ref.is_object()) continue;
        const json* stored = config_map(ns, text(ref, "name"));
        if (!stored || !member(*stored, "data").is_object()) continue;
        for (const auto& [key, value] : (*stored)["data"].items())
          if (value.is_string()) resolved.push_back({{"name", text(from, "prefix") + key}, {"value", value}});
      }
      for (const json& e : member(c, "env")) {
        const json& ref = member(member(e, "valueFrom"), "configMapKeyRef");
        if (!ref.is_object()) {
          resolved.push_back(e);
          continue;
        }
        const json* stored = config_map(ns, text(ref, "name"));
        const json& value = stored ? member(member(*stored, "data"), text(ref, "key").c_str()) : json();
        if (value.is_string()) resolved.push_back({{"name", text(e, "name")}, {"value", value}});
      }
      c["env"] = std::move(resolved);
    }
  }
}

}  // namespace kexsim::fakes

#include "fakes/kube/config_maps.h"

#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

void project_config_map_volumes(const json& pod, const std::string& container, const ConfigMapLookup& config_map,
                                shell::FileSystem& fs) {
  const json& volumes = member(member(pod, "spec"), "volumes");
  if (!volumes.is_array()) return;
  const json* c = nullptr;
  for (const char* list : {"containers", "initContainers"})
    for (const json& candidate : member(member(pod, "spec"), list))
      if (text(candidate, "name") == container) c = &candidate;
  if (!c) return;
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const json& v : volumes) {
    const json& source = member(v, "configMap");
    if (!source.is_object()) continue;
    const json* stored = config_map(ns, text(source, "name"));
    if (!stored) continue;
    // pkg/volume/configmap/configmap.go MakePayload: data as written, keys as file names unless items map them.
    const json& data = member(*stored, "data");
    for (const json& mount : member(*c, "volumeMounts")) {
      if (text(mount, "name") != text(v, "name") || !text(mount, "subPath").empty()) continue;
      const std::string dir = text(mount, "mountPath");
      fs.make_dir(dir);
      const auto put = [&](const std::string& key, const std::string& path) {
        const json& value = member(data, key.c_str());
        if (!value.is_string()) return;
        const std::string file = shell::FileSystem::resolve(dir, path);
        fs.make_dir(shell::FileSystem::parent(file));
        fs.write(file, value.get<std::string>(), false);
      };
      const json& items = member(source, "items");
      if (items.is_array() && !items.empty()) {
        for (const json& item : items) put(text(item, "key"), text(item, "path"));
      } else if (data.is_object()) {
        for (const auto& [key, value] : data.items()) put(key, key);
      }
    }
  }
}

}  // namespace kexsim::fakes

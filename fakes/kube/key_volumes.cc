#include "fakes/kube/key_volumes.h"

#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

void project_key_volumes(const json& pod, const std::string& container, const KeyVolumeKind& kind,
                         shell::FileSystem& fs) {
  const json& spec = member(pod, "spec");
  const json& volumes = member(spec, "volumes");
  if (!volumes.is_array()) return;
  const json* c = nullptr;
  for (const char* list : {"containers", "initContainers"})
    for (const json& candidate : member(spec, list))
      if (!c && text(candidate, "name") == container) c = &candidate;
  if (!c) return;
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const json& v : volumes) {
    const json& source = member(v, kind.volume_field);
    if (!source.is_object()) continue;
    const json* stored = kind.lookup(ns, text(source, kind.name_field));
    if (!stored) continue;  // a missing object is FailedMount before the container starts (container_states.h)
    // pkg/volume/configmap/configmap.go and secret/secret.go MakePayload: keys as file names unless items map them.
    const json& data = member(*stored, "data");
    for (const json& mount : member(*c, "volumeMounts")) {
      if (text(mount, "name") != text(v, "name") || !text(mount, "subPath").empty()) continue;
      const std::string dir = text(mount, "mountPath");
      fs.make_dir(dir);
      const auto put = [&](const std::string& key, const std::string& path) {
        const json& value = member(data, key.c_str());
        if (!value.is_string()) return;
        const std::optional<std::string> bytes = kind.content(value.get<std::string>());
        if (!bytes) return;
        const std::string file = shell::FileSystem::resolve(dir, path);
        fs.make_dir(shell::FileSystem::parent(file));
        fs.write(file, *bytes, false);
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

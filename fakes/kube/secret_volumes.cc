#include "fakes/kube/secret_volumes.h"

#include "base/base64.h"
#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

const json* find_container(const json& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers"}) {
    const json& containers = member(member(pod, "spec"), list);
    if (!containers.is_array()) continue;
    for (const json& c : containers)
      if (text(c, "name") == name) return &c;
  }
  return nullptr;
}

}  // namespace

void project_secret_volumes(const json& pod, const std::string& container, const SecretLookup& secret,
                            shell::FileSystem& fs) {
  const json* c = find_container(pod, container);
  const json& volumes = member(member(pod, "spec"), "volumes");
  if (!c || !volumes.is_array()) return;
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const json& v : volumes) {
    const json& source = member(v, "secret");
    if (!source.is_object()) continue;
    const json* stored = secret(ns, text(source, "secretName"));
    if (!stored) continue;
    const json& data = member(*stored, "data");
    for (const json& mount : member(*c, "volumeMounts")) {
      if (text(mount, "name") != text(v, "name") || !text(mount, "subPath").empty()) continue;
      const std::string dir = text(mount, "mountPath");
      fs.make_dir(dir);
      const auto put = [&](const std::string& key, const std::string& path) {
        const json& value = member(data, key.c_str());
        if (!value.is_string()) return;
        const auto decoded = base64_decode(value.get<std::string>());
        if (!decoded) return;
        const std::string file = shell::FileSystem::resolve(dir, path);
        fs.make_dir(shell::FileSystem::parent(file));
        fs.write(file, *decoded, false);
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

void resolve_secret_env(json& pod, const std::string& container, const SecretLookup& secret) {
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const char* list : {"containers", "initContainers"}) {
    json& spec = pod["spec"];
    if (!spec.is_object() || !spec.contains(list) || !spec[list].is_array()) continue;
    for (json& c : spec[list]) {
      if (text(c, "name") != container || !c.contains("env") || !c["env"].is_array()) continue;
      json resolved = json::array();
      for (const json& e : c["env"]) {
        const json& ref = member(member(e, "valueFrom"), "secretKeyRef");
        if (!ref.is_object()) {
          resolved.push_back(e);
          continue;
        }
        const json* stored = secret(ns, text(ref, "name"));
        const json& value = stored ? member(member(*stored, "data"), text(ref, "key").c_str()) : json();
        const auto decoded = value.is_string() ? base64_decode(value.get<std::string>()) : std::nullopt;
        if (decoded) resolved.push_back({{"name", text(e, "name")}, {"value", *decoded}});
      }
      c["env"] = std::move(resolved);
    }
  }
}

}  // namespace kexsim::fakes

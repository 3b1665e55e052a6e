#include "fakes/kube/secret_volumes.h"

#include "base/base64.h"
#include "base/json_fields.h"
#include "fakes/kube/key_volumes.h"

namespace kexsim::fakes {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

void project_secret_volumes(const json& pod, const std::string& container, const SecretLookup& secret,
                            shell::FileSystem& fs) {
  // Secret data is base64 in the API; the file holds the decoded bytes, and an undecodable value none.
  const KeyVolumeKind kind{"secret", "secretName", secret, [](const std::string& value) {
                             std::optional<std::string> bytes;
                             if (auto decoded = base64_decode(value)) bytes = std::move(*decoded);
                             return bytes;
                           }};
  project_key_volumes(pod, container, kind, fs);
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

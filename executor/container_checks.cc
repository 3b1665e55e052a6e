#include "executor/container_checks.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it != obj.end() ? *it : kNull;
}

}  // namespace

std::optional<std::string> container_config_failure(const json& pod_status, Profile profile) {
  if (profile != Profile::kV19_4) return std::nullopt;
  // util.go getPodPhase: slices.Concat(ContainerStatuses, InitContainerStatuses).
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    const json& statuses = member(pod_status, list);
    if (!statuses.is_array()) continue;
    for (const json& status : statuses) {
      const json& ready = member(status, "ready");
      const json& waiting = member(member(status, "state"), "waiting");
      if ((ready.is_boolean() && ready.get<bool>()) || !waiting.is_object()) continue;
      if (member(waiting, "reason") != "CreateContainerConfigError") continue;
      const json& message = member(waiting, "message");
      return "container configuration error: " + (message.is_string() ? message.get<std::string>() : std::string());
    }
  }
  return std::nullopt;
}

}  // namespace kexsim::executor

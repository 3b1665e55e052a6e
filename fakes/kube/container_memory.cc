#include "fakes/kube/container_memory.h"

#include "fakes/kube/quantity.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const json* spec_container(const json& pod, const std::string& name) {
  const json* spec = pod.is_object() && pod.contains("spec") ? &pod["spec"] : nullptr;
  if (!spec || !spec->is_object()) return nullptr;
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec->contains(list) || !(*spec)[list].is_array()) continue;
    for (const json& c : (*spec)[list])
      if (c.is_object() && c.value("name", "") == name) return &c;
  }
  return nullptr;
}

}  // namespace

std::optional<uint64_t> container_memory_limit(const json& pod, const std::string& container) {
  const json* c = spec_container(pod, container);
  if (!c || !c->contains("resources")) return std::nullopt;
  const json& resources = (*c)["resources"];
  if (!resources.is_object() || !resources.contains("limits") || !resources["limits"].is_object()) return std::nullopt;
  const json& limits = resources["limits"];
  if (!limits.contains("memory")) return std::nullopt;
  const json& memory = limits["memory"];
  const std::string text = memory.is_string()   ? memory.get<std::string>()
                           : memory.is_number() ? memory.dump()
                                                : std::string();
  auto quantity = Quantity::parse(text);
  if (!quantity.ok() || quantity.value().value() <= 0) return std::nullopt;
  return static_cast<uint64_t>(quantity.value().value());
}

std::shared_ptr<MemoryCgroup> ContainerMemory::cgroup(const json& pod, const std::string& container) {
  const json& meta = pod.is_object() && pod.contains("metadata") ? pod["metadata"] : json();
  const std::string uid = meta.is_object() ? meta.value("uid", "") : "";
  auto& slot = cgroups_[{uid, container}];
  if (!slot) {
    slot = std::make_shared<MemoryCgroup>(container_memory_limit(pod, container), policy_.group_kill());
    // PID 1: the container's command. The runner's containers run a shell that waits on stdin.
    slot->grow(slot->start("sh", true), footprint::kShell);
  }
  return slot;
}

void ContainerMemory::release(const std::string& uid) {
  for (auto it = cgroups_.begin(); it != cgroups_.end();) it = it->first.first == uid ? cgroups_.erase(it) : ++it;
}

}  // namespace kexsim::fakes

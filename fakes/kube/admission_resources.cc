#include "fakes/kube/admission_resources.h"

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;

// addResourceList: the first value of a resource is copied, later ones added to it.
void add_into(ResourceList& sum, const ResourceList& more) {
  for (const auto& [name, q] : more) {
    auto it = sum.find(name);
    if (it == sum.end())
      sum.emplace(name, q);
    else
      it->second = it->second.plus(q);
  }
}

// maxResourceList: a resource takes the new value when it is absent or the new value is larger.
void max_into(ResourceList& list, const ResourceList& other) {
  for (const auto& [name, q] : other) {
    auto it = list.find(name);
    if (it == list.end())
      list.emplace(name, q);
    else if (q.compare(it->second) > 0)
      it->second = q;
  }
}

ResourceList pod_total(const json& pod, const char* part) {
  const json& spec = member(pod, "spec");
  ResourceList sum;
  const json& containers = member(spec, "containers");
  if (containers.is_array())
    for (const json& c : containers) add_into(sum, container_resources(c, part));
  ResourceList init;
  const json& inits = member(spec, "initContainers");
  if (inits.is_array())
    for (const json& c : inits) max_into(init, container_resources(c, part));
  max_into(sum, init);
  return sum;
}

void default_requests_to_limits(json& c) {
  if (!c.is_object() || !c.contains("resources") || !c["resources"].is_object()) return;
  json& res = c["resources"];
  if (!res.contains("limits") || !res["limits"].is_object()) return;
  json& requests = res["requests"];
  if (!requests.is_object()) requests = json::object();
  for (const auto& [name, value] : res["limits"].items())
    if (!requests.contains(name)) requests[name] = value;
}

}  // namespace

ResourceList resource_list(const json& list) {
  ResourceList out;
  if (!list.is_object()) return out;
  for (const auto& [name, value] : list.items()) {
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number_integer())
      text = std::to_string(value.get<int64_t>());
    else
      continue;
    if (auto q = Quantity::parse(text); q.ok()) out.emplace(name, *q);
  }
  return out;
}

ResourceList container_resources(const json& container, const char* part) {
  return resource_list(member(member(container, "resources"), part));
}

ResourceList pod_request_list(const json& pod) { return pod_total(pod, "requests"); }
ResourceList pod_limit_list(const json& pod) { return pod_total(pod, "limits"); }

void default_requests_from_limits(json& pod) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) return;
  for (const char* list : {"containers", "initContainers"}) {
    auto it = pod["spec"].find(list);
    if (it == pod["spec"].end() || !it->is_array()) continue;
    for (json& c : *it) default_requests_to_limits(c);
  }
}

std::vector<const json*> pod_containers(const json& pod) {
  std::vector<const json*> out;
  for (const char* list : {"initContainers", "containers"}) {
    const json& containers = member(member(pod, "spec"), list);
    if (containers.is_array())
      for (const json& c : containers) out.push_back(&c);
  }
  return out;
}

std::string pretty_print(const ResourceList& list) {
  std::string out;
  for (const auto& [name, q] : list) out += (out.empty() ? "" : ",") + name + "=" + q.to_string();
  return out;
}

ResourceList add_lists(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  add_into(out, b);
  return out;
}

}  // namespace kexsim::fakes

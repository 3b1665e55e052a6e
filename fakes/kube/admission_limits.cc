#include "fakes/kube/admission_limits.h"

#include <cstdio>
#include <set>

#include "base/json_fields.h"
#include "fakes/kube/admission_resources.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

// core/v1 SetDefaults_LimitRangeItem (Container items): default from max, defaultRequest from
// default, then from min.
struct ContainerDefaults {
  ResourceList limits, requests;
};

ContainerDefaults container_defaults(const std::vector<json>& ranges) {
  ContainerDefaults out;
  for (const json& range : ranges) {
    const json& items = member(member(range, "spec"), "limits");
    if (!items.is_array()) continue;
    for (const json& item : items) {
      if (text(item, "type") != "Container") continue;
      ResourceList def = resource_list(member(item, "default"));
      for (const auto& [name, q] : resource_list(member(item, "max"))) def.emplace(name, q);
      ResourceList req = resource_list(member(item, "defaultRequest"));
      for (const auto& [name, q] : def) req.emplace(name, q);
      for (const auto& [name, q] : resource_list(member(item, "min"))) req.emplace(name, q);
      for (const auto& [name, q] : def) out.limits.insert_or_assign(name, q);
      for (const auto& [name, q] : req) out.requests.insert_or_assign(name, q);
    }
  }
  return out;
}

// mergeContainerResources: fills what the container lacks; returns the annotation entries.
void merge(json& c, const ContainerDefaults& d, const std::string& prefix, std::vector<std::string>& notes) {
  if (!c.is_object()) return;
  json& res = c["resources"];
  if (!res.is_object()) res = json::object();
  std::string set_limits, set_requests;
  for (const auto& [part, list, set] :
       {std::tuple<const char*, const ResourceList*, std::string*>{"limits", &d.limits, &set_limits},
        {"requests", &d.requests, &set_requests}}) {
    for (const auto& [name, q] : *list) {
      json& target = res[part];
      if (!target.is_object()) target = json::object();
      if (target.contains(name)) continue;
      target[name] = q.to_string();
      *set += (set->empty() ? "" : ", ") + name;  // ResourceList keys are sorted already
    }
  }
  const std::string name = text(c, "name");
  if (!set_requests.empty()) notes.push_back(set_requests + " request for " + prefix + " " + name);
  if (!set_limits.empty()) notes.push_back(set_limits + " limit for " + prefix + " " + name);
}

struct Observed {
  int64_t request = 0, limit = 0, enforced = 0;
};

// requestLimitEnforcedValues: milli-units when none overflows them (always, at these sizes).
Observed observed(const Quantity* req, const Quantity* lim, const Quantity& enforced) {
  return {req ? req->milli() : 0, lim ? lim->milli() : 0, enforced.milli()};
}

const Quantity* find(const ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? nullptr : &it->second;
}

// plugin/pkg/admission/limitranger/admission.go minConstraint: "minimum %s usage per %s is %s, but request is %s"
// (", but limit is %s"; ".  No request is specified").
std::optional<std::string> min_constraint(const std::string& type, const std::string& res, const Quantity& enforced,
                                          const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, res);
  const Quantity* lim = find(limits, res);
  const Observed o = observed(req, lim, enforced);
  const std::string head = "minimum " + res + " usage per " + type + " is " + enforced.to_string();
  if (!req) return head + ".  No request is specified";
  if (o.request < o.enforced) return head + ", but request is " + req->to_string();
  if (lim && o.limit < o.enforced) return head + ", but limit is " + lim->to_string();
  return std::nullopt;
}

// plugin/pkg/admission/limitranger/admission.go maxConstraint: "maximum %s usage per %s is %s, but limit is %s"
// (", but request is %s"; ".  No limit is specified").
std::optional<std::string> max_constraint(const std::string& type, const std::string& res, const Quantity& enforced,
                                          const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, res);
  const Quantity* lim = find(limits, res);
  const Observed o = observed(req, lim, enforced);
  const std::string head = "maximum " + res + " usage per " + type + " is " + enforced.to_string();
  if (!lim) return head + ".  No limit is specified";
  if (o.limit > o.enforced) return head + ", but limit is " + lim->to_string();
  if (req && o.request > o.enforced) return head + ", but request is " + req->to_string();
  return std::nullopt;
}

std::optional<std::string> ratio_constraint(const std::string& type, const std::string& res, const Quantity& enforced,
                                            const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, res);
  const Quantity* lim = find(limits, res);
  const std::string head = res + " max limit to request ratio per " + type + " is " + enforced.to_string();
  if (!req || req->is_zero()) return head + ", but no request is specified or request is 0";
  if (!lim || lim->is_zero()) return head + ", but no limit is specified or limit is 0";
  const double ratio = static_cast<double>(lim->milli()) / static_cast<double>(req->milli());
  const double max = static_cast<double>(enforced.milli()) / 1000.0;
  if (ratio <= max) return std::nullopt;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", ratio);  // Go's %f: six decimals
  return head + ", but provided ratio is " + buf;
}

void check_item(const json& item, const std::string& type, const ResourceList& requests, const ResourceList& limits,
                std::vector<std::string>& errors) {
  const auto run = [&](const char* key, auto constraint) {
    for (const auto& [res, q] : resource_list(member(item, key)))
      if (auto e = constraint(type, res, q, requests, limits)) errors.push_back(*e);
  };
  run("min", min_constraint);
  run("max", max_constraint);
  run("maxLimitRequestRatio", ratio_constraint);
}

}  // namespace

void apply_limit_defaults(const std::vector<json>& ranges, json& pod) {
  const ContainerDefaults d = container_defaults(ranges);
  if (d.limits.empty() && d.requests.empty()) return;
  std::vector<std::string> notes;
  json& spec = pod["spec"];
  for (const auto& [list, prefix] :
       {std::pair<const char*, const char*>{"containers", "container"}, {"initContainers", "init container"}}) {
    auto it = spec.find(list);
    if (it == spec.end() || !it->is_array()) continue;
    for (json& c : *it) merge(c, d, prefix, notes);
  }
  if (notes.empty()) return;
  std::string value = "LimitRanger plugin set: ";
  for (size_t i = 0; i < notes.size(); ++i) value += (i ? "; " : "") + notes[i];
  json& annotations = pod["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = json::object();
  annotations["kubernetes.io/limit-ranger"] = value;
}

std::optional<std::string> check_limits(const std::vector<json>& ranges, const json& pod) {
  std::vector<std::string> errors;
  for (const json& range : ranges) {
    const json& items = member(member(range, "spec"), "limits");
    if (!items.is_array()) continue;
    for (const json& item : items) {
      const std::string type = text(item, "type");
      if (type == "Container") {
        // Go visits containers, then init containers; map keys in sorted order here (Go's is random).
        for (const char* list : {"containers", "initContainers"}) {
          const json& containers = member(member(pod, "spec"), list);
          if (!containers.is_array()) continue;
          for (const json& c : containers)
            check_item(item, type, container_resources(c, "requests"), container_resources(c, "limits"), errors);
        }
      } else if (type == "Pod") {
        check_item(item, type, pod_request_list(pod), pod_limit_list(pod), errors);
      }
    }
  }
  // utilerrors.NewAggregate: duplicates dropped, one message bare, several as "[a, b]".
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const std::string& e : errors)
    if (seen.insert(e).second) unique.push_back(e);
  if (unique.empty()) return std::nullopt;
  if (unique.size() == 1) return unique.front();
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) out += (i ? ", " : "") + unique[i];
  return out + "]";
}

}  // namespace kexsim::fakes

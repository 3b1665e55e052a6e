#include "fakes/kube/admission_quota.h"

#include <algorithm>
#include <set>

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

// pods.go podResources: the quota resources the pod evaluator tracks (hugepages are not modelled).
const std::set<std::string> kPodResources = {"count/pods",
                                             "pods",
                                             "cpu",
                                             "memory",
                                             "ephemeral-storage",
                                             "requests.cpu",
                                             "requests.memory",
                                             "requests.ephemeral-storage",
                                             "limits.cpu",
                                             "limits.memory",
                                             "limits.ephemeral-storage"};

// pods.go validationSet: quota on these makes every container state them ("this was a mistake").
const std::set<std::string> kValidationSet = {"cpu",        "memory",       "requests.cpu", "requests.memory",
                                              "limits.cpu", "limits.memory"};

// podComputeUsageHelper: pods=1 and the requests./limits. forms of what requests and limits name.
ResourceList compute_usage(const ResourceList& requests, const ResourceList& limits) {
  ResourceList out;
  out.emplace("pods", Quantity::of(1));
  for (const char* res : {"cpu", "memory", "ephemeral-storage"}) {
    if (auto it = requests.find(res); it != requests.end()) {
      out.emplace(res, it->second);
      out.emplace(std::string("requests.") + res, it->second);
    }
    if (auto it = limits.find(res); it != limits.end()) out.emplace(std::string("limits.") + res, it->second);
  }
  return out;
}

ResourceList mask(const ResourceList& list, const std::set<std::string>& names) {
  ResourceList out;
  for (const auto& [name, q] : list)
    if (names.count(name)) out.emplace(name, q);
  return out;
}

std::set<std::string> names_of(const ResourceList& list) {
  std::set<std::string> out;
  for (const auto& [name, q] : list) out.insert(name);
  return out;
}

// Quantity.Add: a zero takes the other operand's format.
ResourceList add(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [name, q] : b) {
    auto it = out.find(name);
    if (it == out.end())
      out.emplace(name, q);
    else
      it->second = it->second.is_zero() ? q : it->second.plus(q);
  }
  return out;
}

bool terminal(const json& pod) {
  const std::string phase = text(member(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

// The pod evaluator's Constraints error for the resources a quota tracks, or "".
std::string constraints(const std::set<std::string>& tracked, const json& pod, int minor) {
  std::set<std::string> required;
  for (const std::string& r : tracked)
    if (kValidationSet.count(r)) required.insert(r);
  std::map<std::string, std::set<std::string>> missing;  // resource -> container names
  for (const json* c : pod_containers(pod)) {
    const ResourceList usage = compute_usage(container_resources(*c, "requests"), container_resources(*c, "limits"));
    for (const std::string& r : required)
      if (!usage.count(r)) missing[r].insert(text(*c, "name"));
  }
  if (missing.empty()) return {};
  // kubernetes pkg/quota/v1/evaluator/core/pods.go podEvaluator.Constraints: fmt.Errorf("must specify %s", ...).
  std::string out = "must specify ";
  bool first = true;
  for (const auto& [resource, containers] : missing) {
    if (minor < 24) {
      // The 1.22/1.23 form: the resources alone, joined with ",".
      out += (first ? "" : ",") + resource;
    } else {
      std::string names;
      for (const std::string& n : containers) names += (names.empty() ? "" : ",") + n;
      out += (first ? "" : "; ") + resource + " for: " + names;
    }
    first = false;
  }
  return out;
}

}  // namespace

ResourceList pod_quota_usage(const json& pod) {
  ResourceList out;
  out.emplace("count/pods", Quantity::of(1));
  if (terminal(pod)) return out;
  return add(out, compute_usage(pod_request_list(pod), pod_limit_list(pod)));
}

ResourceList quota_used(const json& quota, const std::vector<json>& pods) {
  const ResourceList hard = resource_list(member(member(quota, "spec"), "hard"));
  ResourceList used;
  for (const auto& [name, q] : hard)
    if (kPodResources.count(name)) used.emplace(name, Quantity::of(0));
  const std::set<std::string> tracked = names_of(used);
  for (const json& pod : pods) used = add(used, mask(pod_quota_usage(pod), tracked));
  return used;
}

json quota_with_status(json quota, const std::vector<json>& pods) {
  json hard = json::object();
  for (const auto& [name, q] : resource_list(member(member(quota, "spec"), "hard"))) hard[name] = q.to_string();
  json used = json::object();
  for (const auto& [name, q] : quota_used(quota, pods)) used[name] = q.to_string();
  quota["status"] = {{"hard", hard}, {"used", used}};
  return quota;
}

std::optional<std::string> check_quotas(const std::vector<json>& quotas, const json& pod, const std::vector<json>& pods,
                                        int minor) {
  // controller.go checkRequest: every matching quota's constraints first, then the usage check.
  std::vector<const json*> interesting;
  for (const json& quota : quotas) {
    std::set<std::string> tracked;
    for (const auto& [name, q] : resource_list(member(member(quota, "spec"), "hard")))
      if (kPodResources.count(name)) tracked.insert(name);
    if (tracked.empty()) continue;
    const std::string name = text(member(quota, "metadata"), "name");
    if (std::string err = constraints(tracked, pod, minor); !err.empty()) return "failed quota: " + name + ": " + err;
    interesting.push_back(&quota);
  }
  const ResourceList delta = pod_quota_usage(pod);
  for (const json* quota : interesting) {
    const ResourceList hard = resource_list(member(member(*quota, "spec"), "hard"));
    const ResourceList used = quota_used(*quota, pods);
    const ResourceList requested = mask(delta, names_of(hard));
    const ResourceList masked_new = mask(add(used, requested), names_of(requested));
    std::set<std::string> exceeded;
    for (const auto& [name, q] : masked_new)
      if (auto h = hard.find(name); h != hard.end() && q.compare(h->second) > 0) exceeded.insert(name);
    if (exceeded.empty()) continue;
    // apiserver pkg/admission/plugin/resourcequota/controller.go CheckRequest:
    // "exceeded quota: %s, requested: %s, used: %s, limited: %s".
    return "exceeded quota: " + text(member(*quota, "metadata"), "name") +
           ", requested: " + pretty_print(mask(requested, exceeded)) + ", used: " + pretty_print(mask(used, exceeded)) +
           ", limited: " + pretty_print(mask(hard, exceeded));
  }
  return std::nullopt;
}

}  // namespace kexsim::fakes

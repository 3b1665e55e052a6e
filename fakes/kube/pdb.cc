#include "fakes/kube/pdb.h"

#include <algorithm>
#include <string>

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

bool ready(const json& pod) {
  if (member(pod, "metadata").contains("deletionTimestamp")) return false;
  for (const json& c : member(member(pod, "status"), "conditions"))
    if (text(c, "type") == "Ready") return text(c, "status") == "True";
  return false;
}

bool terminal_or_pending(const json& pod) {
  // eviction.go canIgnorePDB: Succeeded, Failed and Pending pods, and pods already being deleted.
  const std::string phase = text(member(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed" || phase == "Pending" ||
         member(pod, "metadata").contains("deletionTimestamp");
}

// An IntOrString against a pod count: "N%" rounds up (intstr.GetScaledValueFromIntOrPercent, roundUp).
int64_t scaled(const json& value, int64_t total) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return 0;
  std::string s = value.get<std::string>();
  if (!s.empty() && s.back() == '%') s.pop_back();
  const int64_t percent = std::atoll(s.c_str());
  return (percent * total + 99) / 100;
}

int64_t count(const json& status, const char* key) {
  const json& v = member(status, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

}  // namespace

bool pdb_selects(const json& pdb, const json& labels) {
  const json& selector = member(member(pdb, "spec"), "selector");
  if (!selector.is_object()) return false;
  const auto label = [&labels](const std::string& key) -> const json* {
    return labels.is_object() && labels.contains(key) ? &labels[key] : nullptr;
  };
  if (member(selector, "matchLabels").is_object())
    for (const auto& [key, value] : selector["matchLabels"].items())
      if (const json* have = label(key); !have || *have != value) return false;
  for (const json& e : member(selector, "matchExpressions")) {
    const json* have = label(text(e, "key"));
    const std::string op = text(e, "operator");
    const json& values = member(e, "values");
    const bool listed = have && values.is_array() && std::find(values.begin(), values.end(), *have) != values.end();
    if ((op == "In" && !listed) || (op == "NotIn" && listed) || (op == "Exists" && !have) ||
        (op == "DoesNotExist" && have))
      return false;
  }
  return true;
}

json pdb_with_status(const json& pdb, const std::vector<json>& pods) {
  int64_t expected = 0, healthy = 0;
  for (const json& pod : pods) {
    if (!pdb_selects(pdb, member(member(pod, "metadata"), "labels"))) continue;
    ++expected;
    if (ready(pod)) ++healthy;
  }
  const json& spec = member(pdb, "spec");
  int64_t desired = 0;
  if (spec.contains("minAvailable")) {
    desired = scaled(spec["minAvailable"], expected);
  } else if (spec.contains("maxUnavailable")) {
    desired = std::max<int64_t>(0, expected - scaled(spec["maxUnavailable"], expected));
  }
  const int64_t allowed = std::max<int64_t>(0, healthy - desired);
  json out = pdb;
  const json& meta = member(pdb, "metadata");
  json status = {{"observedGeneration", member(meta, "generation").is_number_integer() ? meta["generation"] : json(1)},
                 {"disruptionsAllowed", allowed},
                 {"currentHealthy", healthy},
                 {"desiredHealthy", desired},
                 {"expectedPods", expected}};
  // disruption.go buildDisruptedPodMap / updatePdbStatus: the DisruptionAllowed condition.
  const std::string since = text(meta, "creationTimestamp");
  status["conditions"] = json::array({{{"type", "DisruptionAllowed"},
                                       {"status", allowed > 0 ? "True" : "False"},
                                       {"reason", allowed > 0 ? "SufficientPods" : "InsufficientPods"},
                                       {"message", ""},
                                       {"observedGeneration", status["observedGeneration"]},
                                       {"lastTransitionTime", since}}});
  out["status"] = std::move(status);
  return out;
}

std::optional<ApiStatus> eviction_refusal(const json& pod, const std::vector<json>& pdbs) {
  if (terminal_or_pending(pod)) return std::nullopt;
  std::vector<const json*> covering;
  for (const json& pdb : pdbs)
    if (pdb_selects(pdb, member(member(pod, "metadata"), "labels"))) covering.push_back(&pdb);
  if (covering.empty()) return std::nullopt;
  if (covering.size() > 1) {
    // pkg/registry/core/pod/storage/eviction.go Create.
    return status_failure(500, "InternalError",
                          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not "
                          "support.",
                          nullptr);
  }
  const json& pdb = *covering.front();
  const json& status = member(pdb, "status");
  const int64_t healthy = count(status, "currentHealthy"), desired = count(status, "desiredHealthy");
  // Unhealthy pods: the default IfHealthyBudget policy evicts them only while the budget is met.
  const std::string policy = text(member(pdb, "spec"), "unhealthyPodEvictionPolicy");
  if (!ready(pod) && (policy == "AlwaysAllow" || healthy >= desired)) return std::nullopt;
  if (count(status, "disruptionsAllowed") > 0) return std::nullopt;
  // eviction.go checkAndDecrement: errors.NewTooManyRequests(..., 0) with a DisruptionBudget cause
  // (policyv1.DisruptionBudgetCause); retry-after 0 leaves retryAfterSeconds out.
  ojson details = ojson::object();
  details["causes"] = ojson::array({ojson{
      {"reason", "DisruptionBudget"},
      {"message", "The disruption budget " + text(member(pdb, "metadata"), "name") + " needs " +
                      std::to_string(desired) + " healthy pods and has " + std::to_string(healthy) + " currently"}}});
  return status_failure(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                        &details);
}

}  // namespace kexsim::fakes

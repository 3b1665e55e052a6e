#include "sim/scenario_cluster_extras.h"

#include <map>
#include <string>

namespace kexsim::sim {
namespace {

using nlohmann::json;

const char kExtrasHint[] = "see docs/scenarios.md, \"ConfigMaps and declared budgets\"";

bool require_string(TomlTable& t, std::string_view key, std::string& out, const std::string& hint) {
  return t.require(key, hint) && t.get(key, out);
}

json config_map(TomlTable& t) {
  std::string name, ns;
  std::map<std::string, std::string> data;
  require_string(t, "name", name, "name the ConfigMap, e.g. name = \"build-settings\"");
  require_string(t, "namespace", ns, "a ConfigMap lives in a namespace");
  t.get("data", data);
  t.reject_unread();
  json out = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"namespace", ns}}}};
  if (!data.empty()) out["data"] = data;
  return out;
}

json disruption_budget(TomlTable& t) {
  std::string name, ns;
  std::map<std::string, std::string> labels;
  int min_available = -1, max_unavailable = -1;
  require_string(t, "name", name, "name the PodDisruptionBudget, e.g. name = \"ci-jobs\"");
  require_string(t, "namespace", ns, "a PodDisruptionBudget lives in a namespace");
  t.get("match_labels", labels);
  const bool min = t.get("min_available", min_available);
  const bool max = t.get("max_unavailable", max_unavailable);
  if (min == max || min_available < -1 || max_unavailable < -1 || (min && min_available < 0) ||
      (max && max_unavailable < 0))
    t.context().fail(t.raw().source(), t.prefix() + ": set exactly one of min_available and max_unavailable (>= 0)",
                     kExtrasHint);
  t.reject_unread();
  json spec = {{"selector", {{"matchLabels", labels}}}};
  if (min) spec["minAvailable"] = min_available;
  if (max) spec["maxUnavailable"] = max_unavailable;
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", spec}};
}

}  // namespace

void read_cluster_extras(TomlTable& cluster, Scenario& s) {
  for (const toml::table* entry : cluster.tables("config_maps")) {
    TomlTable t(*entry, cluster.path("config_maps"), cluster.context());
    s.cluster_objects.push_back(config_map(t));
  }
  for (const toml::table* entry : cluster.tables("pod_disruption_budgets")) {
    TomlTable t(*entry, cluster.path("pod_disruption_budgets"), cluster.context());
    s.cluster_objects.push_back(disruption_budget(t));
  }
}

}  // namespace kexsim::sim

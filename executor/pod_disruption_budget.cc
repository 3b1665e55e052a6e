#include "executor/pod_disruption_budget.h"

#include <string>

#include "base/json_fields.h"

namespace kexsim {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

json pod_disruption_budget_for(const json& pod) {
  const json& meta = member(pod, "metadata");
  const std::string name = text(meta, "name");
  // kubernetes.go createPodDisruptionBudget: the selector is the label every job pod carries,
  // "job." + runnerLabelNamespace + "/pod" = sanitizeLabel(ProjectUniqueName()).
  const std::string key = "job.runner.gitlab.com/pod";
  const json& labels = member(meta, "labels");
  const json selector_value = labels.is_object() && labels.contains(key) ? labels[key] : json("");
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata",
           {{"name", name + "-pdb"},
            {"namespace", text(meta, "namespace")},
            // buildPodReferences: apiVersion v1, kind Pod, the pod's name and uid.
            {"ownerReferences",
             json::array({{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", name}, {"uid", text(meta, "uid")}}})}}},
          {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{key, selector_value}}}}}}}};
}

}  // namespace kexsim

#include "executor/config_resources.h"

#include <string>
#include <utility>

namespace kexsim::executor {

void read_overwrite_keys(TomlTable& k8s, KubernetesConfig& out) {
  k8s.get("namespace_overwrite_allowed", out.namespace_overwrite_allowed);
  k8s.get("service_account_overwrite_allowed", out.service_account_overwrite_allowed);
  k8s.get("bearer_token_overwrite_allowed", out.bearer_token_overwrite_allowed);
  k8s.get("pod_labels_overwrite_allowed", out.pod_labels_overwrite_allowed);
  k8s.get("pod_annotations_overwrite_allowed", out.pod_annotations_overwrite_allowed);
  k8s.get("node_selector_overwrite_allowed", out.node_selector_overwrite_allowed);
  k8s.get("node_tolerations_overwrite_allowed", out.node_tolerations_overwrite_allowed);
  k8s.get("pod_labels", out.pod_labels);
  k8s.get("pod_annotations", out.pod_annotations);
  k8s.get("namespace_per_job", out.namespace_per_job);
  k8s.get("automount_service_account_token", out.automount_service_account_token);
  k8s.get("use_service_account_image_pull_secrets", out.use_service_account_image_pull_secrets);
  for (auto [key, target] :
       {std::pair{"ephemeral_storage_limit", &out.ephemeral_storage_limit},
        std::pair{"ephemeral_storage_request", &out.ephemeral_storage_request},
        std::pair{"helper_ephemeral_storage_limit", &out.helper_ephemeral_storage_limit},
        std::pair{"helper_ephemeral_storage_request", &out.helper_ephemeral_storage_request},
        std::pair{"service_ephemeral_storage_limit", &out.service_ephemeral_storage_limit},
        std::pair{"service_ephemeral_storage_request", &out.service_ephemeral_storage_request},
        std::pair{"pod_cpu_limit", &out.pod_cpu_limit}, std::pair{"pod_cpu_request", &out.pod_cpu_request},
        std::pair{"pod_memory_limit", &out.pod_memory_limit},
        std::pair{"pod_memory_request", &out.pod_memory_request}}) {
    k8s.get(key, *target);
  }
  // Every *_overwrite_max_allowed of common/config.go: build, helper_, service_ (cpu, memory,
  // ephemeral_storage) and pod_ (cpu, memory), each for _limit and _request.
  for (const char* kind : {"", "helper_", "service_", "pod_"}) {
    for (const char* res : {"cpu", "memory", "ephemeral_storage"}) {
      if (std::string(kind) == "pod_" && std::string(res) == "ephemeral_storage") continue;
      for (const char* list : {"_limit", "_request"}) {
        const std::string key = std::string(kind) + res + list;
        std::string value;
        if (k8s.get(key + "_overwrite_max_allowed", value)) out.overwrite_max_allowed[key] = value;
      }
    }
  }
}

}  // namespace kexsim::executor

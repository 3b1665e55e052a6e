#include "fakes/kube/pod_facts.h"

#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

PodFacts pod_facts(const json& pod) {
  // Mirrors the conditions of container_config_error() and missing_volume() (container_states.cc):
  // only a pod that passes them can ever have a config error or a missing volume.
  PodFacts facts;
  const json& spec = member(pod, "spec");
  for (const json& c : member(spec, "containers")) {
    for (const json& from : member(c, "envFrom")) {
      const json& ref = member(from, "secretRef");
      facts.secret_env = facts.secret_env || (ref.is_object() && member(ref, "optional") != true);
    }
    for (const json& env : member(c, "env")) {
      const json& ref = member(member(env, "valueFrom"), "secretKeyRef");
      facts.secret_env = facts.secret_env || (ref.is_object() && member(ref, "optional") != true);
    }
  }
  const json& volumes = member(spec, "volumes");
  if (volumes.is_array())
    for (const json& v : volumes) {
      const json& secret = member(v, "secret");
      const json& config_map = member(v, "configMap");
      facts.object_volumes = facts.object_volumes || (secret.is_object() && !member(secret, "optional").is_boolean()) ||
                             (config_map.is_object() && !member(config_map, "optional").is_boolean());
    }
  const json& deadline = member(spec, "activeDeadlineSeconds");
  if (deadline.is_number_integer()) facts.deadline = deadline.get<int64_t>();
  return facts;
}

const PodFacts& PodFactsCache::of(const StoredObject& pod) {
  const json& meta = member(pod.object, "metadata");
  const json& uid = member(meta, "uid");
  const json& version = member(meta, "resourceVersion");
  static const std::string kNone;
  const std::string& key = uid.is_string() ? uid.get_ref<const std::string&>() : kNone;
  const std::string& rv = version.is_string() ? version.get_ref<const std::string&>() : kNone;
  auto it = facts_.find(key);
  if (it == facts_.end()) {
    it = facts_.emplace(key, Entry{rv, pod_facts(pod.object)}).first;
  } else if (it->second.resource_version != rv) {
    it->second = Entry{rv, pod_facts(pod.object)};
  }
  return it->second.facts;
}

}  // namespace kexsim::fakes

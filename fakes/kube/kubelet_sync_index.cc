#include "fakes/kube/kubelet_sync_index.h"

#include <algorithm>
#include <chrono>

#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

PodFacts pod_facts(const json& pod) {
  // Mirrors container_config_error() and missing_volume() (container_states.cc): a pod failing these
  // tests can never have a config error or a missing volume, whatever the store holds.
  PodFacts facts;
  const json& spec = member(pod, "spec");
  for (const json& c : member(spec, "containers")) {
    for (const json& from : member(c, "envFrom")) {
      for (const char* kind : {"secretRef", "configMapRef"}) {
        const json& ref = member(from, kind);
        facts.secret_env = facts.secret_env || (ref.is_object() && member(ref, "optional") != true);
      }
    }
    for (const json& env : member(c, "env")) {
      for (const char* kind : {"secretKeyRef", "configMapKeyRef"}) {
        const json& ref = member(member(env, "valueFrom"), kind);
        facts.secret_env = facts.secret_env || (ref.is_object() && member(ref, "optional") != true);
      }
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

void KubeletSyncIndex::admit(const json& pod, TimePoint created) {
  const json& meta = member(pod, "metadata");
  const std::string uid = text(meta, "uid");
  forget(uid);
  const Entry entry{text(meta, "namespace"), text(meta, "name"), uid};
  const PodFacts facts = pod_facts(pod);
  entries_[uid] = entry;
  if (facts.secret_env || facts.object_volumes) {
    always_.insert(entry);
    where_[uid] = {true, TimePoint{}};
  } else if (facts.deadline) {
    const TimePoint due = created + std::chrono::seconds(*facts.deadline);
    by_deadline_.emplace(due, entry);
    where_[uid] = {false, due};
  }
}

void KubeletSyncIndex::forget(const std::string& uid) {
  auto entry = entries_.find(uid);
  if (entry == entries_.end()) return;
  auto where = where_.find(uid);
  if (where != where_.end()) {
    if (where->second.first) {
      always_.erase(entry->second);
    } else {
      auto [first, last] = by_deadline_.equal_range(where->second.second);
      for (auto it = first; it != last; ++it)
        if (it->second == entry->second) {
          by_deadline_.erase(it);
          break;
        }
    }
    where_.erase(where);
  }
  entries_.erase(entry);
}

std::vector<KubeletSyncIndex::Entry> KubeletSyncIndex::candidates(TimePoint now) const {
  std::vector<Entry> out(always_.begin(), always_.end());
  for (auto it = by_deadline_.begin(); it != by_deadline_.end() && it->first <= now; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace kexsim::fakes

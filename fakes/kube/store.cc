#include "fakes/kube/store.h"

#include <algorithm>
#include <charconv>

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

// The alphabet of apiserver's SimpleNameGenerator: no vowels, no look-alike digits.
constexpr const char* kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr size_t kNameSuffixLength = 5;

const std::vector<std::string> kCrud = {"create", "delete", "get", "list", "watch"};
const std::vector<std::string> kCrudUpdate = {"create", "delete", "get", "list", "update", "watch"};
const std::string kRbac = "rbac.authorization.k8s.io";

// Cluster-scoped objects are keyed without a namespace, whatever the caller passes.
std::string scope_of(const std::string& resource, const std::string& ns) {
  const ResourceType* type = find_plural(resource);
  return type && !type->namespaced ? std::string() : ns;
}

}  // namespace

bool ResourceType::serves(const std::string& verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

const std::vector<ResourceType>& served_resources() {
  static const std::vector<ResourceType> types = {
      {"", "namespaces", "Namespace", "namespace", false, kCrud, {"ns"}},
      {"", "serviceaccounts", "ServiceAccount", "serviceaccount", true, kCrud, {"sa"}},
      {"", "secrets", "Secret", "secret", true, kCrudUpdate, {}},
      {"", "pods", "Pod", "pod", true, kCrud, {"po"}},
      {"", "events", "Event", "event", true, {"list", "watch"}, {"ev"}},
      {"", "nodes", "Node", "node", false, {"get", "list"}, {"no"}},
      {"", "resourcequotas", "ResourceQuota", "resourcequota", true, kCrudUpdate, {"quota"}},
      {"", "limitranges", "LimitRange", "limitrange", true, kCrudUpdate, {"limits"}},
      {"", "configmaps", "ConfigMap", "configmap", true, kCrudUpdate, {"cm"}},
      {kRbac, "roles", "Role", "role", true, kCrudUpdate, {}},
      {kRbac, "rolebindings", "RoleBinding", "rolebinding", true, kCrudUpdate, {}},
      {kRbac, "clusterroles", "ClusterRole", "clusterrole", false, kCrudUpdate, {}},
      {kRbac, "clusterrolebindings", "ClusterRoleBinding", "clusterrolebinding", false, kCrudUpdate, {}},
      {"authorization.k8s.io",
       "selfsubjectaccessreviews",
       "SelfSubjectAccessReview",
       "selfsubjectaccessreview",
       false,
       {"create"},
       {}},
      {"policy", "poddisruptionbudgets", "PodDisruptionBudget", "poddisruptionbudget", true, kCrudUpdate, {"pdb"}},
      {"admissionregistration.k8s.io",
       "validatingwebhookconfigurations",
       "ValidatingWebhookConfiguration",
       "validatingwebhookconfiguration",
       false,
       kCrudUpdate,
       {}},
  };
  return types;
}

const ResourceType* find_resource(const std::string& group, const std::string& resource) {
  for (const auto& t : served_resources())
    if (t.group == group && t.resource == resource) return &t;
  return nullptr;
}

const ResourceType* find_plural(const std::string& resource) {
  for (const auto& t : served_resources())
    if (t.resource == resource) return &t;
  return nullptr;
}

const ResourceType* find_kind(const std::string& kind) {
  for (const auto& t : served_resources())
    if (t.kind == kind) return &t;
  return nullptr;
}

Store::Store(Clock& clock, Random& random) : clock_(clock), random_(random) {}

std::string Store::generate_name(const std::string& prefix) {
  return prefix + random_.chars(kNameSuffixLength, kNameAlphabet);
}

ApiResult<nlohmann::json> Store::create(const ResourceType& type, const std::string& ns, nlohmann::json object,
                                        bool name_generated) {
  nlohmann::json& meta = object["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  std::string name = meta.contains("name") && meta["name"].is_string() ? meta["name"].get<std::string>() : "";
  bool generated = name_generated;
  if (name.empty() && meta.contains("generateName") && meta["generateName"].is_string()) {
    name = generate_name(meta["generateName"].get<std::string>());
    generated = true;
  }
  const std::string scope = type.namespaced ? ns : std::string();
  Key key{type.resource, scope, name};
  if (objects_.count(key)) {
    if (generated) return status_generate_name_conflict(type.group_resource(), name, 1);
    return status_already_exists(type.group_resource(), name);
  }
  const TimePoint now = clock_.now();
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  meta["name"] = name;
  if (type.namespaced)
    meta["namespace"] = ns;
  else
    meta.erase("namespace");
  meta["uid"] = random_.uuid();
  meta["resourceVersion"] = next_resource_version();
  meta["creationTimestamp"] = format_rfc3339(now);
  objects_[key] = StoredObject{object, now};
  record("ADDED", key, presented(type.resource, objects_[key]), nullptr);
  return object;
}

ApiResult<nlohmann::json> Store::update(const ResourceType& type, const std::string& ns, const std::string& name,
                                        nlohmann::json object) {
  const std::string scope = type.namespaced ? ns : std::string();
  auto it = objects_.find(Key{type.resource, scope, name});
  if (it == objects_.end()) return status_not_found(type.group_resource(), name);
  nlohmann::json& meta = object["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  const nlohmann::json& old_meta = it->second.object["metadata"];
  const std::string sent_version = meta.contains("resourceVersion") && meta["resourceVersion"].is_string()
                                       ? meta["resourceVersion"].get<std::string>()
                                       : "";
  if (!sent_version.empty() && sent_version != old_meta["resourceVersion"].get<std::string>())
    return status_conflict(type.group_resource(), name);
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  meta["name"] = name;
  if (type.namespaced) meta["namespace"] = ns;
  meta["uid"] = old_meta["uid"];
  meta["creationTimestamp"] = old_meta["creationTimestamp"];
  meta["resourceVersion"] = next_resource_version();
  nlohmann::json previous = presented(type.resource, it->second);
  it->second.object = object;
  record("MODIFIED", it->first, presented(type.resource, it->second), std::move(previous));
  return object;
}

std::optional<StoredObject> Store::remove(const std::string& resource, const std::string& ns, const std::string& name,
                                          const nlohmann::json* last_state) {
  const std::string scope = scope_of(resource, ns);
  auto it = objects_.find(Key{resource, scope, name});
  if (it == objects_.end()) return std::nullopt;
  StoredObject out = it->second;
  erase_recorded(it, last_state);
  return out;
}

void Store::touch(const std::string& resource, const std::string& ns, const std::string& name,
                  nlohmann::json previous) {
  auto it = objects_.find(Key{resource, scope_of(resource, ns), name});
  if (it == objects_.end()) return;
  it->second.object["metadata"]["resourceVersion"] = next_resource_version();
  record("MODIFIED", it->first, presented(resource, it->second), std::move(previous));
}

void Store::restate(const std::string& resource, const std::string& ns, const std::string& name) {
  auto it = objects_.find(Key{resource, scope_of(resource, ns), name});
  if (it == objects_.end()) return;
  uint64_t version = 0;
  const std::string written = it->second.object["metadata"].value("resourceVersion", std::string());
  const auto [end, error] = std::from_chars(written.data(), written.data() + written.size(), version);
  if (error != std::errc() || end != written.data() + written.size()) return;
  nlohmann::json object = presented(resource, it->second);
  if (object.is_object()) object["metadata"]["resourceVersion"] = written;
  history_->restate(resource, version, std::move(object));
}

nlohmann::json Store::presented(const std::string& resource, const StoredObject& stored) const {
  return presenter_ ? presenter_(resource, stored) : stored.object;
}

void Store::record(const char* type, const Key& key, nlohmann::json object, nlohmann::json previous) {
  WatchEvent event;
  event.resource_version = resource_version_;
  event.type = type;
  event.resource = key.resource;
  event.ns = key.ns;
  if (object.is_object()) object["metadata"]["resourceVersion"] = resource_version();
  event.object = std::move(object);
  event.previous = std::move(previous);
  history_->record(std::move(event));
}

std::map<Store::Key, StoredObject>::iterator Store::erase_recorded(std::map<Key, StoredObject>::iterator it,
                                                                   const nlohmann::json* last_state) {
  const Key key = it->first;
  nlohmann::json previous = presented(key.resource, it->second);
  nlohmann::json last = last_state ? *last_state : previous;
  it = objects_.erase(it);
  next_resource_version();
  record("DELETED", key, std::move(last), std::move(previous));
  return it;
}

void Store::collect_dependents(const std::string& ns, const std::string& uid) {
  if (uid.empty()) return;
  std::vector<std::string> orphaned_owners;
  for (auto it = objects_.begin(); it != objects_.end();) {
    bool owned = false;
    if (it->first.ns == ns) {
      // By reference: copying every object's metadata made each pod delete cost O(objects) copies.
      const nlohmann::json& refs =
          json_fields::member(json_fields::member(it->second.object, "metadata"), "ownerReferences");
      if (refs.is_array())
        for (const auto& ref : refs) {
          const nlohmann::json& owner = json_fields::member(ref, "uid");
          owned |= owner.is_string() && owner.get_ref<const std::string&>() == uid;
        }
    }
    if (owned) {
      orphaned_owners.push_back(it->second.object["metadata"].value("uid", std::string()));
      it = erase_recorded(it);
    } else {
      ++it;
    }
  }
  for (const auto& dependent : orphaned_owners) collect_dependents(ns, dependent);
}

void Store::remove_namespace_contents(const std::string& ns) {
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (!ns.empty() && it->first.ns == ns)
      it = erase_recorded(it);
    else
      ++it;
  }
}

const StoredObject* Store::find(const std::string& resource, const std::string& ns, const std::string& name) const {
  const std::string scope = scope_of(resource, ns);
  auto it = objects_.find(Key{resource, scope, name});
  return it == objects_.end() ? nullptr : &it->second;
}

std::vector<const StoredObject*> Store::list(const std::string& resource, const std::string& requested_ns) const {
  const std::string ns = scope_of(resource, requested_ns);
  std::vector<const StoredObject*> out;
  for (auto it = objects_.lower_bound(Key{resource, "", ""}); it != objects_.end() && it->first.resource == resource;
       ++it)
    if (ns.empty() || it->first.ns == ns) out.push_back(&it->second);
  return out;
}

}  // namespace kexsim::fakes

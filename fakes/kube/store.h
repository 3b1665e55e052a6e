#pragma once
// The fake API server's object store: the kinds it serves, and the objects with the metadata a real
// server assigns (uid, resourceVersion from one global counter, creationTimestamp, generateName).

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "fakes/kube/status.h"
#include "fakes/kube/watch_history.h"

namespace kexsim::fakes {

/// One kind the fake serves, with what discovery advertises for it.
struct ResourceType {
  std::string group;     ///< "" for the core group
  std::string resource;  ///< plural, as in URLs and RBAC rules
  std::string kind;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> verbs;  ///< the verbs this fake serves, as discovery lists them
  std::vector<std::string> short_names;

  /// "v1" or "<group>/v1".
  std::string api_version() const { return group.empty() ? "v1" : group + "/v1"; }
  /// The group and resource for Status messages.
  GroupResource group_resource() const { return {group, resource}; }
  /// Whether the fake serves verb on this kind.
  bool serves(const std::string& verb) const;
};

/// Every kind the fake serves, core group first.
const std::vector<ResourceType>& served_resources();
/// The served kind for a group and plural resource, or nullptr.
const ResourceType* find_resource(const std::string& group, const std::string& resource);
/// The served kind for a plural resource name alone ("pods"; plurals are unique here), or nullptr.
const ResourceType* find_plural(const std::string& resource);
/// The served kind for a Kind name ("Pod"), or nullptr.
const ResourceType* find_kind(const std::string& kind);

/// One stored object and what the server knows about it beyond its JSON.
struct StoredObject {
  nlohmann::json object;
  TimePoint created;  ///< exact creation time (creationTimestamp is rounded to seconds)
};

/// How a read shows a stored object (pods get their status at the clock's now); history events use it.
using ObjectPresenter = std::function<nlohmann::json(const std::string& resource, const StoredObject& stored)>;

/// Objects keyed by resource, namespace and name; iteration is in key order, so lists are stable.
/// Every write is also an event in the watch history, with the resourceVersion it got.
class Store {
 public:
  Store(Clock& clock, Random& random);

  /// How history events show objects; unset: as stored.
  void set_presenter(ObjectPresenter presenter) { presenter_ = std::move(presenter); }
  /// The change history watches read (shared: a watch may outlive the server that started it).
  const std::shared_ptr<WatchHistory>& history() const { return history_; }

  /// A name for metadata.generateName: the prefix plus 5 random characters (apiserver's alphabet).
  std::string generate_name(const std::string& prefix);
  /// Stores a new object: assigns the name (from generateName when it has none), namespace, uid,
  /// resourceVersion and creationTimestamp. 409 AlreadyExists when the name is taken, worded for
  /// generateName collisions when name_generated (clients retry on that wording).
  ApiResult<nlohmann::json> create(const ResourceType& type, const std::string& ns, nlohmann::json object,
                                   bool name_generated = false);
  /// Replaces an object, keeping uid and creationTimestamp. 404 when missing, 409 Conflict when the
  /// body's metadata.resourceVersion is set and stale.
  ApiResult<nlohmann::json> update(const ResourceType& type, const std::string& ns, const std::string& name,
                                   nlohmann::json object);
  /// Removes an object and returns it, or nothing when it does not exist. The DELETED event carries
  /// last_state when given (e.g. with deletionTimestamp set), else the object as presented.
  std::optional<StoredObject> remove(const std::string& resource, const std::string& ns, const std::string& name,
                                     const nlohmann::json* last_state = nullptr);
  /// Records a change the store did not see (a pod's status moving on in time): a new resourceVersion
  /// for the object and a MODIFIED event from previous (as presented before) to its presentation now.
  void touch(const std::string& resource, const std::string& ns, const std::string& name, nlohmann::json previous);
  /// Presents the object's own last write again in the history (its ADDED, once the request that created
  /// it has also bound it and started its pulls), so that watches show it as the create answers it.
  void restate(const std::string& resource, const std::string& ns, const std::string& name);
  /// The garbage collector: removes every object in ns whose ownerReferences name uid (and, in
  /// turn, their dependents), as background propagation does once the owner is gone.
  void collect_dependents(const std::string& ns, const std::string& uid);
  /// Removes every object in a namespace (namespace deletion).
  void remove_namespace_contents(const std::string& ns);

  /// The object, or nullptr.
  const StoredObject* find(const std::string& resource, const std::string& ns, const std::string& name) const;
  /// Objects of a resource in ns, or in every namespace when ns is empty (always for cluster-scoped
  /// kinds), in (namespace, name) order.
  std::vector<const StoredObject*> list(const std::string& resource, const std::string& ns) const;

  /// The current value of the global resourceVersion counter.
  std::string resource_version() const { return std::to_string(resource_version_); }
  /// Advances the counter and returns the new value (deletions and other writes).
  std::string next_resource_version() { return std::to_string(++resource_version_); }

 private:
  struct Key {
    std::string resource;
    std::string ns;
    std::string name;
    auto operator<=>(const Key&) const = default;
  };

  nlohmann::json presented(const std::string& resource, const StoredObject& stored) const;
  void record(const char* type, const Key& key, nlohmann::json object, nlohmann::json previous);
  // Removes one object with its DELETED event; the iterator after it.
  std::map<Key, StoredObject>::iterator erase_recorded(std::map<Key, StoredObject>::iterator it,
                                                       const nlohmann::json* last_state = nullptr);

  Clock& clock_;
  Random& random_;
  ObjectPresenter presenter_;
  std::shared_ptr<WatchHistory> history_ = std::make_shared<WatchHistory>();
  std::map<Key, StoredObject> objects_;
  uint64_t resource_version_ = 0;
};

}  // namespace kexsim::fakes

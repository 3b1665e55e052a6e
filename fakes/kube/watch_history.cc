#include "fakes/kube/watch_history.h"

#include <algorithm>
#include <utility>

namespace kexsim::fakes {

void WatchHistory::record(WatchEvent event) {
  Log& log = logs_[event.resource];
  log.events.push_back(std::move(event));
  trim(log);
  if (!log.events.empty()) notify(log.events.back(), false);
}

void WatchHistory::offer_labelled(const WatchEvent& event, const nlohmann::json& object,
                                  std::vector<uint64_t>& ids) const {
  if (!object.is_object()) return;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return;
  for (const auto& [key, value] : labels->items()) {
    if (!value.is_string()) continue;
    auto it = labelled_.find({event.resource, {key, value.get<std::string>()}});
    if (it != labelled_.end()) ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
}

void WatchHistory::notify(const WatchEvent& event, bool restated) {
  // Ids first, in subscription order (the order timers are cancelled in, so the order woken watches run
  // in): a woken watcher may subscribe or unsubscribe. Nothing is recorded while wakers and offers run.
  std::vector<uint64_t> ids;
  if (!restated) ids.assign(wakers_.begin(), wakers_.end());
  if (auto it = unlabelled_.find(event.resource); it != unlabelled_.end())
    ids.insert(ids.end(), it->second.begin(), it->second.end());
  offer_labelled(event, event.object, ids);
  offer_labelled(event, event.previous, ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const uint64_t id : ids) {
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) continue;
    if (it->second.wake)
      it->second.wake();
    else
      it->second.offer(event);
  }
}

void WatchHistory::wake_all() {
  const std::vector<uint64_t> ids(wakers_.begin(), wakers_.end());
  for (const uint64_t id : ids)
    if (auto it = subscribers_.find(id); it != subscribers_.end()) it->second.wake();
}

void WatchHistory::trim(Log& log) {
  while (log.events.size() > std::max<size_t>(capacity_, 1)) {
    log.events.pop_front();
    log.truncated = true;
  }
}

std::vector<const WatchEvent*> WatchHistory::since(const std::string& resource, uint64_t resource_version) const {
  std::vector<const WatchEvent*> out;
  auto it = logs_.find(resource);
  if (it == logs_.end()) return out;
  const auto& events = it->second.events;
  auto first = std::upper_bound(events.begin(), events.end(), resource_version,
                                [](uint64_t rv, const WatchEvent& e) { return rv < e.resource_version; });
  for (; first != events.end(); ++first) out.push_back(&*first);
  return out;
}

bool WatchHistory::restate(const std::string& resource, uint64_t resource_version, nlohmann::json object) {
  auto it = logs_.find(resource);
  if (it == logs_.end()) return false;
  auto& events = it->second.events;
  auto event = std::lower_bound(events.begin(), events.end(), resource_version,
                                [](const WatchEvent& e, uint64_t rv) { return e.resource_version < rv; });
  if (event == events.end() || event->resource_version != resource_version) return false;
  event->object = std::move(object);
  notify(*event, true);
  return true;
}

uint64_t WatchHistory::latest(const std::string& resource) const {
  auto it = logs_.find(resource);
  return it == logs_.end() || it->second.events.empty() ? 0 : it->second.events.back().resource_version;
}

uint64_t WatchHistory::latest_except(const std::string& resource) const {
  uint64_t out = 0;
  for (const auto& [name, log] : logs_)
    if (name != resource && !log.events.empty()) out = std::max(out, log.events.back().resource_version);
  return out;
}

std::optional<uint64_t> WatchHistory::too_old(const std::string& resource, uint64_t resource_version) const {
  auto it = logs_.find(resource);
  if (it == logs_.end() || !it->second.truncated || it->second.events.empty()) return std::nullopt;
  // apiserver storage/cacher/watch_cache.go: resourceVersion < oldest-1 is expired.
  const uint64_t oldest = it->second.events.front().resource_version;
  if (resource_version + 1 < oldest) return oldest - 1;
  return std::nullopt;
}

void WatchHistory::set_capacity(size_t capacity) {
  capacity_ = capacity;
  for (auto& [resource, log] : logs_) trim(log);
}

uint64_t WatchHistory::subscribe(std::function<void()> wake) {
  const uint64_t id = next_subscriber_++;
  subscribers_[id] = Subscriber{std::move(wake), {}, {}, {}};
  wakers_.insert(id);
  return id;
}

uint64_t WatchHistory::subscribe(const std::string& resource, std::optional<LabelKey> label,
                                 std::function<void(const WatchEvent&)> offer) {
  const uint64_t id = next_subscriber_++;
  if (label)
    labelled_[{resource, *label}].insert(id);
  else
    unlabelled_[resource].insert(id);
  subscribers_[id] = Subscriber{{}, std::move(offer), resource, std::move(label)};
  return id;
}

void WatchHistory::unsubscribe(uint64_t id) {
  auto it = subscribers_.find(id);
  if (it == subscribers_.end()) return;
  const Subscriber& s = it->second;
  const auto drop = [id](auto& index, const auto& key) {
    auto entry = index.find(key);
    if (entry == index.end()) return;
    entry->second.erase(id);
    if (entry->second.empty()) index.erase(entry);
  };
  if (s.wake)
    wakers_.erase(id);
  else if (s.label)
    drop(labelled_, std::pair(s.resource, *s.label));
  else
    drop(unlabelled_, s.resource);
  subscribers_.erase(it);
}

}  // namespace kexsim::fakes

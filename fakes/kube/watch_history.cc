#include "fakes/kube/watch_history.h"

#include <algorithm>
#include <utility>

namespace kexsim::fakes {

void WatchHistory::record(WatchEvent event) {
  Log& log = logs_[event.resource];
  log.events.push_back(std::move(event));
  trim(log);
  wake_all();
}

void WatchHistory::wake_all() {
  // Copy first: a woken watcher may subscribe or unsubscribe.
  std::vector<std::function<void()>> wakers;
  for (const auto& [id, wake] : subscribers_) wakers.push_back(wake);
  for (const auto& wake : wakers) wake();
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
  subscribers_[id] = std::move(wake);
  return id;
}

void WatchHistory::unsubscribe(uint64_t id) { subscribers_.erase(id); }

}  // namespace kexsim::fakes

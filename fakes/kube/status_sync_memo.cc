#include "fakes/kube/status_sync_memo.h"

#include <utility>

namespace kexsim::fakes {

std::set<std::pair<std::string, std::string>> StatusSyncMemo::take_marked() { return std::exchange(marked_, {}); }

void StatusSyncMemo::synced(const StatusSyncKey& key, uint64_t pods_cursor) {
  key_ = key;
  pods_cursor_ = pods_cursor;
}

void StatusSyncMemo::set_next(const std::string& uid, std::optional<TimePoint> at) {
  forget(uid);
  if (!at) return;
  next_.emplace(uid, *at);
  times_.insert(*at);
}

void StatusSyncMemo::forget(const std::string& uid) {
  auto it = next_.find(uid);
  if (it == next_.end()) return;
  times_.erase(times_.find(it->second));
  next_.erase(it);
}

void StatusSyncMemo::clear_next() {
  next_.clear();
  times_.clear();
}

std::optional<TimePoint> StatusSyncMemo::earliest() const {
  if (times_.empty()) return std::nullopt;
  return *times_.begin();
}

}  // namespace kexsim::fakes

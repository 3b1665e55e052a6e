#include "fakes/kube/pod_schedule.h"

namespace kexsim::fakes {

void PodStartSchedule::schedule(const std::string& uid, std::pair<std::string, std::string> key,
                                std::optional<TimePoint> at) {
  erase(uid);
  if (at)
    by_time_.emplace(*at, uid);
  else
    unknown_.insert(uid);
  entries_[uid] = Entry{std::move(key), at};
}

void PodStartSchedule::erase(const std::string& uid) {
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  if (it->second.at)
    by_time_.erase({*it->second.at, uid});
  else
    unknown_.erase(uid);
  entries_.erase(it);
}

std::vector<PodStartSchedule::Pending> PodStartSchedule::due(TimePoint now) const {
  std::vector<Pending> out;
  for (auto it = by_time_.begin(); it != by_time_.end() && it->first <= now; ++it)
    out.push_back({it->second, entries_.at(it->second).key});
  for (const std::string& uid : unknown_) out.push_back({uid, entries_.at(uid).key});
  return out;
}

std::optional<std::pair<TimePoint, PodStartSchedule::Pending>> PodStartSchedule::earliest() const {
  if (by_time_.empty()) return std::nullopt;
  const auto& [at, uid] = *by_time_.begin();
  return std::pair<TimePoint, Pending>{at, Pending{uid, entries_.at(uid).key}};
}

std::vector<PodStartSchedule::Pending> PodStartSchedule::unknown() const {
  std::vector<Pending> out;
  for (const std::string& uid : unknown_) out.push_back({uid, entries_.at(uid).key});
  return out;
}

}  // namespace kexsim::fakes

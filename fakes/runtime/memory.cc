#include "fakes/runtime/memory.h"

#include <algorithm>

namespace kexsim::fakes {

int MemoryCgroup::start(std::string name, bool main) {
  const int id = next_id_++;
  if (!dead_) processes_.push_back({id, std::move(name), 0, main});
  return id;
}

void MemoryCgroup::exit(int id) {
  processes_.erase(std::remove_if(processes_.begin(), processes_.end(), [id](const Process& p) { return p.id == id; }),
                   processes_.end());
}

uint64_t MemoryCgroup::usage() const {
  uint64_t total = 0;
  for (const Process& p : processes_) total += p.bytes;
  return total;
}

OomVerdict MemoryCgroup::grow(int id, uint64_t bytes) {
  OomVerdict verdict;
  auto grower = std::find_if(processes_.begin(), processes_.end(), [id](const Process& p) { return p.id == id; });
  if (grower == processes_.end()) return verdict;
  grower->bytes = bytes;
  const std::string grower_name = grower->name;
  if (!limit_ || usage() <= *limit_) return verdict;
  verdict.usage = usage();
  oom_killed_ = true;
  // Reclaim failed: kill the bulkiest task until the cgroup fits (the first started wins a tie, as
  // select_bad_process keeps the first task of the highest badness it meets).
  while (usage() > *limit_ && !processes_.empty()) {
    auto victim = std::max_element(processes_.begin(), processes_.end(),
                                   [](const Process& a, const Process& b) { return a.bytes < b.bytes; });
    if (group_kill_ || victim->main) {
      verdict.kind = OomVerdict::Kind::kContainerDied;
      verdict.victim = group_kill_ ? grower_name : victim->name;
      processes_.clear();
      dead_ = true;
      return verdict;
    }
    const bool grower_dies = victim->id == id;
    if (verdict.kind != OomVerdict::Kind::kGrowerKilled)
      verdict.kind = grower_dies ? OomVerdict::Kind::kGrowerKilled : OomVerdict::Kind::kOtherKilled;
    if (verdict.victim.empty() || grower_dies) verdict.victim = victim->name;
    processes_.erase(victim);
  }
  return verdict;
}

}  // namespace kexsim::fakes

#include "executor/build_slots.h"

#include <algorithm>
#include <set>

namespace kexsim::executor {

bool BuildSlots::acquire_build(const std::string& token, int limit) {
  Counter& c = counters_[token];
  if (limit > 0 && c.builds >= limit) return false;
  ++c.builds;
  return true;
}

void BuildSlots::release_build(const std::string& token) {
  Counter& c = counters_[token];
  if (c.builds > 0) --c.builds;
}

bool BuildSlots::acquire_request(const std::string& token, int request_concurrency) {
  // common/config.go GetRequestConcurrency: at least 1.
  Counter& c = counters_[token];
  if (c.requests >= std::max(1, request_concurrency)) return false;
  ++c.requests;
  return true;
}

void BuildSlots::release_request(const std::string& token) {
  Counter& c = counters_[token];
  if (c.requests > 0) --c.requests;
}

ConcurrencyIds BuildSlots::add_build(const std::string& token, int64_t project_id, int64_t job_id) {
  // builds_helper.go addBuild: only jobs of the same runner token count, and for the project id
  // only those of the same project.
  std::set<int> runner_ids, project_ids;
  for (const Running& other : builds_) {
    if (other.token != token) continue;
    runner_ids.insert(other.ids.concurrent_id);
    if (other.project_id == project_id) project_ids.insert(other.ids.concurrent_project_id);
  }
  ConcurrencyIds ids;
  while (runner_ids.count(ids.concurrent_id)) ++ids.concurrent_id;
  while (project_ids.count(ids.concurrent_project_id)) ++ids.concurrent_project_id;
  builds_.push_back({token, project_id, job_id, ids});
  return ids;
}

void BuildSlots::remove_build(int64_t job_id) {
  auto it = std::find_if(builds_.begin(), builds_.end(), [&](const Running& r) { return r.job_id == job_id; });
  if (it != builds_.end()) builds_.erase(it);
}

int BuildSlots::builds(const std::string& token) const {
  auto it = counters_.find(token);
  return it == counters_.end() ? 0 : it->second.builds;
}

int BuildSlots::requests(const std::string& token) const {
  auto it = counters_.find(token);
  return it == counters_.end() ? 0 : it->second.requests;
}

}  // namespace kexsim::executor

#pragma once
// GitLab Runner's bookkeeping of running jobs (commands/builds_helper.go): the per-runner `limit`
// and `request_concurrency` slots, and the CI_CONCURRENT_ID / CI_CONCURRENT_PROJECT_ID numbers.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kexsim::executor {

/// The two numbers a job gets when it starts (common/build.go RunnerID, ProjectRunnerID).
struct ConcurrencyIds {
  int concurrent_id = 0;          ///< CI_CONCURRENT_ID: lowest free among the runner's running jobs
  int concurrent_project_id = 0;  ///< CI_CONCURRENT_PROJECT_ID, "concurrent-N": lowest free per project
};

/// The slots of every [[runners]] entry, keyed by runner token as upstream keys them.
class BuildSlots {
 public:
  /// acquireBuild: false when the runner already runs `limit` jobs (limit <= 0: no limit).
  bool acquire_build(const std::string& token, int limit);
  /// releaseBuild: gives back a slot taken by acquire_build.
  void release_build(const std::string& token);
  /// acquireRequest: false when `request_concurrency` job requests are already in flight.
  bool acquire_request(const std::string& token, int request_concurrency);
  /// releaseRequest: the job request ended.
  void release_request(const std::string& token);

  /// addBuild: registers a received job and gives it the lowest ids its runner (and project) do
  /// not use at the moment.
  ConcurrencyIds add_build(const std::string& token, int64_t project_id, int64_t job_id);
  /// removeBuild: the job ended; its ids are free again.
  void remove_build(int64_t job_id);

  /// Jobs registered with add_build and not yet removed, over every runner.
  size_t running() const { return builds_.size(); }
  /// Slots held by acquire_build for this runner.
  int builds(const std::string& token) const;
  /// Requests in flight for this runner.
  int requests(const std::string& token) const;

 private:
  struct Counter {
    int builds = 0;
    int requests = 0;
  };
  struct Running {
    std::string token;
    int64_t project_id = 0;
    int64_t job_id = 0;
    ConcurrencyIds ids;
  };
  std::map<std::string, Counter> counters_;
  std::vector<Running> builds_;
};

}  // namespace kexsim::executor

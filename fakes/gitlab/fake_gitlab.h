#pragma once
// The fake GitLab: the runner API (verify, job request, job update, trace append) and git's smart
// HTTP for each project's repository, as a pure HttpHandler over a job queue, with the traces and
// final states kept for assertions.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "fakes/gitlab/artifacts.h"
#include "fakes/gitlab/job.h"
#include "fakes/gitlab/job_payload.h"
#include "fakes/gitlab/project.h"
#include "fakes/gitlab/repository.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// What the fake GitLab knows about one job: its definition and what the runner reported.
struct JobRecord {
  JobDefinition definition;  ///< with id and sha filled in
  int64_t id = 0;
  std::string token;  ///< job token, "glcbt-64_..."
  int64_t pipeline_id = 0;
  std::string state = "pending";  ///< pending, running, canceling, success, failed, canceled
  std::string failure_reason;     ///< as the runner sent it
  std::optional<int> exit_code;
  std::string trace;                 ///< bytes received via PATCH, in order
  std::string checksum;              ///< as sent in the final PUT ("crc32:%08x")
  bool checksum_ok = false;          ///< checksum matches the crc32 of trace
  bool trace_reset_allowed = false;  ///< a 412 was sent: the next PATCH may restart at 0
  TimePoint enqueued_at{};
  std::optional<TimePoint> started_at;    ///< handed to the runner
  std::optional<TimePoint> finished_at;   ///< final state reached (or canceled)
  std::vector<StoredArtifact> artifacts;  ///< archives the runner uploaded for it
};

/// GitLab's runner API for one instance and one runner token.
class FakeGitLab : public HttpHandler {
 public:
  /// external_url is what jobs see as CI_SERVER_URL, e.g. "https://gitlab.mylab.com".
  FakeGitLab(Clock& clock, Random random, std::string external_url, std::string runner_token);

  /// Queues a job; ids run 1000, 1001, ... unless the definition sets one. Builds its project's
  /// repository (the first job's ref is the default branch) and sets the job's sha to the real
  /// commit of its ref. A definition that pins another sha is an error: no content hashes to it.
  Status enqueue(JobDefinition job);
  /// Creates the repository at path (no .git) if it is new, with a commit for each ref.
  void add_repository(const std::string& path, const std::string& default_branch, const std::vector<std::string>& refs);
  /// Declares a project: its access rules and its submodules, whose projects get their repositories
  /// first. Call it before the jobs of the project are queued (their commits carry the submodules).
  Status add_project(const ProjectDefinition& project);
  /// The repository at "root/mycicd" (no .git), or nullptr.
  const GitRepository* repository(const std::string& path) const;
  /// Every repository, by path.
  const std::map<std::string, GitRepository>& repositories() const { return repositories_; }

  /// Makes GitLab know one more runner (another [[runners]] entry); any known runner takes any job.
  void add_runner_token(std::string token);
  /// Sets what GitLab registered for a runner token (CI_RUNNER_ID/_DESCRIPTION/_TAGS of its jobs).
  /// Without it a token's runner has id 1, 2, ... in the order the tokens became known, no
  /// description and no tags.
  void set_runner_identity(const std::string& token, RunnerIdentity identity);
  /// Revokes a runner's token: verify and job requests with it get 403 Forbidden.
  void revoke_runner_token(const std::string& token);

  /// Answers one runner API request at clock.now().
  HttpResponse handle(const HttpRequest& request) override;

  /// Every job, in queue order (cancellations are applied when a request touches the job).
  const std::vector<JobRecord>& jobs() const { return jobs_; }
  /// The job with this id, or nullptr.
  const JobRecord* job(int64_t id) const;
  /// What the last jobs/request said of the runner: `info.features` (name -> value, as sent) and
  /// `last_update` (empty when it sent none). Recorded, never acted on (Rails' decisions are not modelled).
  const std::map<std::string, bool>& runner_features() const { return runner_features_; }
  const std::string& received_last_update() const { return received_last_update_; }
  /// The User-Agent of every git smart-HTTP request, in order (the runner names itself in its fetches).
  const std::vector<std::string>& git_user_agents() const { return git_user_agents_; }
  /// "<METHOD> <path> <status>" per request, in order.
  const std::vector<std::string>& call_log() const { return call_log_; }
  /// Logs what a fault layer did to a request: "<METHOD> <path> <verdict> fault", the verdict being
  /// the status it answered with, "reset", or "delayed 5s".
  void record_fault(const HttpRequest& request, const std::string& verdict) {
    call_log_.push_back(request.method + " " + request.path + " " + verdict + " fault");
  }

 private:
  HttpResponse route(const HttpRequest& request);
  HttpResponse verify_runner(const HttpRequest& request);
  HttpResponse request_job(const HttpRequest& request);
  HttpResponse update_job(const HttpRequest& request, int64_t id);
  HttpResponse append_trace(const HttpRequest& request, int64_t id);
  HttpResponse git(const HttpRequest& request);
  HttpResponse artifacts(const HttpRequest& request, int64_t id);
  std::vector<JobDependency> dependencies_of(const JobRecord& job) const;
  GitRepository& repository_for(const std::string& path, const std::string& default_branch);

  JobRecord* find(int64_t id);
  bool accepts_runner(const std::string& token) const;
  void apply_cancellation(JobRecord& job);
  std::string next_last_update();
  int64_t namespace_id(const std::string& path);

  Clock& clock_;
  Random random_;
  Random last_update_random_;
  std::string external_url_;
  std::string runner_token_;
  std::set<std::string> runner_tokens_, revoked_tokens_;
  std::map<std::string, RunnerIdentity> runner_identities_;  ///< by token
  std::string last_update_;
  int64_t next_job_id_ = 1000;
  int64_t next_pipeline_id_ = 1;
  std::vector<JobRecord> jobs_;
  std::map<std::string, GitRepository> repositories_;
  std::map<std::string, ProjectDefinition> projects_;  ///< declared projects, by path
  std::map<std::string, int64_t> namespace_ids_;
  std::map<std::string, int64_t> pipeline_ids_;  ///< "<project>@<sha>" -> pipeline id
  std::vector<std::string> call_log_;
  std::vector<std::string> git_user_agents_;
  std::map<std::string, bool> runner_features_;
  std::string received_last_update_;
  uint64_t request_ids_ = 0;  ///< X-Request-Id values handed out (artifact endpoints)
};

}  // namespace kexsim::fakes

#pragma once
// The runner API client: verify, request jobs, update job state, append the trace.

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "executor/config.h"
#include "executor/http/client.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The final (or running) state sent with PUT /api/v4/jobs/:id.
struct JobUpdate {
  std::string state;           ///< running, success, failed
  std::string failure_reason;  ///< empty unless failed
  int exit_code = 0;           ///< sent when non-zero
  std::string checksum;        ///< "crc32:%08x" of the whole trace, empty for the running update
  size_t bytesize = 0;
};

/// Talks to GitLab as one [[runners]] entry.
class GitLabClient {
 public:
  GitLabClient(HttpClient& http, Clock& clock, const RunnerConfig& runner, Profile profile, std::string system_id);

  /// POST /api/v4/runners/verify.
  asio::awaitable<Status> verify();
  /// POST /api/v4/jobs/request: the job payload text, or nullopt when GitLab has none (204).
  asio::awaitable<Result<std::optional<std::string>>> request_job();
  /// PUT /api/v4/jobs/:id. Returns the Job-Status response header (e.g. "canceled").
  asio::awaitable<Result<std::string>> update_job(int64_t id, const std::string& job_token, const JobUpdate& update);
  /// PATCH /api/v4/jobs/:id/trace with trace[sent...]; advances sent (416 answers move it to GitLab's offset).
  asio::awaitable<Status> patch_trace(int64_t id, const std::string& job_token, const std::string& trace, size_t& sent);

 private:
  std::string url(const std::string& path) const;
  std::string info_json() const;
  std::vector<std::pair<std::string, std::string>> headers(const std::string& token_header, const std::string& token) const;

  HttpClient& http_;
  Clock& clock_;
  const RunnerConfig& runner_;
  Profile profile_;
  std::string system_id_;
};

}  // namespace kexsim::executor

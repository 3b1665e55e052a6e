#pragma once
// The runner API client: verify, request jobs, update job state, append the trace.

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/gitlab_requester.h"
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

/// What a trace PATCH or job PUT answer says about the job (network/remote_job_state_response.go).
enum class RemoteJobState {
  kRunning,          ///< carry on
  kCancelRequested,  ///< `Job-Status: canceling`: a graceful cancel (the script stops, after_script runs)
  kAbort,            ///< `Job-Status: canceled|failed`, or 403: the job is gone, stop at once
};

/// The job state an answer carries: its HTTP status and Job-Status header (IsFailed, IsCanceled).
RemoteJobState remote_job_state(int http_status, std::string_view job_status);

/// What a job PUT came to (common.UpdateState).
enum class UpdateState { kSucceeded, kAbort, kNotFound, kAccepted, kTraceValidationFailed, kFailed };

/// A job PUT's outcome: its state, the job state GitLab reported, and the runner's log wording.
struct UpdateReply {
  UpdateState state = UpdateState::kFailed;
  RemoteJobState remote = RemoteJobState::kRunning;
  std::string message;  ///< "Submitting job to coordinator... <verdict>" (or the transport error)
};

/// What a trace PATCH came to (common.PatchState).
enum class PatchState { kSucceeded, kNotFound, kRangeMismatch, kAbort, kFailed };

/// A trace PATCH's outcome, like UpdateReply.
struct PatchReply {
  PatchState state = PatchState::kFailed;
  RemoteJobState remote = RemoteJobState::kRunning;
  std::string message;  ///< "Appending trace to coordinator... <verdict>" (or the transport error)
};

/// The answer to POST /api/v4/jobs/request, as network/gitlab.go RequestJob sorts it.
struct JobRequestResult {
  int status = -1;                     ///< the HTTP status; -1 when no answer came (a transport error)
  std::string status_text;             ///< what GitLab Runner logs as `status=`: the error, or the answer's message
  std::optional<std::string> payload;  ///< the job (201)
  std::string tls_chain;               ///< the chain the answer's TLS connection verified (PEM), for the job
};

/// Talks to GitLab as one [[runners]] entry.
class GitLabClient {
 public:
  /// random jitters the release's retry back-off (give it a fork of the run's generator).
  GitLabClient(HttpClient& http, Clock& clock, Random random, const RunnerConfig& runner, Profile profile,
               std::string system_id);

  /// POST /api/v4/runners/verify.
  asio::awaitable<Status> verify();
  /// POST /api/v4/jobs/request: a job (201), none (204), or why not.
  asio::awaitable<JobRequestResult> request_job();
  /// PUT /api/v4/jobs/:id, classified as network/gitlab.go createUpdateJobResult does.
  asio::awaitable<UpdateReply> update_job(int64_t id, const std::string& job_token, const JobUpdate& update);
  /// PATCH /api/v4/jobs/:id/trace with trace[sent, end) where end is trace's size when the PATCH
  /// leaves, at most 1 MiB past sent; a 202 moves sent to end, a 416 to GitLab's offset (createPatchTraceResult).
  /// Nothing to send is a success without a request. debug_mode: the build's IsDebugModeEnabled (CI_DEBUG_TRACE or
  /// CI_DEBUG_SERVICES), sent as ?debug_trace= where the release has it.
  asio::awaitable<PatchReply> patch_trace(int64_t id, const std::string& job_token, const std::string& trace,
                                          size_t& sent, bool debug_mode = false);

 private:
  std::string url(const std::string& path) const;
  std::string info_json() const;
  std::vector<std::pair<std::string, std::string>> headers(const std::string& token_header,
                                                           const std::string& token) const;

  GitLabRequester requester_;
  Clock& clock_;
  const RunnerConfig& runner_;
  Profile profile_;
  std::string system_id_;
  std::string last_update_;  ///< the last X-GitLab-Last-Update of a runner-token request (jobs/request's last_update)
};

}  // namespace kexsim::executor

#include "executor/gitlab_client.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "executor/release_features.h"
#include "executor/runner_features.h"

namespace kexsim::executor {
namespace {

/// Go net/http/status.go StatusText, for the answers a runner meets.
std::string status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

/// network/client.go getMessageFromJSONResponse: a JSON error answer reads
/// "<METHOD> <url>: <code> <text>" (with " (<message>)" when GitLab's message says more); any other
/// answer is its status line, "403 Forbidden".
std::string response_message(const std::string& method, const std::string& url, const HttpClientResponse& res) {
  const std::string code = std::to_string(res.status) + " " + status_text(res.status);
  if (res.status >= 200 && res.status <= 299) return code;
  if (res.header("Content-Type").find("application/json") == std::string::npos) return code;
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  if (!body.is_object()) return code;
  auto it = body.find("message");
  if (it == body.end() || !it->is_string()) return code;
  const std::string message = it->get<std::string>();
  const std::string out = method + " " + url + ": " + code;
  return message == code ? out : out + " (" + message + ")";
}

}  // namespace

RemoteJobState remote_job_state(int http_status, std::string_view job_status) {
  if (job_status == "canceled" || job_status == "failed" || http_status == 403) return RemoteJobState::kAbort;
  if (job_status == "canceling") return RemoteJobState::kCancelRequested;
  return RemoteJobState::kRunning;
}

GitLabClient::GitLabClient(HttpClient& http, Clock& clock, Random random, const RunnerConfig& runner, Profile profile,
                           std::string system_id)
    : requester_(http, clock, random, profile),
      clock_(clock),
      runner_(runner),
      profile_(profile),
      system_id_(std::move(system_id)) {}

std::string GitLabClient::url(const std::string& path) const {
  std::string base = runner_.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v4/" + path;
}

std::string GitLabClient::info_json() const {
  // executor/runner_features.h: every FeaturesInfo field the release has, as it sets them.
  const nlohmann::json features = runner_features_json(profile_);
  nlohmann::json info = {{"name", "gitlab-runner"},
                         {"version", std::string(runner_version(profile_))},
                         {"revision", std::string(runner_revision(profile_))},
                         {"platform", "linux"},
                         {"architecture", "amd64"},
                         {"executor", "kubernetes"},
                         {"shell", "bash"},
                         {"features", features}};
  return info.dump();
}

std::vector<std::pair<std::string, std::string>> GitLabClient::headers(const std::string& token_header,
                                                                       const std::string& token) const {
  std::vector<std::pair<std::string, std::string>> h = {
      {"User-Agent", "gitlab-runner " + std::string(runner_version(profile_)) + " (main; go1.24.6; linux/amd64)"},
      {"Accept", "application/json"},
      {"Content-Type", "application/json"}};
  // Runners before 17.11 sent the runner token only in the body.
  if (!token_header.empty() && (token_header != "RUNNER-TOKEN" || token_headers(profile_)))
    h.emplace_back(token_header, token);
  return h;
}

asio::awaitable<Status> GitLabClient::verify() {
  nlohmann::json body = {{"token", runner_.token}, {"info", nlohmann::json::parse(info_json())}};
  if (header_has_system_id(profile_)) body["system_id"] = system_id_;
  HttpClientRequest req{"POST", url("runners/verify"), headers("RUNNER-TOKEN", runner_.token), body.dump()};
  auto res = co_await requester_.send(std::move(req));
  if (!res) co_return res.error();
  if (res->status == 403)
    co_return make_error("Verifying runner... is not valid",
                         "check the runner token in config.toml (runner " + runner_.name + ")");
  if (res->status != 200)
    co_return make_error("Verifying runner... failed (status " + std::to_string(res->status) + ")");
  co_return Status{};
}

asio::awaitable<JobRequestResult> GitLabClient::request_job() {
  nlohmann::json body = {{"token", runner_.token}, {"info", nlohmann::json::parse(info_json())}};
  if (header_has_system_id(profile_)) body["system_id"] = system_id_;
  // common/network.go JobRequest `last_update,omitempty`: the X-GitLab-Last-Update GitLab last sent
  // this runner's client (network/client.go setLastUpdate keeps the last non-empty one).
  if (!last_update_.empty()) body["last_update"] = last_update_;
  const std::string endpoint = url("jobs/request");
  HttpClientRequest req{"POST", endpoint, headers("RUNNER-TOKEN", runner_.token), body.dump()};
  auto res = co_await requester_.send(std::move(req));
  JobRequestResult out;
  if (!res) {
    // network/retry_requester.go wraps the transport error; 19.4's doJSON and do add their own
    // prefixes (network/client.go); 13.12 had only the requester's (network/ratelimit_requester.go).
    out.status_text = "couldn't execute POST against " + endpoint + ": " + res.error().message;
    if (gitlab_client_v18_3(profile_)) out.status_text = "execute JSON request: execute request: " + out.status_text;
    co_return out;
  }
  out.status = res->status;
  if (std::string lu = res->header("X-GitLab-Last-Update"); !lu.empty()) last_update_ = std::move(lu);
  if (res->status == 201) {
    out.payload = res->body;
    out.tls_chain = res->tls_chain;  // network/gitlab.go RequestJob: the job's TLSData (getResponseTLSData)
    co_return out;
  }
  out.status_text = response_message("POST", endpoint, *res);
  co_return out;
}

asio::awaitable<UpdateReply> GitLabClient::update_job(int64_t id, const std::string& job_token,
                                                      const JobUpdate& update) {
  nlohmann::json body = {{"token", job_token}, {"state", update.state}, {"info", nlohmann::json::parse(info_json())}};
  if (!update.failure_reason.empty()) body["failure_reason"] = update.failure_reason;
  if (!update.checksum.empty()) body["checksum"] = update.checksum;
  // common/network.go UpdateJobRequest: `output` has no omitempty (its fields do), so it is always sent.
  body["output"] = nlohmann::json::object();
  if (!update.checksum.empty()) body["output"]["checksum"] = update.checksum;
  if (update.bytesize != 0) body["output"]["bytesize"] = update.bytesize;
  if (update.exit_code != 0) body["exit_code"] = update.exit_code;
  // 13.12 (network/gitlab.go UpdateJob) sends the job token in the body only; 15.10-17.10 also as
  // PRIVATE-TOKEN (doJSONWithPAT); 17.11+ as JOB-TOKEN.
  const char* update_header = token_headers(profile_)                     ? "JOB-TOKEN"
                              : job_update_private_token_header(profile_) ? "PRIVATE-TOKEN"
                                                                          : "";
  HttpClientRequest req{"PUT", url("jobs/" + std::to_string(id)), headers(update_header, job_token), body.dump()};
  auto res = co_await requester_.send(std::move(req));
  UpdateReply reply;
  if (!res) {
    // doJSON: a transport error is status -1, which createUpdateJobResult calls "failed".
    reply.message = "Submitting job to coordinator... failed: " + res.error().message;
    co_return reply;
  }
  reply.remote = remote_job_state(res->status, res->header("Job-Status"));
  // network/gitlab.go createUpdateJobResult, in its order: IsFailed first, then the status.
  const auto verdict = [&](UpdateState state, const char* text) {
    reply.state = state;
    reply.message = std::string("Submitting job to coordinator... ") + text;
  };
  if (reply.remote == RemoteJobState::kAbort)
    verdict(UpdateState::kAbort, "job failed");
  else if (res->status == 200)
    verdict(UpdateState::kSucceeded, "ok");
  else if (res->status == 202)
    verdict(UpdateState::kAccepted, "accepted, but not yet completed");
  else if (res->status == 412)
    verdict(UpdateState::kTraceValidationFailed, "trace validation failed");
  else if (res->status == 404)
    verdict(UpdateState::kNotFound, "not found");
  else
    verdict(UpdateState::kFailed, "failed");
  if (reply.state == UpdateState::kFailed) reply.message += " (status " + std::to_string(res->status) + ")";
  co_return reply;
}

asio::awaitable<PatchReply> GitLabClient::patch_trace(int64_t id, const std::string& job_token,
                                                      const std::string& trace, size_t& sent, bool debug_mode) {
  PatchReply reply;
  // network/trace.go sendPatch: buffer.Bytes(sentTrace, maxTracePatchSize), at most
  // common.DefaultTracePatchLimit (1 MiB, every release) from `sent`; the rest goes in the next PATCH
  // (the next tick, or at once in ensureAllTraceSent). Named before the await: bytes the trace gains
  // while the PATCH is in flight are not in it.
  constexpr size_t kTracePatchLimit = 1024 * 1024;  // common/consts.go DefaultTracePatchLimit
  const size_t end = std::min(trace.size(), sent + kTracePatchLimit);
  if (sent >= end) {
    reply.state = PatchState::kSucceeded;
    co_return reply;
  }
  auto h = headers("", job_token);
  h.erase(std::remove_if(h.begin(), h.end(), [](const auto& kv) { return kv.first == "Content-Type"; }), h.end());
  h.emplace_back("Content-Type", "text/plain");
  h.emplace_back("JOB-TOKEN", job_token);
  h.emplace_back("Content-Range", std::to_string(sent) + "-" + std::to_string(end - 1));
  // 19.4 adds ?debug_trace= (patchTraceQuery: strconv.FormatBool of trace.SetDebugModeEnabled's value);
  // 13.12's PatchTrace has no query.
  const std::string path = "jobs/" + std::to_string(id) + "/trace";
  const std::string query = std::string("?debug_trace=") + (debug_mode ? "true" : "false");
  HttpClientRequest req{"PATCH", url(trace_patch_debug_query(profile_) ? path + query : path), h,
                        trace.substr(sent, end - sent)};
  auto res = co_await requester_.send(std::move(req));
  if (!res) {
    reply.message = "Appending trace to coordinator... failed: " + res.error().message;
    co_return reply;
  }
  reply.remote = remote_job_state(res->status, res->header("Job-Status"));
  // network/gitlab.go createPatchTraceResult.
  const auto verdict = [&](PatchState state, const char* text) {
    reply.state = state;
    reply.message = std::string("Appending trace to coordinator... ") + text;
  };
  if (reply.remote == RemoteJobState::kAbort) {
    verdict(PatchState::kAbort, "job failed");
  } else if (res->status == 202) {
    verdict(PatchState::kSucceeded, "ok");
    sent = end;
  } else if (res->status == 404) {
    verdict(PatchState::kNotFound, "not-found");
  } else if (res->status == 416) {
    verdict(PatchState::kRangeMismatch, "range mismatch");
    // patch_response.go NewOffset: the number after '-' of "0-<n>"; anything unreadable is 0.
    const std::string range = res->header("Range");
    const auto dash = range.find('-');
    size_t offset = 0;
    const char* last = range.data() + range.size();
    if (dash == std::string::npos || range.find('-', dash + 1) != std::string::npos ||
        std::from_chars(range.data() + dash + 1, last, offset).ptr != last)
      offset = 0;
    sent = std::min(offset, end);
  } else {
    verdict(PatchState::kFailed, "failed");
    reply.message += " (status " + std::to_string(res->status) + ")";
  }
  co_return reply;
}

}  // namespace kexsim::executor

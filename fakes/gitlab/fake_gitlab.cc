#include "fakes/gitlab/fake_gitlab.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/crc32.h"
#include "base/base64.h"
#include "fakes/gitlab/git_http.h"
#include "fakes/gitlab/job_payload.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kTokenAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kJobsPrefix[] = "/api/v4/jobs/";
// Seconds the runner should wait between trace PATCHes (X-GitLab-Trace-Update-Interval).
constexpr char kTraceUpdateInterval[] = "3";

HttpResponse message(int status, const std::string& text) {
  return HttpResponse::json(status, json{{"message", text}}.dump());
}

HttpResponse bad_request(const std::string& error) { return HttpResponse::json(400, json{{"error", error}}.dump()); }

// GitLab lib/api/helpers.rb not_found! ("404 Not Found"), forbidden!: render_api_error!('403 Forbidden', 403).
HttpResponse not_found() { return message(404, "404 Not Found"); }
HttpResponse forbidden() { return message(403, "403 Forbidden"); }

// GitLab answers a job that is no longer running (finished, canceled, not yet picked) this way,
// and the runner aborts on the 403 or on the Job-Status header.
HttpResponse not_processing(const JobRecord& job) {
  HttpResponse r = message(403, "403 Forbidden - Job is not processing on runner");
  r.headers.emplace_back("Job-Status", job.state);
  return r;
}

// An empty body counts as an empty object: runners put tokens in headers too.
std::optional<json> parse_body(const std::string& body, std::string& error) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  try {
    json parsed = json::parse(body);
    if (parsed.is_object()) return parsed;
    error = "body must be a JSON object";
  } catch (const json::parse_error& e) {
    error = std::string("body is not valid JSON: ") + e.what();
  }
  return std::nullopt;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A jobs/request body's info.features, as the runner sent them.
std::map<std::string, bool> features_of(const json& body) {
  std::map<std::string, bool> out;
  auto info = body.find("info");
  if (info == body.end() || !info->is_object()) return out;
  auto features = info->find("features");
  if (features == info->end() || !features->is_object()) return out;
  for (const auto& [name, value] : features->items())
    if (value.is_boolean()) out[name] = value.get<bool>();
  return out;
}

std::string format_checksum(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", crc);
  return std::string("crc32:") + buf;
}

// Like Ruby's String#to_i, as GitLab reads the Content-Range start: leading digits, else 0.
size_t range_start(const std::string& content_range) {
  size_t value = 0;
  for (char c : content_range) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  return value;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

FakeGitLab::FakeGitLab(Clock& clock, Random random, std::string external_url, std::string runner_token)
    : clock_(clock),
      random_(std::move(random)),
      last_update_random_(random_.fork("last-update")),
      external_url_(std::move(external_url)),
      runner_token_(std::move(runner_token)) {
  last_update_ = next_last_update();
  runner_identities_[runner_token_].id = 1;
}

Status FakeGitLab::enqueue(JobDefinition job) {
  GitRepository& repo = repository_for(job.project, job.ref);
  const std::string commit = repo.ensure_ref(job.ref);
  if (!job.sha.empty() && job.sha != commit)
    return make_error("job " + job.name + " of " + job.project + " pins sha " + job.sha +
                          ", but the fake GitLab builds a real repository whose " + job.ref + " is commit " + commit,
                      "remove gitlab.jobs.sha (a commit id is the hash of its content, so no other id can be served) "
                      "or set it to " +
                          commit);
  job.sha = commit;
  if (job.id == 0) {
    while (find(next_job_id_)) ++next_job_id_;
    job.id = next_job_id_++;
  }

  const auto slash = job.project.find('/');
  const auto last = job.project.rfind('/');
  if (slash != std::string::npos) {
    namespace_id(job.project.substr(0, slash));
    namespace_id(job.project.substr(0, last));
  }
  auto [pipeline, added] = pipeline_ids_.try_emplace(job.project + "@" + job.sha, next_pipeline_id_);
  if (added) ++next_pipeline_id_;
  // GitLab keeps a refs/pipelines/<id> ref for every pipeline; the runner fetches it.
  repo.set_ref("refs/pipelines/" + std::to_string(pipeline->second), job.sha);

  JobRecord record;
  record.id = job.id;
  record.token = "glcbt-64_" + random_.chars(20, kTokenAlphabet);
  record.pipeline_id = pipeline->second;
  record.enqueued_at = clock_.now();
  record.definition = std::move(job);
  jobs_.push_back(std::move(record));
  last_update_ = next_last_update();
  return {};
}

GitRepository& FakeGitLab::repository_for(const std::string& path, const std::string& default_branch) {
  return repositories_.try_emplace(path, path, default_branch).first->second;
}

void FakeGitLab::add_repository(const std::string& path, const std::string& default_branch,
                                const std::vector<std::string>& refs) {
  GitRepository& repo = repository_for(path, default_branch);
  repo.ensure_ref(repo.default_branch());
  for (const auto& ref : refs) repo.ensure_ref(ref);
}

Status FakeGitLab::add_project(const ProjectDefinition& project) {
  if (repositories_.count(project.path) && !project.submodules.empty())
    return make_error("project " + project.path + " already has commits, so its submodules cannot be added",
                      "declare [[gitlab.projects]] before anything that uses the project, and no project as a "
                      "submodule of itself");
  std::vector<GitSubmodule> submodules;
  for (const auto& sub : project.submodules) {
    if (sub.project == project.path)
      return make_error("project " + project.path + " lists itself as a submodule",
                        "point gitlab.projects.submodules.project at another project");
    auto declared = projects_.find(sub.project);
    GitRepository& repo =
        repository_for(sub.project, declared == projects_.end() ? "main" : declared->second.default_branch);
    submodules.push_back({sub.path, sub.url, repo.ensure_ref(repo.default_branch())});
  }
  GitRepository& repo = repository_for(project.path, project.default_branch);
  repo.set_submodules(std::move(submodules));
  repo.ensure_ref(repo.default_branch());  // served even when no job names it
  projects_[project.path] = project;
  return {};
}

const GitRepository* FakeGitLab::repository(const std::string& path) const {
  auto it = repositories_.find(path);
  return it == repositories_.end() ? nullptr : &it->second;
}

const JobRecord* FakeGitLab::job(int64_t id) const {
  for (const auto& j : jobs_)
    if (j.id == id) return &j;
  return nullptr;
}

void FakeGitLab::add_runner_token(std::string token) {
  // GitLab numbers runners as they register: the next id for a token it has not seen.
  if (!runner_identities_.count(token)) {
    const auto next = static_cast<int64_t>(runner_identities_.size()) + 1;
    runner_identities_[token].id = next;
  }
  if (token != runner_token_) runner_tokens_.insert(std::move(token));
}

void FakeGitLab::set_runner_identity(const std::string& token, RunnerIdentity identity) {
  add_runner_token(token);
  runner_identities_[token] = std::move(identity);
}

void FakeGitLab::revoke_runner_token(const std::string& token) { revoked_tokens_.insert(token); }

bool FakeGitLab::accepts_runner(const std::string& token) const {
  if (revoked_tokens_.count(token)) return false;
  return token == runner_token_ || runner_tokens_.count(token) > 0;
}

JobRecord* FakeGitLab::find(int64_t id) {
  for (auto& j : jobs_)
    if (j.id == id) return &j;
  return nullptr;
}

HttpResponse FakeGitLab::handle(const HttpRequest& request) {
  HttpResponse response = route(request);
  call_log_.push_back(request.method + " " + request.path + " " + std::to_string(response.status));
  return response;
}

HttpResponse FakeGitLab::route(const HttpRequest& request) {
  const std::string& path = request.path;
  if (git_http_route(path)) return git(request);
  if (path == "/api/v4/runners/verify") return request.method == "POST" ? verify_runner(request) : not_found();
  if (path == "/api/v4/jobs/request") return request.method == "POST" ? request_job(request) : not_found();

  const std::string prefix = kJobsPrefix;
  if (path.compare(0, prefix.size(), prefix) != 0) return not_found();
  const std::string rest = path.substr(prefix.size());
  const auto digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || rest.empty()) return not_found();
  const std::string id_text = rest.substr(0, digits);
  if (id_text.size() > 18) return not_found();
  const int64_t id = std::stoll(id_text);
  const std::string tail = digits == std::string::npos ? std::string() : rest.substr(digits);
  if (tail.empty() && request.method == "PUT") return update_job(request, id);
  if (tail == "/trace" && request.method == "PATCH") return append_trace(request, id);
  if (tail == "/artifacts" && (request.method == "POST" || request.method == "GET")) return artifacts(request, id);
  return not_found();
}

HttpResponse FakeGitLab::verify_runner(const HttpRequest& request) {
  std::string error;
  auto body = parse_body(request.body, error);
  if (!body) return bad_request(error);
  std::string token = string_field(*body, "token");
  if (token.empty()) token = request.header("runner-token");
  if (!accepts_runner(token)) return forbidden();
  const auto it = runner_identities_.find(token);  // the runner's id, as CI_RUNNER_ID says it
  const int64_t id = it == runner_identities_.end() ? 1 : it->second.id;
  return HttpResponse::json(200, json{{"id", id}, {"token", token}, {"token_expires_at", nullptr}}.dump());
}

HttpResponse FakeGitLab::request_job(const HttpRequest& request) {
  std::string error;
  auto body = parse_body(request.body, error);
  if (!body) return bad_request(error);
  std::string token = string_field(*body, "token");
  if (token.empty()) token = request.header("runner-token");
  if (!accepts_runner(token)) return forbidden();
  runner_features_ = features_of(*body);
  received_last_update_ = string_field(*body, "last_update");

  auto next = std::find_if(jobs_.begin(), jobs_.end(), [](const JobRecord& j) { return j.state == "pending"; });
  if (next == jobs_.end()) {
    HttpResponse none;
    none.status = 204;
    none.headers.emplace_back("X-GitLab-Last-Update", last_update_);
    return none;
  }

  JobRecord& job = *next;
  const TimePoint now = clock_.now();
  job.state = "running";
  job.started_at = now;
  last_update_ = next_last_update();

  const JobDefinition& def = job.definition;
  const auto slash = def.project.find('/');
  const auto last = def.project.rfind('/');
  const GitRepository* repo = repository(def.project);

  JobContext ctx;
  ctx.external_url = external_url_;
  ctx.token = job.token;
  ctx.pipeline_id = job.pipeline_id;
  ctx.namespace_id = slash == std::string::npos ? 0 : namespace_id(def.project.substr(0, last));
  ctx.root_namespace_id = slash == std::string::npos ? 0 : namespace_id(def.project.substr(0, slash));
  ctx.protected_ref = repo && repo->default_branch() == def.ref;
  ctx.time_in_queue_seconds = std::max<int64_t>(0, unix_seconds(now) - unix_seconds(job.enqueued_at));
  ctx.dependencies = dependencies_of(job);
  if (auto it = runner_identities_.find(token); it != runner_identities_.end()) ctx.runner = it->second;

  HttpResponse r = HttpResponse::json(201, job_payload(def, ctx));
  r.headers.emplace_back("X-GitLab-Last-Update", last_update_);
  return r;
}

HttpResponse FakeGitLab::update_job(const HttpRequest& request, int64_t id) {
  std::string error;
  auto body = parse_body(request.body, error);
  if (!body) return bad_request(error);
  JobRecord* job = find(id);
  if (!job) return not_found();
  std::string token = request.header("job-token");
  if (token.empty()) token = string_field(*body, "token");
  if (token != job->token) return forbidden();
  apply_cancellation(*job);
  // A canceling job still takes the runner's updates: its final one makes it canceled.
  const bool canceling = job->state == "canceling";
  if (job->state != "running" && !canceling) return not_processing(*job);

  const std::string state = string_field(*body, "state");
  if (!state.empty() && state != "running" && state != "success" && state != "failed" && state != "canceled")
    return bad_request("state does not have a valid value");
  const std::string reason = string_field(*body, "failure_reason");
  if (!reason.empty() && !contains(effective_failure_reasons(job->definition), reason) && reason != "script_failure" &&
      reason != "runner_system_failure" && reason != "job_execution_timeout")
    return bad_request("failure_reason does not have a valid value");

  HttpResponse r;
  r.status = 200;
  if (state.empty() || state == "running") {
    r.headers.emplace_back("Job-Status", job->state);
    return r;
  }

  std::string checksum;
  if (auto output = body->find("output"); output != body->end() && output->is_object())
    checksum = string_field(*output, "checksum");
  if (checksum.empty()) checksum = string_field(*body, "checksum");
  job->checksum = checksum;
  job->checksum_ok = !checksum.empty() && checksum == format_checksum(crc32(job->trace));
  if (!checksum.empty() && !job->checksum_ok) {
    // The runner answers 412 by resending its whole trace from offset 0, then updating again.
    job->trace_reset_allowed = true;
    r = message(412, "412 Precondition Failed - trace validation failed");
    r.headers.emplace_back("Job-Status", job->state);
    return r;
  }

  job->state = canceling ? "canceled" : state;
  job->finished_at = clock_.now();
  job->failure_reason = state == "failed" && reason.empty() ? "unknown_failure" : reason;
  if (auto code = body->find("exit_code"); code != body->end() && code->is_number_integer())
    job->exit_code = code->get<int>();
  r.headers.emplace_back("Job-Status", job->state);
  return r;
}

HttpResponse FakeGitLab::append_trace(const HttpRequest& request, int64_t id) {
  JobRecord* job = find(id);
  if (!job) return not_found();
  if (request.header("job-token") != job->token) return forbidden();
  apply_cancellation(*job);
  if (job->state != "running" && job->state != "canceling") return not_processing(*job);
  if (request.headers.count("content-range") == 0) return message(400, "400 Missing header Content-Range");

  const size_t start = range_start(request.header("content-range"));
  if (start == 0 && job->trace_reset_allowed) {
    job->trace.clear();
  } else if (start != job->trace.size()) {
    HttpResponse r = message(416, "416 Range Not Satisfiable");
    r.headers.emplace_back("Range", "0-" + std::to_string(job->trace.size()));
    return r;
  }
  job->trace_reset_allowed = false;
  job->trace += request.body;

  HttpResponse r;
  r.status = 202;
  r.headers.emplace_back("Job-Status", job->state);
  r.headers.emplace_back("Range", "0-" + std::to_string(job->trace.size()));
  r.headers.emplace_back("X-GitLab-Trace-Update-Interval", kTraceUpdateInterval);
  return r;
}

std::vector<JobDependency> FakeGitLab::dependencies_of(const JobRecord& job) const {
  // The latest earlier job of each name; GitLab sends the depending job's own token with each.
  std::vector<JobDependency> out;
  for (const auto& name : job.definition.dependencies) {
    const JobRecord* found = nullptr;
    for (const auto& other : jobs_) {
      if (&other == &job) break;
      if (other.definition.name == name) found = &other;
    }
    if (!found) continue;
    JobDependency dep{found->id, name, job.token, "", 0};
    for (const auto& a : found->artifacts) {
      if (a.artifact_type != "archive") continue;
      dep.filename = a.filename;
      dep.size = static_cast<int64_t>(a.content.size());
    }
    out.push_back(std::move(dep));
  }
  return out;
}

HttpResponse FakeGitLab::artifacts(const HttpRequest& request, int64_t id) {
  JobRecord* job = find(id);
  if (!job) return not_found();
  const std::string token = request.header("job-token");
  HttpResponse r;
  if (request.method == "POST") {
    // authenticate_job!: the job's own token, while it runs.
    if (token != job->token) return forbidden();
    apply_cancellation(*job);
    if (job->state != "running" && job->state != "canceling") return not_processing(*job);
    r = accept_artifact_upload(request, job->artifacts, clock_.now(), id);
  } else {
    // A download authenticates with the token of a job that runs (the one depending on this job).
    const bool known = std::any_of(jobs_.begin(), jobs_.end(), [&](const JobRecord& j) {
      return !token.empty() && j.token == token && (j.state == "running" || j.id == id);
    });
    // GitLab lib/api/helpers.rb unauthorized!: render_api_error!('401 Unauthorized', 401).
    if (!known) return message(401, "401 Unauthorized");
    r = serve_artifact_download(job->artifacts);
  }
  // GitLab's Workhorse answers every request with its correlation id.
  uint64_t state = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(id) + ++request_ids_;
  std::string request_id;
  constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int i = 0; i < 26; ++i) {
    state ^= state >> 31;
    state *= 0xbf58476d1ce4e5b9ULL;
    request_id += kCrockford[(state >> 59) & 31];
  }
  r.headers.emplace_back("X-Request-Id", request_id);
  return r;
}

HttpResponse FakeGitLab::git(const HttpRequest& request) {
  const GitHttpRoute route = *git_http_route(request.path);
  git_user_agents_.push_back(request.header("user-agent"));
  // Jobs clone as gitlab-ci-token:<job token> (basic auth); public projects also read anonymously.
  const std::string authorization = request.header("authorization");
  const auto denied = [] {
    HttpResponse r;
    r.status = 401;
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"GitLab\"");
    r.body = "HTTP Basic: Access denied\n";
    return r;
  };
  const JobRecord* reader = nullptr;  // the job whose token the request carries
  if (authorization.rfind("Basic ", 0) == 0) {
    const std::string credentials = base64_decode(authorization.substr(6)).value_or("");
    const std::string password = credentials.substr(credentials.find(':') + 1);
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const JobRecord& j) { return j.token == password; });
    if (credentials.rfind("gitlab-ci-token:", 0) != 0 || it == jobs_.end()) return denied();
    reader = &*it;
  }
  const GitRepository* repo = repository(route.repository);
  // A declared project's rules: a private one asks anonymous readers for credentials (git then asks
  // its credential helpers and the terminal); a job token outside its allowlist finds nothing.
  bool hidden = false;
  if (auto p = projects_.find(route.repository); repo && p != projects_.end()) {
    if (p->second.is_private && !reader) return denied();
    if (reader && p->second.job_token_allowlist) {
      const auto& allowed = *p->second.job_token_allowlist;
      const std::string& from = reader->definition.project;
      hidden = from != route.repository && std::find(allowed.begin(), allowed.end(), from) == allowed.end();
    }
  }
  if (!repo || hidden) {
    HttpResponse missing;
    missing.status = 404;
    missing.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    missing.body = "The project you were looking for could not be found or you don't have permission to view it.";
    return missing;
  }
  if (route.kind == GitHttpRoute::Kind::kInfoRefs && request.method == "GET") return git_info_refs(*repo, request);
  if (route.kind == GitHttpRoute::Kind::kUploadPack && request.method == "POST") return git_upload_pack(*repo, request);
  return forbidden();
}

void FakeGitLab::apply_cancellation(JobRecord& job) {
  const int64_t after_ms = job.definition.cancel_after_ms;
  if (job.state != "running" || after_ms < 0 || !job.started_at) return;
  const TimePoint cancel_at = *job.started_at + std::chrono::milliseconds(after_ms);
  if (clock_.now() < cancel_at) return;
  // GitLab's Ci::Build: a cancel of a job whose runner supports cancel_gracefully goes through
  // canceling, answered as `Job-Status: canceling` until the runner sends its final state.
  if (job.definition.cancel_graceful) {
    job.state = "canceling";
    return;
  }
  job.state = "canceled";
  job.finished_at = cancel_at;
}

std::string FakeGitLab::next_last_update() { return last_update_random_.chars(32, kHexDigits); }

int64_t FakeGitLab::namespace_id(const std::string& path) {
  return namespace_ids_.try_emplace(path, static_cast<int64_t>(namespace_ids_.size()) + 1).first->second;
}

}  // namespace kexsim::fakes

#include "fakes/gitlab/fake_gitlab.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/crc32.h"
#include "fakes/gitlab/job_payload.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using testing::ManualClock;

constexpr char kRunnerToken[] = "gVQMabxjR2x9";

HttpRequest make(const std::string& method, const std::string& path, const std::string& body = "",
                 std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = method;
  r.target = path;
  r.path = path;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::string checksum_of(const std::string& trace) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", crc32(trace));
  return std::string("crc32:") + buf;
}

JobDefinition sample_job() {
  JobDefinition job;
  job.project = "root/mycicd";
  job.project_id = 42;
  job.ref = "master";
  job.image = "ruby:2.7.2";
  job.script = {"echo \"Hello, $GITLAB_USER_LOGIN!\""};
  job.variables = {{"GITLAB_USER_LOGIN", "alice"}};
  job.credentials = {{"registry", "registry.mylab.com", "gitlab-ci-token", ""}};
  job.services = {{"docker:24.0.6-dind", "docker", {"--mtu=1450"}, {}}};
  return job;
}

class FakeGitLabTest : public ::testing::Test {
 protected:
  FakeGitLabTest() : gitlab_(clock_, Random(7), "https://gitlab.mylab.com", kRunnerToken) {}

  HttpResponse request_job() {
    return gitlab_.handle(make("POST", "/api/v4/jobs/request", json{{"token", kRunnerToken}}.dump()));
  }
  // Enqueues one job, takes it, and returns its record.
  const JobRecord& start_job(JobDefinition def = sample_job()) {
    gitlab_.enqueue(std::move(def));
    EXPECT_EQ(request_job().status, 201);
    return gitlab_.jobs().back();
  }
  HttpResponse put(int64_t id, const std::string& token, json body) {
    return gitlab_.handle(make("PUT", "/api/v4/jobs/" + std::to_string(id), body.dump(), {{"job-token", token}}));
  }
  HttpResponse patch(int64_t id, const std::string& token, const std::string& range, const std::string& data) {
    return gitlab_.handle(make("PATCH", "/api/v4/jobs/" + std::to_string(id) + "/trace", data,
                               {{"job-token", token}, {"content-range", range}}));
  }

  ManualClock clock_;
  FakeGitLab gitlab_;
};

TEST_F(FakeGitLabTest, VerifyAcceptsTheRunnerTokenOnly) {
  auto ok = gitlab_.handle(make("POST", "/api/v4/runners/verify", json{{"token", kRunnerToken}}.dump()));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body), json::parse(R"({"id":1,"token":"gVQMabxjR2x9","token_expires_at":null})"));

  auto by_header = gitlab_.handle(make("POST", "/api/v4/runners/verify", "", {{"runner-token", kRunnerToken}}));
  EXPECT_EQ(by_header.status, 200);

  auto wrong = gitlab_.handle(make("POST", "/api/v4/runners/verify", json{{"token", "nope"}}.dump()));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(json::parse(wrong.body)["message"], "403 Forbidden");
}

TEST_F(FakeGitLabTest, RequestChecksTokenAndAnswers204WhenIdle) {
  auto none = request_job();
  EXPECT_EQ(none.status, 204);
  EXPECT_TRUE(none.body.empty());
  EXPECT_EQ(header(none, "X-GitLab-Last-Update").size(), 32u);

  gitlab_.enqueue(sample_job());
  auto forbidden = gitlab_.handle(make("POST", "/api/v4/jobs/request", json{{"token", "bad"}}.dump()));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(gitlab_.handle(make("POST", "/api/v4/jobs/request", "{}")).status, 403);
  EXPECT_EQ(gitlab_.jobs()[0].state, "pending");

  auto job = request_job();
  EXPECT_EQ(job.status, 201);
  EXPECT_NE(header(job, "X-GitLab-Last-Update"), header(none, "X-GitLab-Last-Update"));
  EXPECT_EQ(gitlab_.jobs()[0].state, "running");
  EXPECT_EQ(request_job().status, 204);
}

TEST_F(FakeGitLabTest, BadJsonAndUnknownRoutes) {
  auto bad = gitlab_.handle(make("POST", "/api/v4/jobs/request", "{not json"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(json::parse(bad.body).contains("error"));
  auto missing = gitlab_.handle(make("GET", "/api/v4/projects"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["message"], "404 Not Found");
  EXPECT_EQ(gitlab_.handle(make("GET", "/api/v4/jobs/1000")).status, 404);
}

TEST_F(FakeGitLabTest, PayloadCarriesTheKubernetesUser) {
  JobDefinition def = sample_job();
  def.image = "alpine:3.20";
  def.image_user = "1000:1000";
  def.services.push_back({});
  def.services.back().name = "postgres:15";
  def.services.back().user = "999";
  def.services.back().user_is_int = true;
  gitlab_.enqueue(def);
  const json p = json::parse(request_job().body);
  EXPECT_EQ(p["image"]["executor_opts"], json::parse(R"({"kubernetes":{"user":"1000:1000"}})"));
  EXPECT_EQ(p["services"].back()["executor_opts"]["kubernetes"]["user"], 999);
}

TEST_F(FakeGitLabTest, RecordsWhatTheRunnerAdvertises) {
  json body = {{"token", kRunnerToken},
               {"last_update", "0123abcd"},
               {"info", {{"features", {{"cancel_gracefully", true}, {"shared", false}}}}}};
  gitlab_.handle(make("POST", "/api/v4/jobs/request", body.dump()));
  EXPECT_EQ(gitlab_.runner_features(), (std::map<std::string, bool>{{"cancel_gracefully", true}, {"shared", false}}));
  EXPECT_EQ(gitlab_.received_last_update(), "0123abcd");
  request_job();
  EXPECT_TRUE(gitlab_.runner_features().empty());
  EXPECT_EQ(gitlab_.received_last_update(), "");
}

TEST_F(FakeGitLabTest, PayloadCarriesTheJob) {
  gitlab_.enqueue(sample_job());
  auto response = request_job();
  ASSERT_EQ(response.status, 201);
  const json p = json::parse(response.body);
  const JobRecord& rec = gitlab_.jobs()[0];

  EXPECT_EQ(p["id"], 1000);
  EXPECT_EQ(p["token"], rec.token);
  EXPECT_EQ(rec.token.rfind("glcbt-", 0), 0u);
  EXPECT_EQ(p["allow_git_fetch"], true);
  EXPECT_EQ(p["job_info"]["project_full_path"], "root/mycicd");
  EXPECT_EQ(p["job_info"]["project_name"], "mycicd");
  EXPECT_EQ(p["job_info"]["project_id"], 42);
  EXPECT_EQ(p["job_info"]["pipeline_id"], rec.pipeline_id);

  const json& git = p["git_info"];
  EXPECT_EQ(git["repo_url"], "https://gitlab-ci-token:" + rec.token + "@gitlab.mylab.com/root/mycicd.git");
  EXPECT_EQ(git["sha"].get<std::string>().size(), 40u);
  EXPECT_EQ(git["sha"], rec.definition.sha);
  EXPECT_EQ(git["before_sha"], std::string(40, '0'));
  EXPECT_EQ(git["ref_type"], "branch");
  const std::string pid = std::to_string(rec.pipeline_id);
  EXPECT_EQ(git["refspecs"], json::array({"+refs/pipelines/" + pid + ":refs/pipelines/" + pid,
                                          "+refs/heads/master:refs/remotes/origin/master"}));
  EXPECT_EQ(git["depth"], 20);
  EXPECT_EQ(p["runner_info"]["timeout"], 3600);

  EXPECT_EQ(p["image"], json({{"name", "ruby:2.7.2"}}));
  EXPECT_EQ(p["services"][0],
            json::parse(R"({"name":"docker:24.0.6-dind","alias":"docker","command":["--mtu=1450"]})"));
  EXPECT_EQ(p["credentials"][0]["password"], rec.token);
  EXPECT_TRUE(p["artifacts"].is_null());
  EXPECT_EQ(p["cache"], json::array());
  EXPECT_EQ(p["steps"], json::parse(R"([{"name":"script","script":["echo \"Hello, $GITLAB_USER_LOGIN!\""],)"
                                    R"("timeout":3600,"when":"on_success","allow_failure":false}])"));
  EXPECT_EQ(p["features"]["token_mask_prefixes"], json::array({"glpat-", "glcbt-"}));
  EXPECT_TRUE(p["features"]["trace_sections"].get<bool>());
  EXPECT_EQ(p["features"]["failure_reasons"][1], "script_failure");

  std::map<std::string, json> vars;
  int login_count = 0;
  for (const auto& v : p["variables"]) {
    vars[v["key"]] = v;
    if (v["key"] == "GITLAB_USER_LOGIN") ++login_count;
    EXPECT_EQ(v.size(), 6u) << v.dump();
  }
  EXPECT_EQ(login_count, 1);
  EXPECT_EQ(vars["GITLAB_USER_LOGIN"]["value"], "alice");
  EXPECT_EQ(vars["CI_JOB_TOKEN"], json::parse(R"({"key":"CI_JOB_TOKEN","value":")" + rec.token +
                                              R"(","public":false,"masked":true,"file":false,"raw":false})"));
  EXPECT_EQ(vars["CI_SERVER_URL"]["value"], "https://gitlab.mylab.com");
  EXPECT_EQ(vars["CI_SERVER_HOST"]["value"], "gitlab.mylab.com");
  EXPECT_EQ(vars["CI_SERVER_PORT"]["value"], "443");
  EXPECT_EQ(vars["CI_PROJECT_NAMESPACE"]["value"], "root");
  EXPECT_EQ(vars["CI_PROJECT_URL"]["value"], "https://gitlab.mylab.com/root/mycicd");
  EXPECT_EQ(vars["CI_JOB_ID"]["value"], "1000");
  EXPECT_EQ(vars["CI_COMMIT_SHORT_SHA"]["value"], rec.definition.sha.substr(0, 8));
  EXPECT_EQ(vars["CI_REGISTRY"]["value"], "registry.mylab.com");
  EXPECT_EQ(vars.count("CI_PROJECT_DIR"), 0u);
}

TEST_F(FakeGitLabTest, PayloadIsDeterministic) {
  FakeGitLab other(clock_, Random(7), "https://gitlab.mylab.com", kRunnerToken);
  gitlab_.enqueue(sample_job());
  other.enqueue(sample_job());
  auto a = request_job();
  auto b = other.handle(make("POST", "/api/v4/jobs/request", json{{"token", kRunnerToken}}.dump()));
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(header(a, "X-GitLab-Last-Update"), header(b, "X-GitLab-Last-Update"));
}

TEST_F(FakeGitLabTest, IdsAndRepositories) {
  JobDefinition fixed = sample_job();
  fixed.id = 77;
  ASSERT_TRUE(gitlab_.enqueue(sample_job()));
  ASSERT_TRUE(gitlab_.enqueue(fixed));
  ASSERT_TRUE(gitlab_.enqueue(sample_job()));
  ASSERT_EQ(gitlab_.jobs().size(), 3u);
  EXPECT_EQ(gitlab_.jobs()[0].id, 1000);
  EXPECT_EQ(gitlab_.jobs()[1].id, 77);
  EXPECT_EQ(gitlab_.jobs()[2].id, 1001);
  EXPECT_NE(gitlab_.jobs()[0].token, gitlab_.jobs()[2].token);

  // Each job's sha is the real commit of its ref in the repository the fake built.
  const GitRepository* repo = gitlab_.repository("root/mycicd");
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(repo->default_branch(), "master");
  const std::string master = repo->refs().at("refs/heads/master");
  EXPECT_EQ(gitlab_.jobs()[0].definition.sha, master);
  EXPECT_EQ(gitlab_.jobs()[2].definition.sha, master);
  EXPECT_EQ(repo->refs().at("refs/pipelines/1"), master);
  ASSERT_NE(repo->object(master), nullptr);
  EXPECT_EQ(repo->object(master)->type, "commit");
  EXPECT_EQ(gitlab_.repository("root/other"), nullptr);

  // A pinned sha that no content hashes to is refused with the real one in the hint.
  JobDefinition pinned = sample_job();
  pinned.sha = std::string(40, 'a');
  const Status refused = gitlab_.enqueue(pinned);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().hint.find(master), std::string::npos);
  pinned.sha = master;
  EXPECT_TRUE(gitlab_.enqueue(pinned));

  gitlab_.add_repository("grp/lib", "main", {"dev"});
  JobDefinition lib;
  lib.project = "grp/lib";
  lib.ref = "dev";
  ASSERT_TRUE(gitlab_.enqueue(lib));
  EXPECT_EQ(gitlab_.jobs().back().definition.sha, gitlab_.repository("grp/lib")->refs().at("refs/heads/dev"));
}

TEST_F(FakeGitLabTest, TwoPhaseRunTraceAndFinalUpdate) {
  const JobRecord& rec = start_job();
  const int64_t id = rec.id;
  const std::string token = rec.token;

  auto running = put(id, token, {{"token", token}, {"state", "running"}});
  EXPECT_EQ(running.status, 200);
  EXPECT_EQ(header(running, "Job-Status"), "running");

  auto first = patch(id, token, "0-5", "hello ");
  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(header(first, "Range"), "0-6");
  EXPECT_EQ(header(first, "Job-Status"), "running");
  EXPECT_EQ(header(first, "X-GitLab-Trace-Update-Interval"), "3");

  auto gap = patch(id, token, "10-14", "world");
  EXPECT_EQ(gap.status, 416);
  EXPECT_EQ(header(gap, "Range"), "0-6");
  auto repeat = patch(id, token, "0-5", "hello ");
  EXPECT_EQ(repeat.status, 416);

  EXPECT_EQ(patch(id, token, "6-11", "world\n").status, 202);
  EXPECT_EQ(gitlab_.job(id)->trace, "hello world\n");

  auto done = put(id, token,
                  {{"token", token},
                   {"state", "failed"},
                   {"failure_reason", "script_failure"},
                   {"exit_code", 1},
                   {"output", {{"checksum", checksum_of("hello world\n")}, {"bytesize", 12}}}});
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(header(done, "Job-Status"), "failed");
  const JobRecord* after = gitlab_.job(id);
  EXPECT_EQ(after->state, "failed");
  EXPECT_EQ(after->failure_reason, "script_failure");
  EXPECT_EQ(after->exit_code, 1);
  EXPECT_TRUE(after->checksum_ok);

  // A finished job takes no more updates.
  auto late = patch(id, token, "12-13", "x\n");
  EXPECT_EQ(late.status, 403);
  EXPECT_EQ(header(late, "Job-Status"), "failed");

  EXPECT_EQ(gitlab_.call_log(), (std::vector<std::string>{
                                    "POST /api/v4/jobs/request 201",
                                    "PUT /api/v4/jobs/1000 200",
                                    "PATCH /api/v4/jobs/1000/trace 202",
                                    "PATCH /api/v4/jobs/1000/trace 416",
                                    "PATCH /api/v4/jobs/1000/trace 416",
                                    "PATCH /api/v4/jobs/1000/trace 202",
                                    "PUT /api/v4/jobs/1000 200",
                                    "PATCH /api/v4/jobs/1000/trace 403",
                                }));
}

TEST_F(FakeGitLabTest, ChecksumMismatchAsksForTheWholeTraceAgain) {
  const JobRecord& rec = start_job();
  const int64_t id = rec.id;
  const std::string token = rec.token;
  EXPECT_EQ(patch(id, token, "0-3", "abcX").status, 202);  // corrupted on the way

  auto rejected = put(id, token, {{"state", "success"}, {"checksum", checksum_of("abcd")}});
  EXPECT_EQ(rejected.status, 412);
  EXPECT_EQ(gitlab_.job(id)->state, "running");
  EXPECT_FALSE(gitlab_.job(id)->checksum_ok);

  EXPECT_EQ(patch(id, token, "0-3", "abcd").status, 202);
  EXPECT_EQ(gitlab_.job(id)->trace, "abcd");
  auto accepted = put(id, token, {{"state", "success"}, {"checksum", checksum_of("abcd")}});
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(gitlab_.job(id)->state, "success");
  EXPECT_TRUE(gitlab_.job(id)->checksum_ok);
  EXPECT_FALSE(gitlab_.job(id)->exit_code.has_value());
}

TEST_F(FakeGitLabTest, JobTokenChecks) {
  const JobRecord& rec = start_job();
  const int64_t id = rec.id;
  const std::string token = rec.token;

  EXPECT_EQ(put(id, "glcbt-wrong", {{"state", "running"}}).status, 403);
  EXPECT_EQ(patch(id, "glcbt-wrong", "0-1", "ab").status, 403);
  EXPECT_EQ(put(9999, token, {{"state", "running"}}).status, 404);
  EXPECT_EQ(patch(9999, token, "0-1", "ab").status, 404);
  // The body token is enough when the header is absent.
  auto by_body = gitlab_.handle(make("PUT", "/api/v4/jobs/1000", json{{"token", token}, {"state", "running"}}.dump()));
  EXPECT_EQ(by_body.status, 200);
  EXPECT_EQ(gitlab_.job(id)->trace, "");
}

TEST_F(FakeGitLabTest, RejectsUnknownStatesAndReasons) {
  const JobRecord& rec = start_job();
  EXPECT_EQ(put(rec.id, rec.token, {{"state", "exploded"}}).status, 400);
  EXPECT_EQ(put(rec.id, rec.token, {{"state", "failed"}, {"failure_reason", "bogus"}}).status, 400);
  EXPECT_EQ(patch(rec.id, rec.token, "", "x").status, 202);  // to_i of "" is 0
  EXPECT_EQ(gitlab_.handle(make("PATCH", "/api/v4/jobs/1000/trace", "x", {{"job-token", rec.token}})).status, 400);
}

TEST_F(FakeGitLabTest, PendingJobIsNotProcessing) {
  gitlab_.enqueue(sample_job());
  const JobRecord& rec = gitlab_.jobs()[0];
  auto r = put(rec.id, rec.token, {{"state", "running"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "Job-Status"), "pending");
}

TEST_F(FakeGitLabTest, CancellationAtVirtualTime) {
  JobDefinition def = sample_job();
  def.cancel_after_ms = 30000;
  const JobRecord& rec = start_job(def);
  const int64_t id = rec.id;
  const std::string token = rec.token;

  clock_.advance(std::chrono::seconds(29));
  EXPECT_EQ(patch(id, token, "0-1", "ok").status, 202);
  clock_.advance(std::chrono::seconds(1));
  auto canceled = patch(id, token, "2-3", "no");
  EXPECT_EQ(canceled.status, 403);
  EXPECT_EQ(header(canceled, "Job-Status"), "canceled");
  auto touch = put(id, token, {{"state", "running"}});
  EXPECT_EQ(header(touch, "Job-Status"), "canceled");
  EXPECT_EQ(gitlab_.job(id)->state, "canceled");
  EXPECT_EQ(gitlab_.job(id)->trace, "ok");
}

TEST(JobPayload, ServerUrlParts) {
  auto plain = parse_server_url("https://gitlab.mylab.com");
  EXPECT_EQ(plain.host, "gitlab.mylab.com");
  EXPECT_EQ(plain.port, 443);
  EXPECT_EQ(plain.base, "https://gitlab.mylab.com");
  auto odd = parse_server_url("http://10.0.0.216:8080/gitlab/");
  EXPECT_EQ(odd.protocol, "http");
  EXPECT_EQ(odd.host, "10.0.0.216");
  EXPECT_EQ(odd.port, 8080);
  EXPECT_EQ(odd.authority, "10.0.0.216:8080");
  EXPECT_EQ(odd.base, "http://10.0.0.216:8080/gitlab");
}

TEST(JobPayload, RepoUrlKeepsPortAndRelativeRoot) {
  JobDefinition job;
  job.id = 5;
  job.sha = std::string(40, 'c');
  job.project = "grp/sub/app";
  job.after_script = {"echo bye"};
  JobContext ctx;
  ctx.external_url = "https://gitlab.example.com:8443/gl";
  ctx.token = "glcbt-64_T";
  const json p = json::parse(job_payload(job, ctx));
  EXPECT_EQ(p["git_info"]["repo_url"], "https://gitlab-ci-token:glcbt-64_T@gitlab.example.com:8443/gl/grp/sub/app.git");
  EXPECT_TRUE(p["image"].is_null());
  EXPECT_EQ(p["steps"][1]["name"], "after_script");
  EXPECT_EQ(p["steps"][1]["when"], "always");
  std::map<std::string, std::string> vars;
  for (const auto& v : predefined_variables(job, ctx)) vars[v.key] = v.value;
  EXPECT_EQ(vars["CI_PROJECT_NAMESPACE"], "grp/sub");
  EXPECT_EQ(vars["CI_PROJECT_ROOT_NAMESPACE"], "grp");
  EXPECT_EQ(vars["CI_SERVER_PORT"], "8443");
  EXPECT_EQ(vars["GITLAB_USER_LOGIN"], "root");
  EXPECT_EQ(vars.count("CI_REGISTRY"), 0u);
}

TEST_F(FakeGitLabTest, GracefulCancelAnswersCancelingUntilTheFinalUpdate) {
  JobDefinition def = sample_job();
  def.cancel_after_ms = 20000;
  def.cancel_graceful = true;
  const JobRecord& rec = start_job(def);
  const int64_t id = rec.id;
  const std::string token = rec.token;

  clock_.advance(std::chrono::seconds(19));
  auto before = patch(id, token, "0-1", "ok");
  EXPECT_EQ(before.status, 202);
  EXPECT_EQ(header(before, "Job-Status"), "running");
  clock_.advance(std::chrono::seconds(1));
  // A canceling job still takes trace and running touches, and says it is canceling.
  auto during = patch(id, token, "2-3", "go");
  EXPECT_EQ(during.status, 202);
  EXPECT_EQ(header(during, "Job-Status"), "canceling");
  auto touch = put(id, token, {{"state", "running"}});
  EXPECT_EQ(touch.status, 200);
  EXPECT_EQ(header(touch, "Job-Status"), "canceling");
  EXPECT_EQ(gitlab_.job(id)->state, "canceling");
  EXPECT_EQ(gitlab_.job(id)->trace, "okgo");

  // The runner's final update ends the cancel: the job is canceled, with what the runner sent.
  auto final_update = put(id, token, {{"state", "failed"}, {"failure_reason", "unknown_failure"}});
  EXPECT_EQ(final_update.status, 200);
  EXPECT_EQ(header(final_update, "Job-Status"), "canceled");
  EXPECT_EQ(gitlab_.job(id)->state, "canceled");
  EXPECT_EQ(gitlab_.job(id)->failure_reason, "unknown_failure");
  auto late = patch(id, token, "4-5", "no");
  EXPECT_EQ(late.status, 403);
  EXPECT_EQ(header(late, "Job-Status"), "canceled");
}

TEST_F(FakeGitLabTest, ForcedCancelIsCanceledAtOnce) {
  JobDefinition def = sample_job();
  def.cancel_after_ms = 5000;
  def.cancel_graceful = false;
  const JobRecord& rec = start_job(def);
  const int64_t id = rec.id;
  const std::string token = rec.token;
  clock_.advance(std::chrono::seconds(5));
  auto touch = put(id, token, {{"state", "running"}});
  EXPECT_EQ(touch.status, 403);
  EXPECT_EQ(header(touch, "Job-Status"), "canceled");
  auto final_update = put(id, token, {{"state", "failed"}});
  EXPECT_EQ(final_update.status, 403);
  EXPECT_EQ(gitlab_.job(id)->state, "canceled");
}

TEST(JobPayload, RunnerTagsAreARubyArray) {
  EXPECT_EQ(ruby_array_string({}), "[]");
  EXPECT_EQ(ruby_array_string({"docker", "linux"}), R"(["docker", "linux"])");
  EXPECT_EQ(ruby_array_string({R"(a"b\c)"}), R"(["a\"b\\c"])");
}

TEST(JobPayload, RawVariablesStayRaw) {
  JobDefinition job;
  job.id = 5;
  job.sha = std::string(40, 'c');
  job.variables = {{"PASSWORD", "pa$$word", true, false, false, true}, {"PLAIN", "$HOME", true}};
  JobContext ctx;
  ctx.external_url = "https://gitlab.example.com";
  const json p = json::parse(job_payload(job, ctx));
  const json& vars = p["variables"];
  ASSERT_GE(vars.size(), 2u);
  EXPECT_EQ(vars[vars.size() - 2], json::parse(R"({"key":"PASSWORD","value":"pa$$word","public":true,
                                                  "masked":false,"file":false,"raw":true})"));
  EXPECT_EQ(vars.back()["raw"], false);
}

TEST_F(FakeGitLabTest, JobsCarryTheirRunnersIdentity) {
  std::map<std::string, std::string> vars;
  auto variables = [&](const HttpResponse& r) {
    std::map<std::string, std::string> out;
    const json body = json::parse(r.body);  // kept: a range-for over a temporary's member would dangle
    for (const auto& v : body["variables"]) out[v["key"].get<std::string>()] = v["value"].get<std::string>();
    return out;
  };
  // Unregistered: the first token is runner 1, no description, no tags.
  gitlab_.enqueue(sample_job());
  vars = variables(request_job());
  EXPECT_EQ(vars["CI_RUNNER_ID"], "1");
  EXPECT_EQ(vars["CI_RUNNER_DESCRIPTION"], "");
  EXPECT_EQ(vars["CI_RUNNER_TAGS"], "[]");

  gitlab_.set_runner_identity(kRunnerToken, {42, "k8s runner", {"kubernetes", "linux"}});
  gitlab_.enqueue(sample_job());
  vars = variables(request_job());
  EXPECT_EQ(vars["CI_RUNNER_ID"], "42");
  EXPECT_EQ(vars["CI_RUNNER_DESCRIPTION"], "k8s runner");
  EXPECT_EQ(vars["CI_RUNNER_TAGS"], R"(["kubernetes", "linux"])");
  auto verified = gitlab_.handle(make("POST", "/api/v4/runners/verify", json{{"token", kRunnerToken}}.dump()));
  EXPECT_EQ(json::parse(verified.body)["id"], 42);

  // Another token GitLab learns of is the next runner.
  gitlab_.add_runner_token("glrt-second");
  auto second = gitlab_.handle(make("POST", "/api/v4/runners/verify", json{{"token", "glrt-second"}}.dump()));
  EXPECT_EQ(json::parse(second.body)["id"], 2);
}

}  // namespace
}  // namespace kexsim::fakes

#include "sim/scenario_jobs.h"

#include <algorithm>
#include <string>

#include "fakes/gitlab/log_view.h"
#include "sim/scenario_runner.h"
#include "sim/scenario_runner_host.h"

namespace kexsim::sim {
namespace {

const char kJobsHint[] = "see docs/scenarios.md for the scenario format";

void add_verdict(RunResult& r, std::string expectation, bool ok, std::string actual) {
  r.verdicts.push_back({std::move(expectation), ok, ok ? std::string() : std::move(actual)});
}

std::string seconds_text(double s) {
  std::string out = std::to_string(s);
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out + " s";
}

void evaluate_job(const JobExpectation& e, const fakes::JobRecord* job, TimePoint start, RunResult& r) {
  const std::string who = "job " + std::to_string(e.id);
  if (!job) {
    add_verdict(r, who + " exists", false, "GitLab has no job " + std::to_string(e.id));
    return;
  }
  const std::string& state = job->state;  // pending and running too: a job the runner never took
  if (e.status)
    add_verdict(r, who + " status = \"" + *e.status + "\"", state == *e.status, "status was \"" + state + "\"");
  if (e.failure_reason)
    add_verdict(r, who + " failure_reason = \"" + *e.failure_reason + "\"", job->failure_reason == *e.failure_reason,
                "failure_reason was \"" + job->failure_reason + "\"");
  if (e.exit_code)
    add_verdict(
        r, who + " exit_code = " + std::to_string(*e.exit_code), job->exit_code == *e.exit_code,
        job->exit_code ? "exit_code was " + std::to_string(*job->exit_code) : std::string("no exit_code was reported"));
  const auto lines = fakes::log_lines(job->trace);
  for (const auto& want : e.log_contains) {
    const bool found = std::find(lines.begin(), lines.end(), want) != lines.end();
    add_verdict(r, who + " log contains the line: " + want, found, "no such line in its log");
  }
  for (const auto& want : e.log_contains_text) {
    bool found = false;
    for (const auto& l : lines) found |= l.find(want) != std::string::npos;
    add_verdict(r, who + " log contains the text: " + want, found, "no line of its log has it");
  }
  for (const auto& unwanted : e.log_not_contains) {
    std::string seen;
    for (const auto& l : lines)
      if (l.find(unwanted) != std::string::npos) seen = l;
    add_verdict(r, who + " log does not contain: " + unwanted, seen.empty(), "found in: " + seen);
  }
  if (e.started_after_seconds || e.started_before_seconds) {
    if (!job->started_at) {
      add_verdict(r, who + " was taken by the runner", false, "it was never taken");
      return;
    }
    const double at = std::chrono::duration<double>(*job->started_at - start).count();
    if (e.started_after_seconds)
      add_verdict(r, who + " started at or after " + seconds_text(*e.started_after_seconds),
                  at >= *e.started_after_seconds, "it started at " + seconds_text(at));
    if (e.started_before_seconds)
      add_verdict(r, who + " started at or before " + seconds_text(*e.started_before_seconds),
                  at <= *e.started_before_seconds, "it started at " + seconds_text(at));
  }
}

}  // namespace

int read_job_copies(TomlTable& job) {
  int copies = 1;
  if (!job.get("copies", copies)) return 1;
  if (copies < 1 || copies > 100000) {
    job.context().fail(job.raw().get("copies")->source(), job.path("copies") + ": expected 1 to 100000", kJobsHint);
    return 1;
  }
  return copies;
}

void read_runner_host(TomlTable& runner, Scenario& s) {
  runner.get("in_cluster", s.runner_in_cluster);
  read_runner_host_env_and_files(runner, s);  // sim/scenario_runner_host.h
  std::map<std::string, std::string> files;
  if (!runner.get("files", files)) return;
  for (const auto& [path, content] : files) {
    if (path.empty() || path[0] != '/') {
      runner.context().fail(runner.raw().get("files")->source(),
                            runner.path("files") + ": \"" + path + "\": expected an absolute path", kJobsHint);
      return;
    }
    if (content != "simulation-ca" && content != "untrusted-ca") {
      runner.context().fail(runner.raw().get("files")->source(),
                            runner.path("files") + ".\"" + path +
                                "\": expected \"simulation-ca\" or \"untrusted-ca\", got \"" + content + "\"",
                            kJobsHint);
      return;
    }
  }
  s.runner_files = std::move(files);
}

void read_gitlab_tokens(TomlTable& gitlab, Scenario& s) {
  gitlab.get("revoked_tokens", s.revoked_tokens);
  for (const toml::table* entry : gitlab.tables("runners")) {
    TomlTable t(*entry, gitlab.path("runners"), gitlab.context());
    RunnerRegistration r;
    t.get("token", r.token);
    int64_t id = 0;
    if (t.get("id", id)) r.id = id;
    std::string description;
    if (t.get("description", description)) r.description = description;
    t.get("tags", r.tags);
    t.reject_unread();
    s.registrations.push_back(std::move(r));
  }
}

Status register_runners(const Scenario& s, fakes::FakeGitLab& gitlab) {
  const auto& runners = s.config.runners;
  std::vector<fakes::RunnerIdentity> identities;
  for (size_t i = 0; i < runners.size(); ++i)
    identities.push_back({static_cast<int64_t>(i + 1), runners[i].name, {}});
  for (const auto& r : s.registrations) {
    const std::string& token = r.token.empty() ? runners.front().token : r.token;
    auto it = std::find_if(runners.begin(), runners.end(), [&](const auto& c) { return c.token == token; });
    if (it == runners.end())
      return make_error("[[gitlab.runners]] token \"" + token + "\" is no [[runners]] entry's token",
                        "write the token of a [[runners]] entry in runner.config, or leave token out for the first");
    fakes::RunnerIdentity& identity = identities[static_cast<size_t>(it - runners.begin())];
    if (r.id) identity.id = *r.id;
    if (r.description) identity.description = *r.description;
    identity.tags = r.tags;
  }
  for (size_t i = 0; i < runners.size(); ++i) gitlab.set_runner_identity(runners[i].token, identities[i]);
  return {};
}

void read_job_expectations(TomlTable& expect, Expectations& e) {
  expect.get("runner_log_contains", e.runner_log_contains);
  expect.get("runner_log_not_contains", e.runner_log_not_contains);
  for (const toml::table* entry : expect.tables("jobs")) {
    TomlTable t(*entry, expect.path("jobs"), expect.context());
    JobExpectation job;
    if (t.require("id", "name the job: [[expect.jobs]] id = 1000 (ids run 1000, 1001, ... in queue order)"))
      t.get("id", job.id);
    t.get("status", job.status);
    t.get("failure_reason", job.failure_reason);
    t.get("exit_code", job.exit_code);
    t.get("log_contains", job.log_contains);
    t.get("log_not_contains", job.log_not_contains);
    t.get("log_contains_text", job.log_contains_text);
    t.get("started_after_seconds", job.started_after_seconds);
    t.get("started_before_seconds", job.started_before_seconds);
    t.reject_unread();
    e.jobs.push_back(std::move(job));
  }
}

void evaluate_jobs(const Scenario& s, const std::vector<fakes::JobRecord>& jobs, TimePoint start, RunResult& r) {
  const Expectations& e = s.expect;
  for (const auto& want : e.runner_log_contains) {
    bool found = false;
    for (const auto& l : r.runner_log) found |= l.find(want) != std::string::npos;
    add_verdict(r, "runner log contains: " + want, found, "no such line in the runner's log");
  }
  for (const auto& unwanted : e.runner_log_not_contains) {
    std::string seen;
    for (const auto& l : r.runner_log)
      if (l.find(unwanted) != std::string::npos) seen = l;
    add_verdict(r, "runner log does not contain: " + unwanted, seen.empty(), "found in: " + seen);
  }
  for (const auto& job : e.jobs) {
    auto it = std::find_if(jobs.begin(), jobs.end(), [&](const fakes::JobRecord& j) { return j.id == job.id; });
    evaluate_job(job, it == jobs.end() ? nullptr : &*it, start, r);
  }
}

}  // namespace kexsim::sim

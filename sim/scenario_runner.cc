#include "sim/scenario_runner.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "base/random.h"
#include "executor/config.h"
#include "executor/runner.h"
#include "fakes/gitlab/log_view.h"
#include "sim/sim_dialer.h"
#include "sim/virtual_clock.h"
#include "sim/world.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

/// A private directory for the executor's in-cluster files, removed when the run ends.
struct RunDir {
  fs::path path;
  RunDir() {
    std::string tmpl = (fs::temp_directory_path() / "kexsim-run-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~RunDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
  }
};

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

void check(RunResult& r, std::string expectation, bool ok, std::string actual) {
  r.verdicts.push_back({std::move(expectation), ok, ok ? std::string() : std::move(actual)});
}

void evaluate(const Scenario& s, RunResult& r) {
  const Expectations& e = s.expect;
  if (e.status) check(r, "status = \"" + *e.status + "\"", r.job_state == *e.status, "status was \"" + r.job_state + "\"");
  if (e.failure_reason)
    check(r, "failure_reason = \"" + *e.failure_reason + "\"", r.failure_reason == *e.failure_reason,
          "failure_reason was \"" + r.failure_reason + "\"");
  if (e.exit_code) {
    const int actual = r.exit_code.value_or(0);
    check(r, "exit_code = " + std::to_string(*e.exit_code), actual == *e.exit_code,
          "exit_code was " + std::to_string(actual));
  }
  const auto lines = fakes::log_lines(r.trace);  // the job log as GitLab's job page shows it
  for (const auto& want : e.log_contains) {
    bool found = false;
    for (const auto& l : lines) found |= l == want;
    check(r, "log contains the line: " + want, found, "no such line in the job log");
  }
  for (const auto& unwanted : e.log_not_contains) {
    std::string seen;
    for (const auto& l : lines)
      if (l.find(unwanted) != std::string::npos) seen = l;
    check(r, "log does not contain: " + unwanted, seen.empty(), "found in: " + seen);
  }
  for (const auto& call : e.api_calls_contain) {
    bool found = false;
    for (const auto& l : r.kube_calls) found |= l.find(call) != std::string::npos;
    check(r, "Kubernetes API calls include: " + call, found, "no such call");
  }
  for (const auto& call : e.gitlab_calls_contain) {
    bool found = false;
    for (const auto& l : r.gitlab_calls) found |= l.find(call) != std::string::npos;
    check(r, "GitLab API calls include: " + call, found, "no such call");
  }
  auto count = [&](const std::string& kind) {
    int n = 0;
    for (const auto& l : r.leftovers) n += l.rfind(kind + "/", 0) == 0;
    return n;
  };
  if (e.leftover_pods)
    check(r, "leftover_pods = " + std::to_string(*e.leftover_pods), count("pods") == *e.leftover_pods,
          std::to_string(count("pods")) + " pod(s) left");
  if (e.leftover_secrets)
    check(r, "leftover_secrets = " + std::to_string(*e.leftover_secrets), count("secrets") == *e.leftover_secrets,
          std::to_string(count("secrets")) + " secret(s) left");
  const double secs = std::chrono::duration<double>(r.virtual_duration).count();
  if (e.min_virtual_seconds)
    check(r, "virtual duration >= " + std::to_string(*e.min_virtual_seconds) + " s", secs >= *e.min_virtual_seconds,
          std::to_string(secs) + " s");
  if (e.max_virtual_seconds)
    check(r, "virtual duration <= " + std::to_string(*e.max_virtual_seconds) + " s", secs <= *e.max_virtual_seconds,
          std::to_string(secs) + " s");
}

}  // namespace

Result<RunResult> run_scenario(const Scenario& s, std::optional<uint64_t> seed_override) {
  RunResult result;
  result.scenario = s.name;
  result.seed = seed_override.value_or(s.seed);

  auto config = executor::parse_config(s.runner_config, s.path, s.runner_config_line - 1);
  if (!config) return config.error();
  if (config->runners.empty()) {
    return make_error("the runner config has no [[runners]] entry", "add one [[runners]] block with executor = \"kubernetes\"",
                      s.path + ":" + std::to_string(s.runner_config_line));
  }
  for (const auto& w : config->warnings) result.warnings.push_back(w.where + ": " + w.message);

  boost::asio::io_context io;
  TimePoint start;
  parse_rfc3339("2026-01-01T09:00:00Z", start);
  VirtualClock clock(io, start);
  auto started = SimWorld::start(s, *config, result.seed, io, clock);
  if (!started) return started.error();
  SimWorld& world = **started;
  Random root(result.seed);

  // The executor, as it would run in a pod of this cluster.
  RunDir dir;
  dir.write("token", world.runner_token());
  dir.write("ca.crt", world.ca().cert_pem());
  dir.write("namespace", world.namespaces().front());
  executor::ExecutorEnvironment env;
  env.hostname = s.runner_hostname;
  Random exec_random = root.fork("executor");
  env.system_id = "r_" + exec_random.chars(12, "abcdefghijklmnopqrstuvwxyz0123456789");
  auto profile = executor::parse_profile(s.profile);
  if (!profile) return profile.error();
  env.profile = *profile;
  env.in_cluster.env = {{"KUBERNETES_SERVICE_HOST", kKubeAddress}, {"KUBERNETES_SERVICE_PORT", "443"}};
  env.in_cluster.service_account_dir = dir.path.string();
  SimDialer dialer(world.network(), clock, world.ca().cert_pem());
  executor::Runner runner(io.get_executor(), clock, exec_random, dialer, *config, env);

  bool done = false;
  std::optional<Result<executor::RunnerReport>> report;
  auto drive = [&]() -> asio::awaitable<void> { report = co_await runner.run_until_idle(); };
  boost::asio::co_spawn(io, drive(), [&](std::exception_ptr ep) {
    done = true;
    if (!ep) return;
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& ex) {
      report = Result<executor::RunnerReport>(make_error(std::string("executor crashed: ") + ex.what()));
    }
  });
  auto ran = clock.run_until([&] { return done; }, std::chrono::hours(3));
  result.virtual_duration = clock.elapsed();
  if (!ran) result.error = ran.error().describe();
  else if (report && !*report) result.error = report->error().describe();
  else if (report && !(*report)->log.empty()) {
    // The runner could not take a job (e.g. a payload it cannot parse): that is a run error too.
    for (const auto& line : (*report)->log) result.error += (result.error.empty() ? "" : "\n") + line;
  }

  world.stop();
  io.restart();
  io.poll();
  fakes::FakeGitLab& gitlab = world.gitlab();
  fakes::KubeApiServer& kube = world.kube();

  if (!gitlab.jobs().empty()) {
    const auto& job = gitlab.jobs().front();
    result.trace = job.trace;
    if (job.state == "success" || job.state == "failed") result.job_state = job.state;
    result.failure_reason = job.failure_reason;
    result.exit_code = job.exit_code;
  }
  result.kube_calls = kube.call_log();
  result.gitlab_calls = gitlab.call_log();
  for (const auto& ns : world.namespaces()) {
    for (const auto& kind : {"pods", "secrets"})
      for (const auto& name : kube.names(kind, ns)) result.leftovers.push_back(std::string(kind) + "/" + ns + "/" + name);
  }

  uint64_t h = 1469598103934665603ULL;
  for (const auto& job : gitlab.jobs()) h = fnv1a(h, job.trace);
  for (const auto& l : result.kube_calls) h = fnv1a(fnv1a(h, l), "\n");
  for (const auto& l : result.gitlab_calls) h = fnv1a(fnv1a(h, l), "\n");
  result.digest = hex64(h);

  evaluate(s, result);
  return result;
}

}  // namespace kexsim::sim

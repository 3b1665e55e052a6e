#include "sim/scenario_runner.h"

#include <exception>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "base/files.h"
#include "base/hash.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/runner.h"
#include "fakes/gitlab/log_view.h"
#include "sim/scenario_jobs.h"
#include "sim/scenario_runner_host.h"
#include "sim/sim_dialer.h"
#include "sim/virtual_clock.h"
#include "sim/world.h"

namespace kexsim::sim {
namespace {

/// How many of each call log's last lines a run error shows.
constexpr size_t kCallsShown = 3;

constexpr const char* kBugHint = "this is a kexsim bug; please report it with the scenario name and --seed";

void check(RunResult& r, std::string expectation, bool ok, std::string actual) {
  r.verdicts.push_back({std::move(expectation), ok, ok ? std::string() : std::move(actual)});
}

void evaluate(const Scenario& s, RunResult& r) {
  const Expectations& e = s.expect;
  if (e.status)
    check(r, "status = \"" + *e.status + "\"", r.job_state == *e.status, "status was \"" + r.job_state + "\"");
  if (e.failure_reason)
    check(r, "failure_reason = \"" + *e.failure_reason + "\"", r.failure_reason == *e.failure_reason,
          "failure_reason was \"" + r.failure_reason + "\"");
  if (e.exit_code) {
    check(r, "exit_code = " + std::to_string(*e.exit_code), r.exit_code == *e.exit_code,
          r.exit_code ? "exit_code was " + std::to_string(*r.exit_code) : std::string("no exit_code was reported"));
  }
  const auto lines = fakes::log_lines(r.trace);  // the job log as GitLab's job page shows it
  for (const auto& want : e.log_contains) {
    bool found = false;
    for (const auto& l : lines) found |= l == want;
    check(r, "log contains the line: " + want, found, "no such line in the job log");
  }
  for (const auto& want : e.log_contains_text) {
    bool found = false;
    for (const auto& l : lines) found |= l.find(want) != std::string::npos;
    check(r, "log contains the text: " + want, found, "no line of the job log contains it");
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

/// Every job after the first must at least finish: the expectations describe the first job only
/// (docs/scenarios.md), but a later job left running or never taken is a failed run too.
void check_other_jobs(const std::vector<fakes::JobRecord>& jobs, RunResult& r) {
  for (size_t i = 1; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const bool finished = job.state == "success" || job.state == "failed" || job.state == "canceled";
    check(r, "job " + std::to_string(job.id) + " (" + job.definition.name + ") finishes", finished,
          "its state was \"" + job.state + "\"");
  }
}

/// The last `n` lines of a call log, indented and cut to a readable width (an exec's URL carries
/// its whole script), or "(none)".
std::string last_calls(const std::vector<std::string>& log, size_t n) {
  constexpr size_t kWidth = 160;
  if (log.empty()) return " (none)";
  std::string out;
  if (log.size() > n) out += "\n      … " + std::to_string(log.size() - n) + " earlier";
  for (size_t i = log.size() > n ? log.size() - n : 0; i < log.size(); ++i)
    out += "\n      " + (log[i].size() > kWidth ? log[i].substr(0, kWidth - 3) + "…" : log[i]);
  return out;
}

/// A run that could not complete, as a bug report needs it: what happened, how to replay it, and
/// what was in flight when it stopped.
std::string describe_run_error(const Scenario& s, uint64_t seed, const Error& e, int64_t in_flight,
                               const std::vector<std::string>& kube_calls,
                               const std::vector<std::string>& gitlab_calls) {
  std::string out = e.where.empty() ? e.message : e.where + ": " + e.message;
  const std::string seed_text = std::to_string(seed);
  out += "\n  scenario " + s.group + "/" + s.name + ", --seed " + seed_text;
  out += " (replay: kexsim run --seed " + seed_text + " " + s.path + ")";
  out += "\n  in flight when it stopped: " + std::to_string(in_flight);
  out += "\n  last Kubernetes API calls:" + last_calls(kube_calls, kCallsShown);
  out += "\n  last GitLab calls:" + last_calls(gitlab_calls, kCallsShown);
  if (!e.hint.empty()) out += "\n  hint: " + e.hint;
  return out;
}

/// The text of the exception being handled (call inside a catch block).
std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

/// The service-account files the executor reads in a pod (token, CA, namespace), written into dir.
Status write_service_account(const TempDir& dir, const SimWorld& world) {
  if (!dir.ok()) return make_error("cannot create the run's service-account directory: " + dir.error(), "check TMPDIR");
  const std::pair<std::string, std::string> files[] = {
      {"token", world.runner_token()}, {"ca.crt", world.ca().cert_pem()}, {"namespace", world.namespaces().front()}};
  for (const auto& [name, content] : files)
    if (auto written = write_file(dir.file(name), content); !written) return written;
  return {};
}

/// config.toml as the runner reads it on its host: the files the scenario puts there ([runner]
/// files) are written into the run's directory, and the config's paths to them point there.
Result<executor::Config> runner_host_config(const Scenario& s, const TempDir& dir, const SimWorld& world) {
  executor::Config config = s.config;
  std::map<std::string, std::string> written;  // scenario path -> real path
  for (const auto& [path, content] : s.runner_files) {
    std::string pem;
    if (content == "simulation-ca") {
      pem = world.ca().cert_pem();
    } else {
      auto rogue = world.untrusted_ca_pem();
      if (!rogue) return rogue.error();
      pem = *rogue;
    }
    const std::string real = dir.file("host-file-" + std::to_string(written.size()) + ".pem");
    if (auto ok = write_file(real, pem); !ok) return ok.error();
    written[path] = real;
  }
  auto map_path = [&](std::string& p) {
    if (auto it = written.find(p); it != written.end()) p = it->second;
  };
  for (auto& r : config.runners) {
    map_path(r.tls_ca_file);
    map_path(r.kubernetes.ca_file);
    map_path(r.kubernetes.cert_file);
    map_path(r.kubernetes.key_file);
  }
  return config;
}

/// What the world holds once the run ended: the first job, both call logs, what was left behind,
/// and the digest of every job's trace and both call logs.
void collect(SimWorld& world, RunResult& result) {
  fakes::FakeGitLab& gitlab = world.gitlab();
  fakes::KubeApiServer& kube = world.kube();
  if (!gitlab.jobs().empty()) {
    const auto& job = gitlab.jobs().front();
    result.trace = job.trace;
    if (job.state == "success" || job.state == "failed" || job.state == "canceled") result.job_state = job.state;
    result.failure_reason = job.failure_reason;
    result.exit_code = job.exit_code;
  }
  result.kube_calls = kube.call_log();
  result.gitlab_calls = gitlab.call_log();
  for (const auto& ns : world.namespaces()) {
    for (const auto& kind : {"pods", "secrets"})
      for (const auto& name : kube.names(kind, ns))
        if (!world.seeded().count(std::string(kind) + "/" + ns + "/" + name))
          result.leftovers.push_back(std::string(kind) + "/" + ns + "/" + name);
  }
  uint64_t h = kFnv1aBasis;
  for (const auto& job : gitlab.jobs()) {
    h = fnv1a(job.trace, h);
    result.job_traces[job.id] = job.trace;
  }
  for (const auto& l : result.kube_calls) h = fnv1a("\n", fnv1a(l, h));
  for (const auto& l : result.gitlab_calls) h = fnv1a("\n", fnv1a(l, h));
  for (const auto& l : result.runner_log) h = fnv1a("\n", fnv1a(l, h));
  result.digest = hex64(h);
}

Result<RunResult> run_once(const Scenario& s, const RunOptions& options) {
  RunResult result;
  result.scenario = s.name;
  result.seed = options.seed.value_or(s.seed);
  for (const auto& w : s.config.warnings) result.warnings.push_back(w.where + ": " + w.message);

  // The clock outlives the io_context: coroutines still pending when it is destroyed settle their
  // in-flight accounting on the clock (HttpServer::stop).
  std::optional<VirtualClock> clock_slot;
  boost::asio::io_context io;
  TimePoint start;
  parse_rfc3339("2026-01-01T09:00:00Z", start);
  VirtualClock& clock = clock_slot.emplace(io, start);
  clock.set_stall_timeout(options.stall_timeout);
  clock.set_busy_loop_timeout(options.busy_loop_timeout);
  auto started = SimWorld::start(s, result.seed, io, clock, options.hooks.world);
  if (!started) return started.error();
  SimWorld& world = **started;
  Random root(result.seed);
  auto fail = [&](const Error& e) {
    result.error =
        describe_run_error(s, result.seed, e, clock.in_flight(), world.kube().call_log(), world.gitlab().call_log());
  };

  // The executor, as it would run in a pod of this cluster.
  TempDir dir("kexsim-run");
  if (auto written = write_service_account(dir, world); !written) {
    fail(written.error());
    return result;
  }
  executor::ExecutorEnvironment env;
  env.hostname = s.runner_hostname;
  Random exec_random = root.fork("executor");
  env.system_id = "r_" + exec_random.chars(12, "abcdefghijklmnopqrstuvwxyz0123456789");
  auto profile = executor::parse_profile(s.profile);
  if (!profile) return profile.error();
  env.profile = *profile;
  if (s.runner_in_cluster) {
    env.in_cluster.env = {{"KUBERNETES_SERVICE_HOST", kKubeAddress}, {"KUBERNETES_SERVICE_PORT", "443"}};
    env.in_cluster.service_account_dir = dir.path().string();
  } else {
    // A runner on a VM: no service env, no service-account files.
    env.in_cluster.service_account_dir = dir.file("no-service-account");
  }
  // The runner host's env and files (sim/scenario_runner_host.h): its kubeconfig fallback reads them.
  env.in_cluster.host_root = dir.file("host");
  for (const auto& [name, value] : runner_host_env(s)) env.in_cluster.env.insert_or_assign(name, value);
  if (auto written = write_runner_host_files(s, env.in_cluster.host_root, world); !written) {
    fail(written.error());
    return result;
  }
  auto config = runner_host_config(s, dir, world);
  if (!config) {
    fail(config.error());
    return result;
  }
  SimDialer sim_dialer(world.network(), clock, world.ca().cert_pem(), world.dial_faults());
  std::unique_ptr<executor::Dialer> wrapped_dialer;
  executor::Dialer* dialer = &sim_dialer;
  if (options.hooks.wrap_dialer) dialer = (wrapped_dialer = options.hooks.wrap_dialer(sim_dialer)).get();
  // A GitLab-side fault window that ends: the runner keeps polling through it (see Runner).
  double outage_seconds = 0;
  for (const auto& f : s.faults)
    if (f.wire == "gitlab" && f.until_seconds) outage_seconds = std::max(outage_seconds, *f.until_seconds);
  const auto keep_polling_for = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(outage_seconds));
  executor::Runner runner(io.get_executor(), clock, exec_random, *dialer, *config, env, keep_polling_for);

  bool done = false;
  std::optional<Result<executor::RunnerReport>> report;
  auto drive = [&]() -> asio::awaitable<void> { report = co_await runner.run_until_idle(); };
  boost::asio::co_spawn(io, drive(), [&](std::exception_ptr ep) {
    done = true;
    if (!ep) return;
    try {
      std::rethrow_exception(ep);
    } catch (...) {
      report.emplace(make_error("an exception escaped the executor: " + current_exception_text(), kBugHint));
    }
  });
  auto ran = clock.run_until([&] { return done; }, std::chrono::hours(3));
  result.virtual_duration = clock.elapsed();
  if (!ran) {
    fail(ran.error());
  } else if (report && !*report) {
    fail(report->error());
  } else if (report && !(*report)->errors.empty()) {
    // The runner could not take a job (e.g. a payload it cannot parse): that is a run error too.
    std::string lines;
    for (const auto& line : (*report)->errors) lines += (lines.empty() ? "" : "\n") + line;
    fail(make_error(lines));
  }
  if (report && *report) result.runner_log = (*report)->log;

  // Let the closed connections' coroutines finish; one that throws now is a bug all the same.
  world.stop();
  try {
    io.restart();
    io.poll();
  } catch (...) {
    if (result.error.empty())
      fail(
          make_error("an exception escaped the simulation after the job ended: " + current_exception_text(), kBugHint));
  }
  collect(world, result);
  evaluate(s, result);
  check_other_jobs(world.gitlab().jobs(), result);
  evaluate_jobs(s, world.gitlab().jobs(), start, result);
  return result;
}

}  // namespace

Result<RunResult> run_scenario(const Scenario& s, const RunOptions& options) {
  try {
    return run_once(s, options);
  } catch (...) {
    // Outside the simulation's loop (setting up the world, evaluating): no call logs to show.
    RunResult result;
    result.scenario = s.name;
    result.seed = options.seed.value_or(s.seed);
    result.error = describe_run_error(
        s, result.seed, make_error("an exception escaped the harness: " + current_exception_text(), kBugHint), 0, {},
        {});
    return result;
  }
}

ExitCode exit_code_of(const RunResult& result) {
  if (!result.error.empty()) return kExitInfrastructure;
  return result.passed() ? kExitPassed : kExitFailed;
}

}  // namespace kexsim::sim

#include "sim/cli.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "executor/profile.h"
#include "fakes/gitlab/log_view.h"
#include "sim/fault_matrix.h"
#include "sim/junit.h"
#include "sim/render.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/serve.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

struct Style {
  bool color = false;
  std::string green(const std::string& s) const { return color ? "\033[32;1m" + s + "\033[0m" : s; }
  std::string red(const std::string& s) const { return color ? "\033[31;1m" + s + "\033[0m" : s; }
  std::string bold(const std::string& s) const { return color ? "\033[1m" + s + "\033[0m" : s; }
};

Style style_for(bool no_color_flag) {
  Style s;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  s.color =
      !no_color_flag && isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
  return s;
}

std::string seconds_label(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

/// Every scenario file named directly or found under a directory, in a stable order.
std::vector<std::string> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      for (auto& f : list_scenarios(p)) out.push_back(f);
    } else {
      out.push_back(p);
    }
  }
  return out;
}

/// What `kexsim run` shows besides the first job's log.
struct RunView {
  std::optional<int64_t> job;  ///< this job's log instead of the first's
  bool runner_log = false;     ///< the runner process's own log too
  bool calls = false;          ///< the GitLab and Kubernetes API call logs too
  /// The stall and busy-loop watchdogs' bound in wall seconds (0: the default), for runs under
  /// valgrind or a thousand jobs on a loaded machine, which are slow but not stuck.
  unsigned watchdog_seconds = 0;
};

int cmd_run(const std::vector<std::string>& files, std::optional<uint64_t> seed, bool raw, bool no_color,
            const RunView& view) {
  const Style st = style_for(no_color);
  int code = kExitPassed;
  for (const auto& file : files) {
    auto scenario = load_scenario(file);
    if (!scenario) {
      std::cerr << "kexsim: invalid scenario: " << scenario.error().describe() << "\n";
      code = std::max(code, static_cast<int>(kExitInvalid));
      continue;
    }
    RunOptions options;
    options.seed = seed;
    if (view.watchdog_seconds > 0) {
      options.stall_timeout = std::chrono::seconds(view.watchdog_seconds);
      options.busy_loop_timeout = std::chrono::seconds(view.watchdog_seconds);
    }
    auto run = run_scenario(*scenario, options);
    if (!run) {
      std::cerr << "kexsim: " << file << ": " << run.error().describe() << "\n";
      code = std::max(code, static_cast<int>(kExitInvalid));
      continue;
    }
    std::cout << st.bold("== " + scenario->name) << " (" << file << ", seed " << run->seed << ")\n";
    if (!scenario->description.empty()) std::cout << "   " << scenario->description << "\n";
    if (!scenario->reproduces.empty()) std::cout << "   reproduces: " << scenario->reproduces << "\n";
    for (const auto& w : run->warnings) std::cout << "   config.toml warning: " << w << "\n";
    std::cout << "\n";
    if (view.job) {
      auto it = run->job_traces.find(*view.job);
      run->trace = it == run->job_traces.end() ? std::string() : it->second;
      if (it == run->job_traces.end()) std::cout << "(no job " << *view.job << ")\n";
    }
    if (raw)
      std::cout << run->trace;
    else if (st.color)
      std::cout << fakes::render_log_terminal(run->trace);
    else
      std::cout << fakes::render_log_plain(run->trace);
    if (!run->trace.empty() && run->trace.back() != '\n') std::cout << "\n";
    std::cout << "\n";
    if (view.calls) {
      // The call logs the digest covers: what a reproduction is compared on, besides the job log.
      std::cout << st.bold("-- GitLab API calls") << "\n";
      for (const auto& line : run->gitlab_calls) std::cout << "  " << line << "\n";
      std::cout << st.bold("-- Kubernetes API calls") << "\n";
      for (const auto& line : run->kube_calls) std::cout << "  " << line << "\n";
      std::cout << "\n";
    }
    if (view.runner_log) {
      std::cout << st.bold("runner log:") << "\n";
      for (const auto& line : run->runner_log) std::cout << line << "\n";
      std::cout << "\n";
    }
    if (!run->error.empty()) std::cout << st.red("run error: ") << run->error << "\n";
    for (const auto& v : run->verdicts) {
      std::cout << "  " << (v.passed ? st.green("ok  ") : st.red("FAIL")) << " " << v.expectation;
      if (!v.passed) std::cout << "  -- " << v.actual;
      std::cout << "\n";
    }
    if (!run->passed()) {
      if (!scenario->cause.empty()) std::cout << "  cause: " << scenario->cause << "\n";
      if (!scenario->fix.empty()) std::cout << "  fix:   " << scenario->fix << "\n";
    }
    std::cout << (run->passed() ? st.green("PASS") : st.red("FAIL")) << " " << scenario->name << " in "
              << seconds_label(run->virtual_duration) << " of virtual time\n\n";
    code = std::max(code, static_cast<int>(exit_code_of(*run)));
  }
  return code;
}

/// How `kexsim check` runs a library.
struct CheckOptions {
  std::optional<uint64_t> seed;
  bool twice = false;
  std::string junit_path;
  bool no_color = false;
  bool digests = false;  ///< print each passing scenario's digest
  unsigned jobs = 1;     ///< scenarios run at once, each on its own thread in its own world
  bool timings = false;  ///< print each scenario's CPU time and the slowest ones at the end
};

/// One scenario's outcome, as check reports it.
struct CheckedScenario {
  JunitCase junit;
  std::string label;  ///< group/name, or the file when it did not load
  std::string failure, digest;
  std::vector<std::string> warnings;
  bool invalid = false;
  int broken = 0;          ///< runs that ended in a run error
  double cpu_seconds = 0;  ///< the checking thread's CPU time (load and runs), immune to other threads
};

/// The calling thread's CPU time: what one scenario cost, whatever else the machine runs.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

CheckedScenario check_one(const std::string& file, const CheckOptions& options) {
  CheckedScenario out;
  JunitCase& jc = out.junit;
  jc.file = file;
  RunOptions run_options;
  run_options.seed = options.seed;
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  auto scenario = load_scenario(file);
  std::string& failure = out.failure;
  if (!scenario) {
    failure = "invalid scenario: " + scenario.error().describe();
    jc.name = fs::path(file).stem().string();
    jc.classname = fs::path(file).parent_path().filename().string();
    out.invalid = true;
  } else {
    jc.name = scenario->name;
    jc.classname = scenario->group;
    auto run = run_scenario(*scenario, run_options);
    if (!run) {
      failure = run.error().describe();
      out.invalid = true;
    } else {
      out.broken += !run->error.empty();
      out.warnings = run->warnings;
      out.digest = run->digest;
      jc.system_out = fakes::render_log_plain(run->trace);
      jc.virtual_seconds = std::chrono::duration<double>(run->virtual_duration).count();
      if (!run->error.empty()) failure = "run error: " + run->error;
      for (const auto& v : run->verdicts)
        if (!v.passed) failure += (failure.empty() ? "" : "\n") + v.expectation + "  -- " + v.actual;
      if (failure.empty() && options.twice) {
        auto again = run_scenario(*scenario, run_options);
        if (again && !again->error.empty()) {
          failure = "run error (second run): " + again->error;
          ++out.broken;
        } else if (!again || again->digest != run->digest) {
          failure = "not deterministic: a second run with seed " + std::to_string(run->seed) +
                    " gave a different job log or API call log (digest " + run->digest + " vs " +
                    (again ? again->digest : again.error().message) + ")";
        }
      }
    }
  }
  jc.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.cpu_seconds = thread_cpu_seconds() - cpu_start;
  jc.failure = failure;
  out.label = scenario ? scenario->group + "/" + scenario->name : file;
  return out;
}

/// The scenarios that cost the most CPU time, with the library's total: where to look to make check faster.
void print_slowest(std::vector<std::pair<double, std::string>> costs) {
  double total = 0;
  for (const auto& [cpu, label] : costs) total += cpu;
  std::stable_sort(costs.begin(), costs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::printf("CPU time of the scenarios: %.3f s in all; the slowest:\n", total);
  for (size_t i = 0; i < costs.size() && i < 15; ++i)
    std::printf("  %8.1f ms  %s\n", costs[i].first * 1000, costs[i].second.c_str());
  std::fflush(stdout);
}

int cmd_check(const std::vector<std::string>& dirs, const CheckOptions& options) {
  const Style st = style_for(options.no_color);
  const auto files = expand(dirs);
  if (files.empty()) {
    std::cerr << "kexsim check: no scenario files (*.toml) found in the given paths\n";
    return kExitUsage;
  }
  // Each scenario is its own world (clock, io_context, fakes, executor); what runs share is the
  // process-wide TLS caches, which lock. Results are printed in file order whatever finishes first.
  std::vector<std::optional<CheckedScenario>> results(files.size());
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      CheckedScenario checked = check_one(files[i], options);
      std::lock_guard lock(mutex);
      results[i] = std::move(checked);
      ready.notify_all();
    }
  };
  std::vector<std::thread> workers;
  const unsigned threads = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(files.size())));
  for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work);  // this thread prints

  int passed = 0, failed = 0, invalid = 0, broken = 0;
  std::vector<JunitCase> cases;
  std::vector<std::pair<double, std::string>> costs;  // CPU seconds, label: for --timings
  for (size_t index = 0; index < files.size(); ++index) {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return results[index].has_value(); });
    CheckedScenario checked = std::move(*results[index]);
    results[index].reset();
    lock.unlock();
    invalid += checked.invalid;
    broken += checked.broken;
    const std::string label =
        "[" + std::to_string(index + 1) + "/" + std::to_string(files.size()) + "] " + checked.label;
    costs.emplace_back(checked.cpu_seconds, checked.label);
    char took[48] = "";
    if (options.timings) std::snprintf(took, sizeof took, " (%.1f ms CPU)", checked.cpu_seconds * 1000);
    if (checked.failure.empty()) {
      ++passed;
      std::cout << st.green("PASS") << " " << label << took << "\n";
      if (options.digests) std::cout << "    digest " << checked.digest << "\n";
      for (const auto& w : checked.warnings) std::cout << "    config.toml warning: " << w << "\n";
    } else {
      ++failed;
      std::cout << st.red("FAIL") << " " << label << took << "\n";
      std::string indented = "    " + checked.failure;
      for (size_t p = 0; (p = indented.find('\n', p)) != std::string::npos; p += 5) indented.insert(p + 1, "    ");
      std::cout << indented << "\n";
    }
    std::cout.flush();
    cases.push_back(std::move(checked.junit));
  }
  for (auto& w : workers) w.join();
  if (!options.junit_path.empty()) {
    std::ofstream out(options.junit_path);
    out << render_junit("kexsim", cases);
  }
  if (options.timings) print_slowest(costs);
  std::cout << passed << " passed, " << failed << " failed\n";
  if (failed == 0) return kExitPassed;
  if (broken > 0) return kExitInfrastructure;
  return invalid == failed ? kExitInvalid : kExitFailed;
}

int cmd_list(const std::vector<std::string>& dirs) {
  int code = kExitPassed;
  for (const auto& file : expand(dirs)) {
    auto scenario = load_scenario(file);
    if (!scenario) {
      std::cout << file << "  (invalid: " << scenario.error().message << ")\n";
      code = kExitInvalid;
      continue;
    }
    std::cout << scenario->group << "/" << scenario->name << "  [" << scenario->profile << "]  " << file << "\n";
    if (!scenario->description.empty()) std::cout << "    " << scenario->description << "\n";
    if (!scenario->reproduces.empty()) std::cout << "    reproduces: " << scenario->reproduces << "\n";
  }
  return code;
}

// --- kexsim matrix ---
/// What `kexsim matrix` was asked to run.
struct MatrixRequest {
  std::string scenario;          ///< a scenario file; empty: the built-in hello job
  std::string profile = "19.4";  ///< the built-in job's release
  size_t max_cells = 0;          ///< 0: every cell
};

/// Runs the fault matrix (issue 7) of one base scenario and prints its table; exit 1 when a cell fails.
int cmd_matrix(const MatrixRequest& request) {
  auto scenario = request.scenario.empty()
                      ? parse_scenario(fault_matrix_base_scenario(request.profile), "fault-matrix-" + request.profile)
                      : load_scenario(request.scenario);
  if (!scenario) {
    std::cerr << "kexsim matrix: " << scenario.error().describe() << "\n";
    return kExitInvalid;
  }
  MatrixOptions options;
  options.max_cells = request.max_cells;
  auto report = run_fault_matrix(*scenario, options);
  if (!report) {
    std::cerr << "kexsim matrix: " << report.error().describe() << "\n";
    return kExitInfrastructure;
  }
  std::cout << report->table();
  return report->failures() == 0 ? kExitPassed : kExitFailed;
}
// --- end kexsim matrix ---

// --- kexsim render ---
/// Prints the secret and pod a config and job would give, and the planned API calls.
int cmd_render(const RenderRequest& request, const std::string& format) {
  std::vector<std::string> warnings;
  auto inputs = load_render_inputs(request, &warnings);
  if (!inputs) {
    std::cerr << "kexsim render: " << inputs.error().describe() << "\n";
    return kExitInvalid;
  }
  for (const auto& w : warnings) std::cerr << "kexsim render: config.toml warning: " << w << "\n";
  auto rendering = render(*inputs);
  if (!rendering) {
    std::cerr << "kexsim render: " << rendering.error().describe() << "\n";
    return kExitInvalid;
  }
  std::cout << (format == "json" ? rendering_json(*rendering) : rendering_yaml(*rendering));
  return kExitPassed;
}
// --- end kexsim render ---

}  // namespace

int run_cli(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing mid-write must be an error, not a dead process
  CLI::App app{"kexsim: a simulator and test harness for the GitLab Runner Kubernetes executor"};
  app.set_version_flag("--version", "kexsim 0.1.0");
  app.require_subcommand(1);

  std::vector<std::string> run_files, check_dirs, list_dirs;
  std::optional<uint64_t> seed;
  bool raw = false, no_color = false;
  CheckOptions check_options;
  check_options.jobs = std::max(1u, std::thread::hardware_concurrency());

  auto* run = app.add_subcommand("run", "Run scenarios and show each job log as GitLab received it, then a verdict");
  run->add_option("scenario", run_files, "Scenario files (*.toml)")->required()->check(CLI::ExistingFile);
  run->add_option("--seed", seed, "Seed for every random choice (default: the scenario's)");
  run->add_flag("--raw", raw, "Print the raw trace bytes (ANSI colours and section markers)");
  run->add_flag("--no-color", no_color, "Never colour the output (NO_COLOR is honoured too)");
  RunView view;
  run->add_option("--job", view.job, "Show this job's log (by id: 1000, 1001, ...) instead of the first job's");
  run->add_flag("--runner-log", view.runner_log, "Show the runner process's own log (what `gitlab-runner run` prints)");
  run->add_flag("--calls", view.calls, "Also print the GitLab and Kubernetes API call logs");
  run->add_option("--watchdog-seconds", view.watchdog_seconds,
                  "Wall seconds without progress before a run is declared stuck (default 10; raise it under valgrind)");

  auto* check = app.add_subcommand("check", "Run a scenario library as a regression suite");
  check->add_option("paths", check_dirs, "Scenario directories or files")->required()->check(CLI::ExistingPath);
  check->add_option("--seed", check_options.seed, "Seed for every scenario (default: each scenario's)");
  check->add_flag("--twice", check_options.twice, "Run each scenario twice and fail if the logs differ");
  check->add_option("--junit", check_options.junit_path, "Write a JUnit XML report here (for GitLab's test reports)");
  check->add_flag("--no-color", check_options.no_color, "Never colour the output");
  check->add_flag("--digests", check_options.digests, "Print each passing scenario's digest (to compare two builds)");
  check->add_flag("--timings", check_options.timings,
                  "Print each scenario's CPU time, and the slowest scenarios at the end");
  check->add_option("--jobs,-j", check_options.jobs, "Scenarios run at once (default: the number of cores)")
      ->check(CLI::PositiveNumber);

  ServeOptions serve_options;
  auto* serve_cmd = app.add_subcommand(
      "serve", "Start a scenario's fake Kubernetes API server and GitLab in real time, for kubectl and other clients");
  serve_cmd->add_option("scenario", serve_options.scenario, "Scenario file (*.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--seed", serve_options.seed, "Seed for every random choice (default: the scenario's)");
  serve_cmd->add_option("--dir", serve_options.dir,
                        "Write ca.crt and kubeconfig here (default: a new temporary directory, removed at exit)");
  serve_cmd->add_option("--for", serve_options.for_seconds, "Stop after this many seconds (default: at Ctrl-C)")
      ->check(CLI::NonNegativeNumber);

  auto* list = app.add_subcommand("list", "List the scenarios in a library");
  list->add_option("paths", list_dirs, "Scenario directories")->check(CLI::ExistingPath);

  // --- kexsim render ---
  RenderRequest render_request;
  std::string render_format = "yaml";
  auto* render_cmd = app.add_subcommand(
      "render",
      "Print the secret(s) and pod the executor would POST for a config and a job, and the API calls of the "
      "run, without running it (like helm template)");
  render_cmd->add_option("config", render_request.config_path, "config.toml, or a scenario file (its config and job)")
      ->required()
      ->check(CLI::ExistingFile);
  render_cmd
      ->add_option("--job", render_request.job_path,
                   "Job file (.json or .toml; the keys of a scenario's [[gitlab.jobs]]); default: the "
                   "scenario's job, else alpine:3.20 running `echo Hello`")
      ->check(CLI::ExistingFile);
  render_cmd
      ->add_option("--profile", render_request.profile,
                   "GitLab Runner release: 19.4 (default), 18.11, 17.11, 16.11, 15.11 or 13.12")
      ->check(CLI::IsMember(executor::offered_profile_names()));
  render_cmd->add_option("--seed", render_request.seed,
                         "Seed of the generated names (default: the scenario's, else 1)");
  render_cmd->add_option("-o,--output", render_format, "Output format: yaml (default) or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  // --- end kexsim render ---

  // --- kexsim matrix ---
  MatrixRequest matrix_request;
  auto* matrix_cmd = app.add_subcommand(
      "matrix",
      "Run the fault matrix: every distinct API call of a base job crossed with refused, reset, black-hole, "
      "500, 429, 403 and a dropped stream, one run per cell, and print the table");
  matrix_cmd->add_option("scenario", matrix_request.scenario, "Base scenario file (default: the built-in hello job)")
      ->check(CLI::ExistingFile);
  auto* matrix_profile =
      matrix_cmd
          ->add_option("--profile", matrix_request.profile,
                       "Release of the built-in job: 19.4 (default), 18.11, 17.11, 16.11, 15.11 or 13.12")
          ->check(CLI::IsMember(executor::offered_profile_names()));
  matrix_profile->excludes(matrix_cmd->get_option("scenario"));
  matrix_cmd->add_option("--cells", matrix_request.max_cells, "Run only the first N cells (default: all)")
      ->check(CLI::PositiveNumber);
  // --- end kexsim matrix ---

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitPassed : kExitUsage;
  }
  // run_scenario and serve report their own failures; this is the last line against an abort.
  try {
    if (*run) return cmd_run(run_files, seed, raw, no_color, view);
    if (*check) return cmd_check(check_dirs, check_options);
    if (*serve_cmd) return serve(serve_options, std::cout, std::cerr);
    if (*render_cmd) return cmd_render(render_request, render_format);
    if (*matrix_cmd) return cmd_matrix(matrix_request);
    if (*list) return cmd_list(list_dirs.empty() ? std::vector<std::string>{"scenarios"} : list_dirs);
  } catch (const std::exception& e) {
    std::cerr << "kexsim: internal error: " << e.what()
              << "\n  hint: this is a kexsim bug; please report it with the command line\n";
    return kExitInfrastructure;
  } catch (...) {
    std::cerr << "kexsim: internal error: an exception of unknown type"
              << "\n  hint: this is a kexsim bug; please report it with the command line\n";
    return kExitInfrastructure;
  }
  return kExitUsage;
}

}  // namespace kexsim::sim

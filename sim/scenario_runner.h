#pragma once
// Runs one scenario: starts the fakes on loopback, runs the real executor against them in
// virtual time, and checks the expectations.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "executor/dialer.h"
#include "sim/exit_code.h"
#include "sim/scenario.h"
#include "sim/virtual_clock.h"
#include "sim/world.h"

namespace kexsim::sim {

/// One checked expectation.
struct Verdict {
  std::string expectation;  ///< e.g. `status = "failed"`
  bool passed = false;
  std::string actual;  ///< what was seen instead, when it failed
};

/// Everything a scenario run produced.
struct RunResult {
  std::string scenario;  ///< name
  uint64_t seed = 0;
  std::string trace;      ///< raw job log bytes as GitLab stored them (first job; expectations are about it)
  std::string job_state;  ///< success | failed | (empty: the job never finished)
  std::string failure_reason;
  std::optional<int> exit_code;
  std::vector<std::string> kube_calls, gitlab_calls;
  std::vector<std::string> runner_log;        ///< the runner process's own log lines (`gitlab-runner run`)
  std::map<int64_t, std::string> job_traces;  ///< every job's raw log, by job id
  std::vector<std::string> leftovers;         ///< "pods/cicd/name" for everything the job left behind
  std::vector<Verdict> verdicts;
  std::string error;                  ///< a run that could not complete (stall, timeout, exception), with its context
  std::vector<std::string> warnings;  ///< config.toml keys the executor ignored, with file:line:column
  Duration virtual_duration{0};
  std::string digest;  ///< of the traces and both call logs: equal across runs with one seed

  bool passed() const {
    if (!error.empty()) return false;
    for (const auto& v : verdicts)
      if (!v.passed) return false;
    return true;
  }
};

/// Test-only seams of a run (the command line never sets them): fault injection for the harness's
/// own tests, e.g. a fake handler or the executor's dialer that throws, or a leaked in-flight count.
struct RunHooks {
  WorldHooks world;
  /// Wraps the dialer the executor connects through.
  std::function<std::unique_ptr<executor::Dialer>(executor::Dialer& inner)> wrap_dialer;
};

/// How to run a scenario.
struct RunOptions {
  std::optional<uint64_t> seed;  ///< default: the scenario's own
  /// Wall time the driver waits, with requests or messages in flight and no handler running, before
  /// it ends the run as an unbalanced io_begin/io_end.
  std::chrono::milliseconds stall_timeout = kDefaultStallTimeout;
  /// Wall time virtual time may stand still while handlers keep running before the run ends as a
  /// busy loop.
  std::chrono::milliseconds busy_loop_timeout = kDefaultStallTimeout;
  RunHooks hooks;  ///< test-only
};

/// Runs a scenario. Never throws: a run that cannot complete (an exception anywhere in the
/// simulation, a stall, the virtual time limit) comes back as RunResult::error, naming the
/// scenario, the seed and what was in flight. A Result error means the scenario cannot be set up.
Result<RunResult> run_scenario(const Scenario& scenario, const RunOptions& options = {});

/// The exit code a run gives a kexsim command: passed, failed (an expectation), or infrastructure
/// (the run could not complete).
ExitCode exit_code_of(const RunResult& result);

}  // namespace kexsim::sim

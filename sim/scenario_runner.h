#pragma once
// Runs one scenario: starts the fakes on loopback, runs the real executor against them in
// virtual time, and checks the expectations.

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// One checked expectation.
struct Verdict {
  std::string expectation;  ///< e.g. `status = "failed"`
  bool passed = false;
  std::string actual;       ///< what was seen instead, when it failed
};

/// Everything a scenario run produced.
struct RunResult {
  std::string scenario;             ///< name
  uint64_t seed = 0;
  std::string trace;                ///< raw job log bytes as GitLab stored them (first job)
  std::string job_state;            ///< success | failed | (empty: the job never finished)
  std::string failure_reason;
  std::optional<int> exit_code;
  std::vector<std::string> kube_calls, gitlab_calls;
  std::vector<std::string> leftovers;  ///< "pods/cicd/name" for everything the job left behind
  std::vector<Verdict> verdicts;
  std::string error;                ///< a run that could not complete (stall, timeout, crash)
  std::vector<std::string> warnings;  ///< config.toml keys the executor ignored, with file:line:column
  Duration virtual_duration{0};
  std::string digest;               ///< of the traces and both call logs: equal across runs with one seed

  bool passed() const {
    if (!error.empty()) return false;
    for (const auto& v : verdicts)
      if (!v.passed) return false;
    return true;
  }
};

/// Runs a scenario with its own seed, or `seed` when given.
Result<RunResult> run_scenario(const Scenario& scenario, std::optional<uint64_t> seed = std::nullopt);

}  // namespace kexsim::sim

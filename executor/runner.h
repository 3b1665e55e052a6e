#pragma once
// The runner process: verify each [[runners]] entry, take jobs from GitLab and run them.

#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/job_runner.h"

namespace kexsim::executor {

/// What one runner pass did.
struct RunnerReport {
  std::vector<JobOutcome> jobs;
  std::vector<std::string> log;  ///< the runner's own log lines (not the job trace)
};

/// GitLab Runner's main loop, ending when GitLab has no more jobs (like `gitlab-runner run-single`
/// with a stop when idle). Jobs run one after another.
class Runner {
 public:
  Runner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const Config& config,
         ExecutorEnvironment env);

  /// Verifies every runner entry, then requests and runs jobs until every entry gets 204.
  asio::awaitable<Result<RunnerReport>> run_until_idle();

 private:
  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const Config& config_;
  ExecutorEnvironment env_;
};

}  // namespace kexsim::executor

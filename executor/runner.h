#pragma once
// The runner process: GitLab Runner's `run` loop over every [[runners]] entry — `concurrent`
// workers, each entry polled every `check_interval`, its `limit` and `request_concurrency` slots —
// and the process's own log.

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/job_runner.h"

namespace kexsim::executor {

/// What one runner pass did.
struct RunnerReport {
  std::vector<JobOutcome> jobs;     ///< in the order the jobs ended
  std::vector<std::string> log;     ///< the runner's own log, as `gitlab-runner run` prints it (not the traces)
  std::vector<std::string> errors;  ///< jobs the runner could not take (a payload it cannot parse)
};

/// GitLab Runner's main loop (commands/multi.go run), on the Clock. Unlike upstream it ends once
/// it is idle: no job runs, no request is in flight, and every entry's last answer had no job (a
/// 204, or as many failed requests in a row as its `unhealthy_requests_limit`, once
/// keep_polling_for has passed).
class Runner {
 public:
  /// keep_polling_for: until this much time has passed, failed job requests never make the loop
  /// idle (a simulated GitLab outage that ends); production runs forever anyway.
  Runner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const Config& config,
         ExecutorEnvironment env, Duration keep_polling_for = Duration{0});

  /// Polls GitLab and runs jobs until idle. A job that throws (a kexsim bug) still ends with its
  /// cleanup and final update; the exception then stops the loop and propagates.
  asio::awaitable<Result<RunnerReport>> run_until_idle();

 private:
  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const Config& config_;
  ExecutorEnvironment env_;
  Duration keep_polling_for_;
};

}  // namespace kexsim::executor

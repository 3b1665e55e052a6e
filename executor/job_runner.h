#pragma once
// Runs one job with the Kubernetes executor: pod bring-up, stages through exec, trace, cleanup.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/gitlab_client.h"
#include "executor/http/tls_contexts.h"
#include "executor/job.h"
#include "executor/kube_config.h"
#include "executor/profile.h"

namespace kexsim::executor {

class Dialer;

/// Test seams of a job's run; production leaves them empty.
struct JobRunnerOptions {
  /// Called as each stage begins ("prepare_executor", "prepare_script", "get_sources",
  /// "step_script", "after_script", "cleanup_file_variables"). A test throws from it to prove that
  /// cleanup and the final update still happen.
  std::function<void(std::string_view stage)> before_stage;
};

/// Everything about the process the executor runs in.
struct ExecutorEnvironment {
  std::string hostname;   ///< the runner's host name ("Running on ... via <hostname>")
  std::string system_id;  ///< "r_0123456789ab"
  Profile profile = Profile::kV19_4;
  InClusterSource in_cluster;
  JobRunnerOptions job_options;
};

/// How a job ended, as sent to GitLab.
struct JobOutcome {
  int64_t job_id = 0;
  std::string state;           ///< success | failed
  std::string failure_reason;  ///< as negotiated with GitLab
  int exit_code = 0;
  std::string error;                    ///< why it failed, as "Job failed: <error>" prints it
  std::vector<std::string> runner_log;  ///< the runner's own log lines about this job (not the trace)
};

/// Runs jobs for one [[runners]] entry.
class JobRunner {
 public:
  /// tls_contexts: shared with the runner's other clients; null gives this runner its own.
  JobRunner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const RunnerConfig& runner,
            ExecutorEnvironment env, std::shared_ptr<TlsContextCache> tls_contexts = nullptr);

  /// Runs one job end to end (trace, cleanup and final update included). An exception thrown by
  /// a stage still ends in cleanup and a failed final update, then propagates to the caller.
  /// concurrent_id is CI_CONCURRENT_ID; concurrent_project_id (CI_CONCURRENT_PROJECT_ID, the
  /// "concurrent-N" of pod names and 13.12 build dirs) defaults to it.
  asio::awaitable<JobOutcome> run(GitLabClient& gitlab, const Job& job, int concurrent_id,
                                  int concurrent_project_id = -1);

 private:
  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const RunnerConfig& runner_;
  ExecutorEnvironment env_;
  std::shared_ptr<TlsContextCache> tls_contexts_;
};

}  // namespace kexsim::executor

#pragma once
// Runs one job with the Kubernetes executor: pod bring-up, stages through exec, trace, cleanup.

#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "executor/config.h"
#include "executor/gitlab_client.h"
#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

class Dialer;

/// Where the executor finds in-cluster credentials when [runners.kubernetes] has no host.
struct InClusterSource {
  std::map<std::string, std::string> env;  ///< KUBERNETES_SERVICE_HOST / _PORT
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

/// Everything about the process the executor runs in.
struct ExecutorEnvironment {
  std::string hostname;   ///< the runner's host name ("Running on ... via <hostname>")
  std::string system_id;  ///< "r_0123456789ab"
  Profile profile = Profile::kV19_4;
  InClusterSource in_cluster;
};

/// How a job ended, as sent to GitLab.
struct JobOutcome {
  int64_t job_id = 0;
  std::string state;           ///< success | failed
  std::string failure_reason;  ///< as negotiated with GitLab
  int exit_code = 0;
};

/// Runs jobs for one [[runners]] entry.
class JobRunner {
 public:
  JobRunner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const RunnerConfig& runner,
            ExecutorEnvironment env);

  /// Runs one job end to end (trace, cleanup and final update included).
  asio::awaitable<JobOutcome> run(GitLabClient& gitlab, const Job& job, int concurrent_id);

 private:
  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const RunnerConfig& runner_;
  ExecutorEnvironment env_;
};

}  // namespace kexsim::executor

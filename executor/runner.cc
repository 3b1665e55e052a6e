#include "executor/runner.h"

#include "base/strings.h"
#include "executor/gitlab_client.h"
#include "executor/http/client.h"

namespace kexsim::executor {

Runner::Runner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const Config& config,
               ExecutorEnvironment env)
    : ex_(ex), clock_(clock), random_(random), dialer_(dialer), config_(config), env_(std::move(env)) {}

asio::awaitable<Result<RunnerReport>> Runner::run_until_idle() {
  RunnerReport report;
  // One TLS context per trust configuration for the whole process (GitLab's and every job's, every run's).
  // A dialer that does not name its trust could be followed by another at the same address: then per run.
  auto tls_contexts =
      dialer_.default_trust_key().empty() ? std::make_shared<TlsContextCache>() : TlsContextCache::process();
  for (const auto& runner : config_.runners) {
    TlsSettings tls;
    tls.ca_file = runner.tls_ca_file;
    HttpClient http(ex_, dialer_, clock_, tls, tls_contexts);
    GitLabClient gitlab(http, clock_, random_.fork("gitlab-retry:" + runner.name), runner, env_.profile, env_.system_id);
    if (auto verified = co_await gitlab.verify(); !verified) {
      // GitLab's answers already read "Verifying runner... <verdict>"; transport errors do not.
      Error e = verified.error();
      if (!starts_with(e.message, "Verifying runner... ")) e.message = "Verifying runner... " + e.message;
      if (e.where.empty()) e.where = "runner \"" + runner.name + "\" (" + runner.url + ")";
      co_return e;
    }
    JobRunner jobs(ex_, clock_, random_, dialer_, runner, env_, tls_contexts);
    while (true) {
      auto payload = co_await gitlab.request_job();
      if (!payload) {
        Error e = payload.error();
        e.message = "Couldn't execute POST against " + runner.url + "/api/v4/jobs/request: " + e.message;
        co_return e;
      }
      if (!payload->has_value()) break;
      auto job = parse_job(**payload);
      if (!job) {
        report.log.push_back("ERROR: " + job.error().describe());
        continue;
      }
      report.jobs.push_back(co_await jobs.run(gitlab, *job, 0));
    }
    http.close_idle();
  }
  co_return report;
}

}  // namespace kexsim::executor

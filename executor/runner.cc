#include "executor/runner.h"

#include <charconv>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <tuple>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "executor/build_slots.h"
#include "executor/gitlab_client.h"
#include "executor/http/client.h"
#include "executor/naming.h"
#include "executor/release_features.h"
#include "executor/runner_log.h"

namespace kexsim::executor {
namespace {

/// A timer that never expires: waiting on it ends only when it is cancelled (a wake-up; no
/// wall-clock time is read).
class WakeUp {
 public:
  explicit WakeUp(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}
  asio::awaitable<void> wait() {
    timer_.expires_at(asio::steady_timer::time_point::max());
    waiting_ = true;
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    waiting_ = false;
  }
  void wake() {
    if (waiting_) timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  bool waiting_ = false;
};

/// The repository URL without its credentials (common/build.go RepoCleanURL).
std::string clean_url(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t host = scheme + 3;
  const size_t at = url.find('@', host);
  const size_t slash = url.find('/', host);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

/// A float64 as Go's %v prints it (shortest form that reads back).
std::string go_float(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

/// One [[runners]] entry and its clients.
struct Entry {
  const RunnerConfig* config = nullptr;
  std::string short_token;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<GitLabClient> gitlab;
  std::unique_ptr<JobRunner> jobs;
  int failures = 0;        ///< consecutive unhealthy answers (commands/health_helper.go)
  int empty_answers = 0;   ///< consecutive answers without a job (kexsim's idle rule)
  bool drained = false;    ///< its last answers say GitLab has nothing for it now
  TimePoint last_check{};  ///< its last healthy answer (or the start)
};

/// One worker slot (commands/multi.go processRunners): idle, or processing one entry.
struct Worker {
  explicit Worker(asio::any_io_executor ex) : wake(ex) {}
  WakeUp wake;
  Entry* assigned = nullptr;
};

/// The state of one run of the loop, shared by the feeder and the workers.
class Loop : public std::enable_shared_from_this<Loop> {
 public:
  Loop(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const Config& config,
       const ExecutorEnvironment& env, Duration keep_polling_for)
      : ex_(ex),
        clock_(clock),
        config_(config),
        env_(env),
        feeder_wake_(ex),
        nap_wake_(ex),
        polls_until_(clock.now() + keep_polling_for) {
    // One TLS context per trust configuration for the whole process (GitLab's and every job's, every
    // run's). A dialer that does not name its trust could be followed by another at the same address:
    // then one per run.
    auto tls_contexts =
        dialer.default_trust_key().empty() ? std::make_shared<TlsContextCache>() : TlsContextCache::process();
    for (const auto& runner : config.runners) {
      auto e = std::make_unique<Entry>();
      e->config = &runner;
      e->short_token = short_token(runner.token, env.profile);
      TlsSettings tls;
      tls.ca_file = runner.tls_ca_file;
      e->http = std::make_unique<HttpClient>(ex, dialer, clock, tls, tls_contexts);
      // network/client.go: the GitLab client's transport waits at most 10 minutes for response headers.
      e->http->set_response_header_timeout(std::chrono::minutes(10));
      e->gitlab = std::make_unique<GitLabClient>(*e->http, clock, random.fork("gitlab-retry:" + runner.name), runner,
                                                 env.profile, env.system_id);
      e->jobs = std::make_unique<JobRunner>(ex, clock, random, dialer, runner, env, tls_contexts);
      e->last_check = clock.now();
      entries_.push_back(std::move(e));
    }
  }

  /// feedRunners: every check_interval / len(runners), hands the next healthy entry to an idle
  /// worker, waiting for one as an unbuffered channel send does.
  asio::awaitable<RunnerReport> run() {
    const int workers = std::max(1, config_.concurrent);
    for (int i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>(ex_));
    auto self = shared_from_this();
    for (int i = 0; i < workers; ++i) asio::co_spawn(ex_, work(self, static_cast<size_t>(i)), asio::detached);
    // common/config.go GetCheckInterval, divided among the entries as a time.Duration.
    const Duration check_interval = std::chrono::duration_cast<Duration>(
        std::chrono::seconds(config_.check_interval > 0 ? config_.check_interval : 3));
    const Duration interval = check_interval / static_cast<int64_t>(std::max<size_t>(1, entries_.size()));
    for (const auto& e : entries_) log_clone_script_deprecations(*e);
    if (logs_worker_starvation(env_.profile)) log_concurrency_warnings();
    check_idle();
    while (!stopped_) {
      for (auto& e : entries_) {
        if (stopped_) break;
        // feedRunner skips an unhealthy entry, but the feeder sleeps its interval all the same.
        if (healthy(*e)) {
          while (!stopped_ && idle_.empty()) co_await feeder_wake_.wait();
          if (stopped_) break;
          hand_off(*e);
        }
        co_await nap(interval);
      }
    }
    for (auto& e : entries_) e->http->close_idle();
    report_.log = log_.lines();
    if (crash_) std::rethrow_exception(crash_);
    co_return std::move(report_);
  }

 private:
  /// A sleep on the clock that stop() cuts short.
  asio::awaitable<void> nap(Duration d) {
    auto self = shared_from_this();
    const uint64_t id = ++nap_id_;
    asio::co_spawn(ex_, alarm(self, id, d), asio::detached);
    co_await nap_wake_.wait();
  }
  static asio::awaitable<void> alarm(std::shared_ptr<Loop> self, uint64_t id, Duration d) {
    co_await self->clock_.sleep_for(d);
    if (self->nap_id_ == id) self->nap_wake_.wake();
  }

  /// The next idle worker (the longest idle, as a Go channel's receive queue) takes the entry.
  bool hand_off(Entry& e) {
    if (idle_.empty()) return false;
    Worker& w = *workers_[idle_.front()];
    idle_.pop_front();
    w.assigned = &e;
    w.wake.wake();
    return true;
  }

  /// processRunners: waits for an entry, processes it, and waits again until the loop stops.
  static asio::awaitable<void> work(std::shared_ptr<Loop> self, size_t id) {
    Worker& w = *self->workers_[id];
    while (!self->stopped_) {
      self->idle_.push_back(id);
      self->feeder_wake_.wake();
      co_await w.wake.wait();
      Entry* e = std::exchange(w.assigned, nullptr);
      if (self->stopped_ || !e) break;
      try {
        co_await self->process(*e);
      } catch (...) {
        if (!self->crash_) self->crash_ = std::current_exception();
        self->stop();
      }
    }
  }

  /// processRunner + processBuildOnRunner: the slots, the job request, and the job.
  asio::awaitable<void> process(Entry& e) {
    const RunnerConfig& rc = *e.config;
    // "Failed to request job, runner limit met" and the request_concurrency message are debug lines.
    if (!slots_.acquire_build(rc.token, rc.limit)) co_return;
    if (!slots_.acquire_request(rc.token, rc.request_concurrency)) {
      slots_.release_build(rc.token);
      co_return;
    }
    ++requests_in_flight_;
    JobRequestResult answer = co_await e.gitlab->request_job();
    --requests_in_flight_;
    slots_.release_request(rc.token);
    std::optional<Result<Job>> job;
    if (answer.payload) job = parse_job(*answer.payload);
    if (job && *job) (*job)->tls_chain = answer.tls_chain;
    mark_health(e, log_request(e, answer, job && *job ? &**job : nullptr));
    if (!job) {
      if (answer.status == 204 || (++e.empty_answers >= unhealthy_limit(rc) && outage_over())) e.drained = true;
      slots_.release_build(rc.token);
      check_idle();
      co_return;
    }
    e.empty_answers = 0;
    e.drained = false;
    if (!*job) {
      report_.errors.push_back("ERROR: " + job->error().describe());
      slots_.release_build(rc.token);
      check_idle();
      co_return;
    }
    const Job& received = **job;
    const ConcurrencyIds ids = slots_.add_build(rc.token, received.job_info.project_id, received.id);
    std::vector<LogField> fields = build_fields(e, received);
    if (logs_processing_list(env_.profile))
      // commands/multi.go processBuildOnRunner: Infoln("Added job to processing list").
      log_.log(LogLevel::kInfo, "Added job to processing list", list_fields(e, received));
    // Not strict_check_interval: another worker asks for this entry's next job at once.
    hand_off(e);
    const TimePoint started = clock_.now();
    JobOutcome outcome;
    std::exception_ptr crash;
    try {
      outcome = co_await e.jobs->run(*e.gitlab, received, ids.concurrent_id, ids.concurrent_project_id);
    } catch (...) {
      crash = std::current_exception();
    }
    // The job's own lines: what it logged while running comes before the "Job failed" line, its
    // final update's answer after it (common/build.go setTraceStatus logs, then trace.Fail updates).
    const auto final_update = [](const std::string& line) {
      return line.find("Submitting job to coordinator...") != std::string::npos;
    };
    for (auto& line : outcome.runner_log)
      if (!final_update(line)) log_.append(line);
    if (!crash) log_outcome(fields, outcome, clock_.now() - started);
    for (auto& line : outcome.runner_log)
      if (final_update(line)) log_.append(line);
    slots_.remove_build(received.id);
    if (logs_processing_list(env_.profile))
      log_.log(LogLevel::kInfo, "Removed job from processing list", list_fields(e, received));
    slots_.release_build(rc.token);
    if (crash) std::rethrow_exception(crash);
    outcome.runner_log.clear();
    report_.jobs.push_back(std::move(outcome));
    check_idle();
  }

  /// commands/multi.go checkConfigConcurrency (18.10+), printed when the config is loaded: one
  /// warning entry over several lines, mr.log()'s fields on the last.
  void log_concurrency_warnings() {
    std::vector<std::string> warnings, solutions;
    const int runners = static_cast<int>(entries_.size());
    if (config_.concurrent < runners) {
      warnings.push_back("Worker starvation bottleneck: 'concurrent' setting (" + std::to_string(config_.concurrent) +
                         ") is less than number of runners (" + std::to_string(runners) + ")");
      solutions.push_back("Increase 'concurrent' to at least " + std::to_string(runners + 1) +
                          " (current: " + std::to_string(config_.concurrent) + ")");
    }
    int low_request_concurrency = 0, restrictive = 0;
    for (const auto& e : entries_) {
      const bool one = e->config->request_concurrency <= 1;  // GetRequestConcurrency: < 1 means 1
      low_request_concurrency += one;
      restrictive += one && e->config->limit > 0 && e->config->limit <= 2;
    }
    if (low_request_concurrency > 0) {
      const std::string n = std::to_string(low_request_concurrency);
      warnings.push_back("Request bottleneck: " + n +
                         " runners have request_concurrency=1, causing job delays during long polling");
      solutions.push_back("Increase 'request_concurrency' to 2-4 for " + n +
                          " runners currently using request_concurrency=1");
    }
    if (restrictive > 0) {
      const std::string n = std::to_string(restrictive);
      warnings.push_back("Build limit bottleneck: " + n +
                         " runners have low 'limit' settings (\u2264"
                         "2) with request_concurrency=1");
      solutions.push_back("For " + n +
                          " runners with low limits: either increase 'limit' to 5+ or increase 'request_concurrency' "
                          "to 2+");
    }
    if (warnings.empty()) return;
    std::string message = "CONFIGURATION: Long polling issues detected.\nIssues found:\n";
    for (const auto& w : warnings) message += "  - " + w + "\n";
    message += "This can cause job delays matching your GitLab instance's long polling timeout.\n";
    message += "Recommended solutions:\n";
    for (size_t i = 0; i < solutions.size(); ++i) message += "  " + std::to_string(i + 1) + ". " + solutions[i] + "\n";
    message +=
        "Note: The 'FF_USE_ADAPTIVE_REQUEST_CONCURRENCY' feature flag can help automatically adjust "
        "request_concurrency based on workload.\n";
    message += "This message will be printed each time the configuration is reloaded if the issues persist.\n";
    message +=
        "See documentation: "
        "https://docs.gitlab.com/runner/configuration/advanced-configuration.html#long-polling-issues";
    const std::string entry = format_runner_log_line(
        LogLevel::kWarning, message,
        {{"builds", std::to_string(slots_.running())}, {"max_builds", std::to_string(config_.concurrent)}});
    size_t start = 0;
    while (start <= entry.size()) {
      const size_t nl = entry.find('\n', start);
      log_.append(entry.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }

  /// 15.9-16.x common/config.go rewriteGetSourcesHooks, as LoadConfig reads the file: the deprecated
  /// clone keys, and the copy into an unset get_sources key (the copy itself is scripts.h's).
  void log_clone_script_deprecations(const Entry& e) {
    if (!clone_script_aliases(env_.profile)) return;
    const std::vector<LogField> fields = {{"runner", e.short_token}, {"runner_name", e.config->name}};
    const RunnerScriptsConfig& s = e.config->scripts;
    for (const auto& [old_key, new_key, old_value, new_value] :
         {std::tuple{"pre_clone_script", "pre_get_sources_script", &s.pre_clone, &s.pre_get_sources},
          std::tuple{"post_clone_script", "post_get_sources_script", &s.post_clone, &s.post_get_sources}}) {
      if (old_value->empty()) continue;
      log_.log(LogLevel::kWarning, std::string(old_key) + " is deprecated; use " + new_key + " instead", fields);
      if (new_value->empty())
        log_.log(LogLevel::kWarning, std::string(new_key) + " is not defined; copying value of " + old_key, fields);
    }
  }

  /// The runner's fields (common/config.go RunnerConfig.Log; 13.12 had no runner_name).
  std::vector<LogField> runner_fields(const Entry& e) const {
    std::vector<LogField> f;
    if (!e.short_token.empty()) f.emplace_back("runner", e.short_token);
    if (logs_runner_name_field(env_.profile) && !e.config->name.empty()) f.emplace_back("runner_name", e.config->name);
    return f;
  }

  /// A build's fields (common/build.go Build.Log, the ones kexsim knows).
  std::vector<LogField> build_fields(const Entry& e, const Job& job) const {
    return build_log_fields(env_.profile, e.short_token, e.config->name, job);
  }

  /// processBuildOnRunner's fields with mr.log()'s builds / max_builds.
  std::vector<LogField> list_fields(const Entry& e, const Job& job) const {
    std::vector<LogField> f = runner_fields(e);
    f.emplace_back("builds", std::to_string(slots_.running()));
    f.emplace_back("max_builds", std::to_string(config_.concurrent));
    f.emplace_back("job", std::to_string(job.id));
    f.emplace_back("pipeline_id", std::to_string(job.job_info.pipeline_id));
    f.emplace_back("project", std::to_string(job.job_info.project_id));
    f.emplace_back("project_full_path", job.job_info.project_full_path);
    f.emplace_back("repo_url", clean_url(job.git_info.repo_url));
    return f;
  }

  /// network/gitlab.go RequestJob's line for the answer; returns whether it keeps the entry healthy.
  /// job: the payload as parsed, null when it does not parse (reported on its own).
  bool log_request(const Entry& e, const JobRequestResult& answer, const Job* job) {
    std::vector<LogField> f = runner_fields(e);
    const bool v19 = gitlab_client_v18_3(env_.profile);
    if (answer.payload) {
      if (job) {
        f.emplace_back("job", std::to_string(job->id));
        f.emplace_back("repo_url", clean_url(job->git_info.repo_url));
      }
      log_.log(LogLevel::kInfo, "Checking for jobs... received", std::move(f));
      return true;
    }
    if (answer.status == 204) return true;  // "Checking for jobs... no content" is a debug line
    if (answer.status == 403) {
      if (v19) f.emplace_back("status", answer.status_text);
      log_.log(LogLevel::kError, "Checking for jobs... forbidden", std::move(f));
      return false;
    }
    f.emplace_back("status", answer.status_text);
    if (v19 && answer.status == 503) {
      log_.log(LogLevel::kWarning, "Checking for jobs... GitLab instance currently unavailable", std::move(f));
      return true;
    }
    log_.log(LogLevel::kWarning, "Checking for jobs... failed", std::move(f));
    return true;
  }

  /// Whether failed requests may count towards idleness (see Runner's keep_polling_for).
  bool outage_over() const { return clock_.now() >= polls_until_; }

  static int unhealthy_limit(const RunnerConfig& rc) {
    return rc.unhealthy_requests_limit > 0 ? rc.unhealthy_requests_limit : 3;
  }
  /// The id the health helper knows an entry by: 19.4 URL + short token; 13.12 URL + the whole token.
  std::string unique_id(const Entry& e) const {
    return e.config->url + (unique_id_uses_short_token(env_.profile) ? e.short_token : e.config->token);
  }
  /// commands/health_helper.go isHealthy: an entry disabled for unhealthy_interval (1 h) is
  /// tried again once that long has passed since its last healthy answer.
  bool healthy(Entry& e) {
    const int limit = unhealthy_limit(*e.config);
    if (e.failures < limit) return true;
    if (clock_.now() - e.last_check <= std::chrono::hours(1)) return false;
    if (logs_health_checks(env_.profile)) {
      log_.log(LogLevel::kWarning,
               "Runner \"" + unique_id(e) + "\" is not healthy, but check for a new job will be forced!",
               {{"unhealthy_interval", "1h0m0s"},
                {"unhealthy_requests", std::to_string(e.failures)},
                {"unhealthy_requests_limit", std::to_string(limit)}});
    } else {
      log_.log(LogLevel::kError, "Runner " + unique_id(e) + " is not healthy, but will be checked!");
    }
    e.failures = 0;
    e.last_check = clock_.now();
    return true;
  }

  /// commands/health_helper.go markHealth (13.12: makeHealthy).
  void mark_health(Entry& e, bool healthy) {
    if (healthy) {
      e.failures = 0;
      e.last_check = clock_.now();
      return;
    }
    ++e.failures;
    const int limit = unhealthy_limit(*e.config);
    if (e.failures < limit) return;
    if (outage_over()) e.drained = true;
    if (logs_health_checks(env_.profile)) {
      // The interval is a Go time.Duration printed with %s, then " seconds" (sic).
      log_.log(
          LogLevel::kError, "Runner \"" + unique_id(e) + "\" is unhealthy and will be disabled for 1h0m0s seconds!",
          {{"unhealthy_requests", std::to_string(e.failures)}, {"unhealthy_requests_limit", std::to_string(limit)}});
    } else {
      log_.log(LogLevel::kError, "Runner " + unique_id(e) + " is not healthy and will be disabled!");
    }
  }

  /// common/build.go setTraceStatus: the runner's line about how the job ended.
  void log_outcome(std::vector<LogField> fields, const JobOutcome& outcome, Duration took) {
    const bool v19 = logs_job_outcome_fields(env_.profile);
    fields.emplace_back("duration_s", go_float(std::chrono::duration<double>(took).count()));
    if (outcome.state == "success") {
      if (v19) fields.emplace_back("job-status", "success");
      log_.log(LogLevel::kInfo, "Job succeeded", std::move(fields));
      return;
    }
    // A job GitLab canceled or dropped before it ran (commands/multi.go requestJob) never built.
    if (outcome.error.empty()) return;
    const bool system = outcome.failure_reason == "runner_system_failure";
    const std::string message = (system ? "Job failed (system failure): " : "Job failed: ") + outcome.error;
    if (v19) {
      fields.emplace_back("job-status", "failed");
      fields.emplace_back("error", outcome.error);
      fields.emplace_back("failure_reason", outcome.failure_reason);
      fields.emplace_back("exit_code", std::to_string(outcome.exit_code));
    }
    // 19.4 logs every BuildError as a warning; 13.12 a system failure as an error.
    log_.log(!v19 && system ? LogLevel::kError : LogLevel::kWarning, message, std::move(fields));
  }

  /// Ends the loop once nothing runs, nothing is asked and every entry is drained or disabled.
  void check_idle() {
    if (stopped_ || slots_.running() > 0 || requests_in_flight_ > 0) return;
    for (const auto& e : entries_)
      if (!e->drained) return;
    stop();
  }

  void stop() {
    stopped_ = true;
    for (auto& w : workers_) w->wake.wake();
    feeder_wake_.wake();
    nap_wake_.wake();
  }

  asio::any_io_executor ex_;
  Clock& clock_;
  const Config& config_;
  const ExecutorEnvironment& env_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<size_t> idle_;
  WakeUp feeder_wake_;  ///< the feeder waits here for an idle worker
  WakeUp nap_wake_;     ///< and here between entries
  uint64_t nap_id_ = 0;
  BuildSlots slots_;
  int requests_in_flight_ = 0;
  bool stopped_ = false;
  std::exception_ptr crash_;
  RunnerLog log_;
  RunnerReport report_;
  TimePoint polls_until_;
};

}  // namespace

Runner::Runner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const Config& config,
               ExecutorEnvironment env, Duration keep_polling_for)
    : ex_(ex),
      clock_(clock),
      random_(random),
      dialer_(dialer),
      config_(config),
      env_(std::move(env)),
      keep_polling_for_(keep_polling_for) {}

asio::awaitable<Result<RunnerReport>> Runner::run_until_idle() {
  auto loop = std::make_shared<Loop>(ex_, clock_, random_, dialer_, config_, env_, keep_polling_for_);
  RunnerReport report = co_await loop->run();
  co_return report;
}

}  // namespace kexsim::executor

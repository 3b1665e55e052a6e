#include "executor/job_runner.h"

#include <charconv>
#include <exception>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "base/crc32.h"
#include "base/json_fields.h"
#include "executor/access_review.h"
#include "executor/attach_strategy.h"
#include "executor/backoff.h"
#include "executor/build_dir.h"
#include "executor/dialer.h"
#include "executor/failure_reason.h"
#include "executor/git_settings.h"
#include "executor/http/client.h"
#include "executor/kube_client.h"
#include "executor/kube_config.h"
#include "executor/messages.h"
#include "executor/naming.h"
#include "executor/overwrites.h"
#include "executor/pod_checks.h"
#include "executor/pod_disruption_budget.h"
#include "executor/pod_events.h"
#include "executor/pod_informer.h"
#include "executor/pod_spec.h"
#include "executor/pod_spec_extras.h"
#include "executor/pod_spec_patch.h"
#include "executor/predefined_variables.h"
#include "executor/resource_check.h"
#include "executor/pod_status_check.h"
#include "executor/prepare_retry.h"
#include "executor/release_features.h"
#include "executor/runner_log.h"
#include "executor/artifact_scripts.h"
#include "executor/cache_scripts.h"
#include "executor/scripts.h"
#include "executor/section_attempts.h"
#include "executor/service_health.h"
#include "executor/service_logs.h"
#include "executor/stage_timeouts.h"
#include "executor/trace.h"

namespace kexsim::executor {
namespace {

using json_fields::member;
using nlohmann::json;

/// Why a job stopped: the error text GitLab Runner prints, the failure reason and the exit code.
struct Failure {
  std::string message;
  FailureReason reason = FailureReason::kRunnerSystemFailure;
  int exit_code = 0;
  /// Only for the executor's Prepare: whether retryCreateExecutor may try again (prepare_retry.h).
  PrepareErrorKind prepare_kind = PrepareErrorKind::kBuildError;
  /// IsKubernetesPodNotFoundError: the error wraps the API's NotFound for the job's pod (Finish forgets it).
  bool pod_not_found = false;
};

/// A StatusError NotFound whose Details.Kind is "pods": apimachinery pkg/api/errors/errors.go NewNotFound words it
/// "%s %q not found" with the resource, `pods "NAME" not found`.
bool is_pod_not_found(const Error& e) { return e.code == 404 && e.message.rfind("pods \"", 0) == 0; }

/// obj[key] when obj is an object and the member is a string, else fallback: API answers are
/// read defensively, since a fault-injecting server may send anything.
std::string string_at(const json& obj, const char* key, std::string fallback = {}) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

/// The items of obj[key] when it is an array, else none.
const json& array_at(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  const json& value = member(obj, key);
  return value.is_array() ? value : kEmpty;
}

/// A version number field ("1", "28+") as GKE and EKS send it: the leading digits.
std::optional<int> version_number(const std::string& text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

/// The context a stage runs under (common/build.go): the build's own, or the script's or
/// after_script's, which GitLab's cancel and the RUNNER_*_TIMEOUT variables end on their own.
enum class StageScope { kBuild, kScript, kAfterScript, kGetSources };

/// One exec in flight, and the event its stage waits on: the exec's end or an interruption.
/// The timer never expires: it is only cancelled, as a wake-up (no wall-clock time is read).
struct StageWait {
  explicit StageWait(asio::any_io_executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer wake;
  std::optional<Result<int>> result;  ///< set when the exec ends
  bool detached = false;              ///< the stage was interrupted: later output is dropped
  bool unknown_failure = false;       ///< attach: the error is a BuildError with reason unknown_failure
  /// The pod watcher's error ended the stage, with this reason.
  std::optional<FailureReason> reason;
};

/// Cleanup's own context: while active, its deadline aborts the Kubernetes calls still waiting.
struct CleanupWatch {
  HttpClient* http;
  bool active;
  Duration timeout;  ///< cleanup_resources_timeout (executor/pod_spec_extras.h)
};

/// Ends cleanup's context after cleanup_resources_timeout.
asio::awaitable<void> expire_cleanup(std::shared_ptr<CleanupWatch> watch, Clock* clock);

/// The variable of that name a build resolves feature flags from (common/build.go
/// getVariablesForFeatureFlagResolution; the last one wins): the job's, else the runner's
/// `environment` entry ("NAME=value"), which comes before the job's variables.
std::function<const std::string*(std::string_view)> flag_variable_lookup(const Job& job, const RunnerConfig& runner) {
  return [&job, &runner, env_value = std::string()](std::string_view name) mutable -> const std::string* {
    for (auto it = job.variables.rbegin(); it != job.variables.rend(); ++it) {
      if (it->key == name) return &it->value;
    }
    for (auto it = runner.environment.rbegin(); it != runner.environment.rend(); ++it) {
      const size_t eq = it->find('=');
      if (eq != std::string::npos && std::string_view(*it).substr(0, eq) == name) {
        env_value = it->substr(eq + 1);
        return &env_value;
      }
    }
    return nullptr;
  };
}

/// One job's run: the state shared by its stages, its trace patcher and its cleanup.
class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const RunnerConfig& runner,
            const ExecutorEnvironment& env, std::shared_ptr<TlsContextCache> tls_contexts, GitLabClient& gitlab,
            const Job& job, int concurrent_id, int concurrent_project_id)
      : ex_(ex),
        clock_(clock),
        random_(random),
        dialer_(dialer),
        runner_(runner),
        env_(env),
        tls_contexts_(std::move(tls_contexts)),
        gitlab_(gitlab),
        job_(job),
        concurrent_id_(concurrent_id),
        concurrent_project_id_(concurrent_project_id < 0 ? concurrent_id : concurrent_project_id),
        profile_(env.profile),
        flags_(resolve_feature_flags(env.profile, runner.feature_flags, flag_variable_lookup(job, runner))),
        trace_(clock, env.profile, job.features.trace_sections, job.masked_values(), token_prefixes(job, flags_),
               flags_.on("FF_TIMESTAMPS"), improved_url_masking(env.profile, runner.feature_flags)),
        use_attach_(uses_attach_strategy(profile_, flags_)),
        attempts_(read_section_attempts(job, env.profile)),
        git_settings_(read_git_settings(job, env.profile, runner.debug_trace_disabled)) {
    // network/trace.go setupLogLimit: output_limit KiB, 0 for the default. (A negative value makes
    // upstream's limit negative, so nothing at all is collected; kexsim takes it as the default.)
    if (runner.output_limit > 0) trace_.set_limit(static_cast<size_t>(runner.output_limit) * 1024);
  }

  asio::awaitable<JobOutcome> run();

 private:
  // common/build.go getNewLogger: the default prefixes only with FF_MASK_ALL_DEFAULT_TOKENS.
  std::vector<std::string> token_prefixes(const Job& job, const FeatureFlagValues& flags) const {
    std::vector<std::string> out;
    if (flags.on("FF_MASK_ALL_DEFAULT_TOKENS")) out = default_token_prefixes(profile_);
    out.insert(out.end(), job.features.token_mask_prefixes.begin(), job.features.token_mask_prefixes.end());
    return out;
  }

  // Every flag of the release as a public, internal variable ahead of all others (common/build.go
  // GetAllVariables: 19.4 getResolvedFeatureFlags, the effective values; 13.12
  // GetDefaultFeatureFlagsVariables, the defaults; a job's own FF_* follows it before 18.4).
  std::vector<JobVariable> feature_flag_variables() const {
    return executor::feature_flag_variables(profile_, flags_);  // executor/predefined_variables.h
  }

  void stage_begins(std::string_view stage) const {
    if (env_.job_options.before_stage) env_.job_options.before_stage(stage);
  }

  asio::awaitable<void> send_running_update();
  asio::awaitable<std::optional<Failure>> run_stages();
  asio::awaitable<std::optional<Failure>> prepare_executor();
  asio::awaitable<std::optional<Failure>> prepare_executor_once();
  /// A Prepare error of kexsim's config-level kind (see config_prepare_error_kind): 13.12's are
  /// plain errors, so they are retried and end as system failures.
  Failure config_prepare_failure(std::string message, FailureReason reason) const {
    const PrepareErrorKind kind = config_prepare_error_kind(profile_);
    if (kind == PrepareErrorKind::kPlain) reason = FailureReason::kRunnerSystemFailure;
    return Failure{std::move(message), reason, 0, kind};
  }
  /// GetAllVariables when the images are expanded (executor/predefined_variables.h image_expansion_variables).
  std::vector<JobVariable> image_variables() const {
    const std::string root = runner_.builds_dir.empty() ? std::string(kDefaultBuildsDir) : runner_.builds_dir;
    const std::string project_dir =
        build_dir_.empty()
            ? builds_dir(profile_, root, short_token_, concurrent_project_id_, job_.job_info.project_full_path)
            : build_dir_;
    return image_expansion_variables({profile_, &job_, feature_flag_variables(), root, project_dir, concurrent_id_,
                                      concurrent_project_id_, short_token_, runner_.environment,
                                      runner_ca_chain(runner_, job_.tls_chain)});
  }
  /// AbstractExecutor.startBuild: decides build_dir_; its error is a BuildError (never retried).
  std::optional<Failure> start_build();
  asio::awaitable<std::optional<Failure>> prepare_environment();
  asio::awaitable<std::optional<Failure>> prepare_environment_stage();
  /// ensurePodsConfigured / setupPodLegacy: the pod (and attach's scripts and log processor), once.
  asio::awaitable<std::optional<Failure>> configure_pod();
  /// waitForServices (16.9+): with a service's HEALTHCHECK_TCP_PORT, Prepare configures the pod and runs
  /// the helper's health-check beside a pod status watch (executor/service_health.h).
  asio::awaitable<std::optional<Failure>> wait_for_services();
  /// [runners.kubernetes] retry_limit, retry_limits and retry_backoff_max as the runner's retry policy.
  KubeRetryPolicy kube_retry_policy() const {
    const KubernetesConfig& k = runner_.kubernetes;
    return KubeRetryPolicy(profile_, {k.retry_limit, k.retry_limits, k.retry_backoff_max});
  }
  /// GetPollInterval / GetPollTimeout: poll_interval (default 3 s) and poll_timeout (default 180 s).
  int poll_interval_seconds() const {
    return runner_.kubernetes.poll_interval > 0 ? runner_.kubernetes.poll_interval : 3;
  }
  int poll_timeout_seconds() const {
    return runner_.kubernetes.poll_timeout > 0 ? runner_.kubernetes.poll_timeout : 180;
  }
  /// The pod's service containers as build_pod names them (executor/pod_spec.h service_containers).
  std::vector<ServiceContainer> job_service_containers() const;
  asio::awaitable<void> exec_health_check(std::shared_ptr<StageWait> wait, StageScript check);
  asio::awaitable<void> watch_health_check_pod(std::shared_ptr<StageWait> wait, std::shared_ptr<std::string> error);
  /// newPodWatcher + Start (17.9+): the access reviews, then the pod informer, or the WARNING without it.
  asio::awaitable<std::optional<Failure>> start_pod_watcher();
  /// emitError: a terminal pod error ends the stage that waits (none waits: it is dropped, as unconsumed).
  bool on_pod_watch_error(const PodWatchError& e) {
    if (!current_wait_ || current_wait_->result) return false;
    current_wait_->result.emplace(make_error(e.message));
    current_wait_->reason = e.reason;
    current_wait_->detached = true;
    current_wait_->wake.cancel();
    return true;
  }
  /// Finish's podWatcher.Stop().
  void stop_pod_watcher() {
    if (informer_) informer_->stop();
    informer_.reset();
  }
  asio::awaitable<std::optional<Failure>> create_registry_secret(std::string unique_name);
  asio::awaitable<std::optional<Failure>> create_build_pod(std::string unique_name);
  asio::awaitable<std::optional<Failure>> adopt_registry_secret(json pod);
  /// 18.11+ with pod_disruption_budget: the job pod's PodDisruptionBudget (executor/pod_disruption_budget.h).
  asio::awaitable<std::optional<Failure>> create_disruption_budget(json pod);
  asio::awaitable<std::optional<Failure>> wait_for_pod();
  /// After the pod runs: until the kubelet answers a log request (17.5; 17.6+ FF_WAIT_FOR_POD_TO_BE_REACHABLE).
  asio::awaitable<std::optional<Failure>> wait_for_pod_reachable();
  asio::awaitable<std::optional<Failure>> set_up_pod(std::string unique_name);
  std::optional<Failure> prepare_overwrites();
  asio::awaitable<std::optional<Failure>> set_up_build_namespace();
  asio::awaitable<void> tear_down_build_namespace();
  /// handlePodEvents (FF_PRINT_POD_EVENTS): the events watch, opened once, for the first pod.
  asio::awaitable<std::optional<Failure>> watch_pod_events();
  /// logPodWarningEvents on the context of the stage that failed (withPullRetry's cmd.Context).
  asio::awaitable<void> log_pod_warning_events(StageScope scope);
  std::optional<Failure> prepare_pull_policies();
  std::map<std::string, std::string> current_pull_policies() const;
  bool next_pull_policy(int attempt, const TerminalContainerError& e);
  /// The wait loop's error for a terminal container state (19.4 inside "waiting for pod running: ").
  Failure wait_error(const TerminalContainerError& e) const {
    const std::string inner =
        attach_error_wrappers(profile_) ? messages::waiting_for_pod_running(e.message) : e.message;
    if (pod_in_prepare_) return Failure{inner, e.reason};  // a BuildError of Prepare: not retried
    return Failure{messages::prepare_environment_error(profile_, inner), e.reason};
  }
  asio::awaitable<std::optional<Failure>> run_stage(const StageScript& stage, std::string_view section,
                                                    std::string_view header, StageScope scope = StageScope::kBuild);
  asio::awaitable<void> exec_stage(std::shared_ptr<StageWait> wait, StageScript stage);
  asio::awaitable<std::optional<Failure>> run_user_scripts();
  asio::awaitable<std::optional<Failure>> run_download_artifacts();
  asio::awaitable<std::optional<Failure>> run_restore_cache();
  asio::awaitable<std::optional<Failure>> run_upload_stages(std::optional<Failure> failure);
  asio::awaitable<std::optional<Failure>> get_sources_with_attempts();
  asio::awaitable<std::optional<Failure>> get_sources_tries();
  asio::awaitable<void> expire_after(Duration d, std::shared_ptr<bool> active, bool Execution::*flag);
  void on_remote_state(RemoteJobState state);
  // Spawning happens in plain functions, away from g++ 12's coroutine temporaries.
  void spawn_exec(const std::shared_ptr<StageWait>& wait, const StageScript& stage) {
    auto self = shared_from_this();
    asio::co_spawn(
        ex_, [self, wait, stage]() { return self->exec_stage(wait, stage); }, asio::detached);
  }
  /// Sets *flag and interrupts the stage after d, unless *active was cleared first.
  void start_deadline(Duration d, const std::shared_ptr<bool>& active, bool Execution::*flag) {
    auto self = shared_from_this();
    asio::co_spawn(
        ex_, [self, d, active, flag]() { return self->expire_after(d, active, flag); }, asio::detached);
  }
  void interrupt() {
    if (current_wait_) current_wait_->wake.cancel();
  }
  /// A cancel or abort ends the build context: the Kubernetes calls waiting on it fail with ctx.Err(), as
  /// client-go's do (the cancel arrives with a GitLab answer, at a virtual instant, so the order is fixed).
  void end_build_context_by_cancel() {
    build_canceled_ = true;
    if (kube_http_) kube_http_->abort("context canceled");
  }
  /// Whether the build context is done: the job timed out or GitLab aborted or canceled it.
  /// (prepare_timeout's context ends the preparation; nothing of the build runs after it.)
  bool build_done() const { return build_timed_out_ || build_canceled_ || prepare_timed_out_; }
  bool scope_done(StageScope scope) const {
    if (build_done()) return true;
    if (scope == StageScope::kGetSources) return get_sources_timed_out_;
    if (scope == StageScope::kScript) return script_canceled_ || script_timed_out_;
    if (scope == StageScope::kAfterScript) return after_script_timed_out_;
    return false;
  }
  bool scope_timed_out(StageScope scope) const {
    return build_timed_out_ || prepare_timed_out_ || (scope == StageScope::kGetSources && get_sources_timed_out_) ||
           (scope == StageScope::kScript && script_timed_out_) ||
           (scope == StageScope::kAfterScript && after_script_timed_out_);
  }
  /// The error the build context ended with (common/build.go runtimeStateAndError).
  Failure build_failure() const {
    if (build_timed_out_)
      return Failure{messages::execution_took_longer(job_.timeout_seconds), FailureReason::kJobExecutionTimeout};
    if (prepare_timed_out_)
      return Failure{stage_limit_exceeded("prepare timeout", *prepare_limit_), FailureReason::kJobExecutionTimeout};
    return Failure{messages::job_canceled(), FailureReason::kJobCanceled};
  }
  asio::awaitable<void> cleanup();
  asio::awaitable<void> send_final_update(JobOutcome& outcome);
  asio::awaitable<void> patch_periodically();
  /// One finalUpdate of network/trace.go: true once GitLab took the state (or dropped the job).
  asio::awaitable<bool> final_update_round(JobUpdate update, std::optional<TimePoint> give_up);
  Failure prepare_error(const std::string& inner) const {
    // Inside Prepare (waitForServices) the error is Prepare's own: plain, so retryCreateExecutor retries it.
    if (pod_in_prepare_) return Failure{inner, FailureReason::kRunnerSystemFailure, 0, PrepareErrorKind::kPlain};
    return Failure{messages::prepare_environment_error(profile_, inner)};
  }
  void log_runner(std::string line) { runner_log_.push_back(std::move(line)); }
  /// common/build.go Build.Log's fields (the ones kexsim knows), for the runner's log.
  std::vector<LogField> build_log_fields() const {
    return executor::build_log_fields(profile_, short_token_, runner_.name, job_);
  }
  /// BuildLogger.Errorln: an ERROR line in the job log, teed to the runner's log with the build's
  /// fields (common/buildlogger/internal/tee.go Tee.log).
  void build_error(const std::string& text) {
    trace_.error(text);
    log_runner(format_runner_log_line(LogLevel::kError, text, build_log_fields()));
  }
  // The attach strategy's ensurePodsConfigured wraps these; the legacy strategy's setupPodLegacy
  // (executors/kubernetes/kubernetes.go) returns them as they are.
  std::string setting_up_credentials(const std::string& inner) const {
    return use_attach_ ? messages::setting_up_credentials(profile_, inner) : inner;
  }
  std::string setting_up_build_pod(const std::string& inner) const {
    return use_attach_ ? messages::setting_up_build_pod(profile_, inner) : inner;
  }

  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const RunnerConfig& runner_;
  const ExecutorEnvironment& env_;
  std::shared_ptr<TlsContextCache> tls_contexts_;
  GitLabClient& gitlab_;
  const Job& job_;
  int concurrent_id_;          ///< CI_CONCURRENT_ID (common/build.go RunnerID)
  int concurrent_project_id_;  ///< CI_CONCURRENT_PROJECT_ID, "concurrent-N" (ProjectRunnerID)
  Profile profile_;
  FeatureFlagValues flags_;  ///< before trace_: it decides FF_TIMESTAMPS and the token prefixes
  JobTrace trace_;
  std::vector<std::string> runner_log_;

  std::unique_ptr<HttpClient> kube_http_;
  std::unique_ptr<KubeClient> kube_;
  /// The clients of failed Prepare tries whose detached calls may still be under way (waitForServices).
  std::vector<std::unique_ptr<HttpClient>> retired_http_;
  std::vector<std::unique_ptr<KubeClient>> retired_kube_;
  std::string namespace_, short_token_, project_dir_;
  /// StartBuild's BuildDir (executor/build_dir.h): the default or GIT_CLONE_PATH; set by Prepare.
  std::string build_dir_;
  Overwrites overwrites_;           ///< the job's KUBERNETES_* overwrites (executor/overwrites.h)
  bool namespace_created_ = false;  ///< namespace_per_job: its POST was sent, so cleanup deletes it
  PodImages images_;
  ScriptContext scripts_;
  std::string secret_name_;
  nlohmann::json secret_;  ///< the registry secret as the API server last answered it (create, then update)
  bool secret_owned_ = false;
  std::string pod_name_;
  bool pod_configured_ = false;  ///< configure_pod ran to the end (for this try of Prepare)
  bool pod_in_prepare_ = false;  ///< configure_pod runs inside Prepare (waitForServices)
  /// The attach strategy (19.4 unless FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY); set once the pod runs.
  bool use_attach_ = false;
  AttachPaths attach_paths_;
  SectionAttempts attempts_;  ///< GET_SOURCES_ATTEMPTS and friends (section_attempts.h)
  GitSettings git_settings_;  ///< GIT_STRATEGY, submodules, CI_DEBUG_TRACE (git_settings.h)
  /// 13.12 IsDebugTraceEnabled warns each time a stage's script is generated (a skipped stage's too)
  /// when debug_trace_disabled refuses CI_DEBUG_TRACE.
  void stage_script_generated() {
    if (!warns_malformed_settings(profile_) && !git_settings_.debug_trace_refused.empty())
      trace_.warning(git_settings_.debug_trace_refused);
  }
  std::shared_ptr<AttachStrategy> attach_;
  std::shared_ptr<ServiceLogCapture> service_logs_;  ///< CI_DEBUG_SERVICES (executor/service_logs.h)
  /// The pod watcher (17.9+, when RBAC lets it list and watch pods).
  std::shared_ptr<PodInformer> informer_;
  /// FF_PRINT_POD_EVENTS' events watch, once the pod exists.
  std::shared_ptr<PodEventsWatch> pod_events_;
  // The pull manager (internal/pull/manager.go): effective policies and failures per container, and
  // the image pull error the last wait ended with.
  std::map<std::string, std::vector<std::string>> pull_policies_;
  std::map<std::string, size_t> pull_failures_;
  std::optional<TerminalContainerError> pull_error_;
  WarningEventPrinter warning_events_;

  size_t trace_sent_ = 0;
  bool patching_ = false;
  bool finished_ = false;
  TimePoint last_sent_{};  ///< the last PATCH or touch GitLab accepted

  // Cancellation and timeouts, as GitLab Runner's contexts (common/build.go Run, executeUserScripts;
  // network/trace.go Cancel/Abort). Cancel() is consumed once: it ends the build context before
  // the user scripts, the script context during them, and nothing after them.
  std::shared_ptr<StageWait> current_wait_;
  TimePoint started_at_{};
  bool aborted_ = false;  ///< GitLab said the job is gone: no more trace updates
  bool cancel_consumed_ = false;
  bool in_user_scripts_ = false;
  bool user_scripts_done_ = false;
  bool build_timed_out_ = false;
  bool build_canceled_ = false;  ///< aborted, or canceled before the user scripts
  bool script_canceled_ = false;
  bool script_timed_out_ = false;
  bool after_script_timed_out_ = false;
  // 19.4 prepare_timeout / get_sources_timeout (stage_timeouts.h runner_stage_timeout).
  std::optional<Duration> prepare_limit_, get_sources_limit_;
  bool prepare_timed_out_ = false;
  bool get_sources_timed_out_ = false;
  bool forget_pod_ = false;  ///< Finish set s.pod = nil: cleanup sends no pod DELETE
  std::shared_ptr<bool> job_active_ = std::make_shared<bool>(true);
};

asio::awaitable<JobOutcome> Execution::run() {
  co_await send_running_update();
  started_at_ = last_sent_ = clock_.now();
  if (build_done()) {
    // The two-phase PUT said the job is gone (an abort drops it; a cancel fails it as job_canceled,
    // commands/multi.go requestJob) before anything ran: no trace, no pod.
    JobOutcome dropped;
    dropped.job_id = job_.id;
    dropped.state = "failed";
    dropped.failure_reason = negotiate_failure_reason(FailureReason::kJobCanceled, job_.features.failure_reasons);
    if (!aborted_) co_await send_final_update(dropped);
    dropped.runner_log = std::move(runner_log_);
    co_return dropped;
  }
  auto self = shared_from_this();
  asio::co_spawn(
      ex_, [self]() { return self->patch_periodically(); }, asio::detached);
  // The job timeout: Build.Run's context.WithTimeout(GetBuildTimeout()), on the virtual clock.
  start_deadline(std::chrono::seconds(job_.timeout_seconds), job_active_, &Execution::build_timed_out_);

  short_token_ = short_token(runner_.token, profile_);
  trace_.println(messages::header_running_with(profile_));
  trace_.println(messages::header_on(profile_, runner_.name, short_token_, env_.system_id));
  if (const std::string info = feature_flag_info(profile_, flags_); !info.empty()) {
    trace_.println(messages::header_feature_flags(info));
  }
  // common/build.go GetPrepareTimeout / GetGetSourcesTimeout, warned on the runner's log (b.Log()).
  const Duration job_timeout = std::chrono::seconds(job_.timeout_seconds);
  std::string warning;
  if (has_prepare_timeout(profile_)) {
    prepare_limit_ = runner_stage_timeout("prepare_timeout", runner_.prepare_timeout, job_timeout, &warning);
    if (!warning.empty()) log_runner(format_runner_log_line(LogLevel::kWarning, warning, build_log_fields()));
    warning.clear();
  }
  if (has_get_sources_timeout(profile_)) {
    get_sources_limit_ =
        runner_stage_timeout("get_sources_timeout", runner_.get_sources_timeout, job_timeout, &warning);
    if (!warning.empty()) log_runner(format_runner_log_line(LogLevel::kWarning, warning, build_log_fields()));
  }
  // printSettingErrors: the attempts' errors come before the feature flags' (initSettings).
  // initSettings: validateVariables (the git settings, then the attempts), validateDebugTraceSettings,
  // validateAttemptSettings' clamps, the feature flags.
  std::vector<std::string> setting_errors = git_settings_.errors;
  const auto clamps = attempts_.warnings.begin() + static_cast<std::ptrdiff_t>(attempts_.clamp_warnings_from);
  setting_errors.insert(setting_errors.end(), attempts_.warnings.begin(), clamps);
  if (warns_malformed_settings(profile_) && !git_settings_.debug_trace_refused.empty())
    setting_errors.push_back(git_settings_.debug_trace_refused);
  if (!git_settings_.debug_services_refused.empty()) setting_errors.push_back(git_settings_.debug_services_refused);
  setting_errors.insert(setting_errors.end(), clamps, attempts_.warnings.end());
  setting_errors.insert(setting_errors.end(), flags_.errors.begin(), flags_.errors.end());
  if (!setting_errors.empty()) trace_.warning(messages::feature_flag_errors(setting_errors));

  // A throw anywhere in the stages is a kexsim bug, but the job must still end as GitLab Runner
  // ends a build that panicked (common/build.go: "panic: %s", a system failure): the pod and
  // secret are cleaned up and GitLab gets the failed state. Then the exception goes on upward.
  std::optional<Failure> failure;
  std::exception_ptr crash;
  try {
    failure = co_await run_stages();
    // The build context's end wins over whatever the interrupted stage returned (Build.run).
    if (build_done()) failure = build_failure();
  } catch (const std::exception& e) {
    crash = std::current_exception();
    failure = Failure{"panic: " + std::string(e.what())};
  } catch (...) {
    crash = std::current_exception();
    failure = Failure{"panic: unknown exception"};
  }
  trace_.flush();  // the exec writers are closed (deferred Close) even when a stage threw
  // Finish stops the pod watcher, Cleanup the events stream (eventsStream.Stop()).
  stop_pod_watcher();
  if (pod_events_) pod_events_->stop();
  // Finish: a job that failed on its pod's 404 forgets the pod (B11/I2).
  forget_pod_ = failure && failure->pod_not_found && forgets_pod_not_found(profile_);
  try {
    co_await cleanup();
    co_await tear_down_build_namespace();
  } catch (const std::exception& e) {
    if (!crash) crash = std::current_exception();
    trace_.error(messages::error_cleaning_up_pod("panic: " + std::string(e.what())));
  }

  *job_active_ = false;
  JobOutcome outcome;
  outcome.job_id = job_.id;
  if (!failure) {
    trace_.info(messages::job_succeeded());
    outcome.state = "success";
  } else {
    const bool system = failure->reason == FailureReason::kRunnerSystemFailure;
    // 14.3-18.5 end a BuildError's line with an extra newline (kexsim: every failure that is not a system one).
    trace_.error(messages::job_failed(system, failure->message) +
                 (job_failed_extra_line(profile_) && !system ? "\n" : ""));
    outcome.state = "failed";
    outcome.failure_reason = negotiate_failure_reason(failure->reason, job_.features.failure_reasons);
    outcome.exit_code = failure->exit_code;
    outcome.error = failure->message;
  }
  co_await send_final_update(outcome);
  if (crash) std::rethrow_exception(crash);
  co_return outcome;
}

asio::awaitable<void> Execution::send_running_update() {
  // Two-phase commit (19.4): tell GitLab the job is running before anything else.
  if (!two_phase_job_commit(profile_)) co_return;
  JobUpdate running;
  running.state = "running";
  const UpdateReply sent = co_await gitlab_.update_job(job_.id, job_.token, running);
  if (sent.state == UpdateState::kAbort) {
    aborted_ = true;
    build_canceled_ = true;
  } else if (sent.state != UpdateState::kSucceeded) {
    log_runner("WARNING: " + sent.message);
  } else if (sent.remote == RemoteJobState::kCancelRequested) {
    build_canceled_ = true;
  }
}

void Execution::on_remote_state(RemoteJobState state) {
  if (finished_) return;
  if (state == RemoteJobState::kAbort) {
    // trace.Abort(): the build context ends; after_script does not run.
    aborted_ = true;
    cancel_consumed_ = true;
    if (!build_done()) end_build_context_by_cancel();
    interrupt();
  } else if (state == RemoteJobState::kCancelRequested && !cancel_consumed_) {
    // trace.Cancel(): 16.9+ ends only the script context while the user scripts run; 13.12
    // (and any release before the user scripts) ends the whole build.
    cancel_consumed_ = true;
    if (user_scripts_done_) return;
    if (in_user_scripts_ && cancel_keeps_after_script(profile_))
      script_canceled_ = true;
    else if (!build_done())
      end_build_context_by_cancel();
    interrupt();
  }
}

asio::awaitable<void> expire_cleanup(std::shared_ptr<CleanupWatch> watch, Clock* clock) {
  co_await clock->sleep_for(watch->timeout);
  if (watch->active) watch->http->abort("context deadline exceeded");
}

asio::awaitable<void> Execution::expire_after(Duration d, std::shared_ptr<bool> active, bool Execution::*flag) {
  auto self = shared_from_this();
  co_await clock_.sleep_for(d);
  if (!*active || finished_) co_return;
  if (!build_done()) this->*flag = true;
  // The build context's deadline: Kubernetes calls still waiting on it fail with ctx.Err(), as client-go's do.
  if (flag == &Execution::build_timed_out_ && kube_http_) kube_http_->abort("context deadline exceeded");
  interrupt();
}

asio::awaitable<std::optional<Failure>> Execution::run_stages() {
  // common/build.go Run: prepareCtx bounds the executor's Prepare and the prepare_script stage.
  std::shared_ptr<bool> prepare_active = std::make_shared<bool>(true);
  if (prepare_limit_) start_deadline(*prepare_limit_, prepare_active, &Execution::prepare_timed_out_);
  std::optional<Failure> failure = co_await prepare_executor();
  // executePrepareScripts: a failed prepare_script returns cont = false, so executeScript ends before
  // removeFileBasedVariables (B10/D7); a failed Prepare never reaches executeScript at all.
  bool prepare_failed = failure.has_value();
  if (!failure) {
    failure = co_await prepare_environment();
    prepare_failed = failure.has_value();
    // executeStage's deferred warnTimeoutExceeded for the prepare_script stage.
    if (failure && prepare_timed_out_) trace_.warning(messages::stage_timeout_exceeded(profile_, "prepare_script"));
  }
  *prepare_active = false;
  const bool prepared = !failure;  // executePrepareScripts' cont: the upload stages run after this point
  if (!failure) {
    failure = co_await get_sources_with_attempts();
    if (failure) co_await log_pod_warning_events(StageScope::kGetSources);
  }
  // restore_cache and download_artifacts have nothing to run in kexsim (no cache, no artifacts), but
  // 13.12 checks their attempts first (attemptExecuteStage).
  if (!failure) {
    if (auto e = attempts_out_of_range(profile_, attempts_.restore_cache, "restore_cache")) failure = Failure{*e};
  }
  if (!failure) {
    if (auto e = attempts_out_of_range(profile_, attempts_.artifact_download, "download_artifacts"))
      failure = Failure{*e};
  }
  if (!failure && !build_done()) failure = co_await run_restore_cache();
  if (!failure && !build_done()) failure = co_await run_download_artifacts();
  if (!failure && !build_done()) failure = co_await run_user_scripts();
  // A stage under attach needs the log processor; when setting up the trapping scripts failed it never
  // started, and a stage typed then would wait for an exit status that cannot come.
  const bool can_run_stage = !attach_ || attach_->reading_logs();
  if (prepared && !pod_name_.empty() && kube_ && !build_done() && can_run_stage && !get_sources_timed_out_)
    failure = co_await run_upload_stages(failure);
  // A get_sources_timeout ends executeScript at once (executePrepareScripts' cont = false).
  if (!pod_name_.empty() && kube_ && !build_done() && can_run_stage && !get_sources_timed_out_ && !prepare_failed) {
    // Removing the file variables is best effort: the pod goes next anyway.
    if (auto removed = co_await run_stage(cleanup_file_variables(scripts_), "cleanup_file_variables",
                                          messages::cleanup_stage_title(profile_)))
      log_runner("WARNING: cleanup_file_variables failed: " + removed->message);
  }
  co_return failure;
}

asio::awaitable<std::optional<Failure>> Execution::get_sources_with_attempts() {
  // common/build.go attemptExecuteStage with GET_SOURCES_ATTEMPTS. 19.4 warns and pauses before each
  // repeat (helpers/retry on a background context: the pause is waited out even after a cancel) and
  // clears the worktree before the second try; 13.12 repeats at once.
  if (auto e = attempts_out_of_range(profile_, attempts_.get_sources, "get_sources")) co_return Failure{*e};
  // executePrepareScripts: getSourcesCtx (get_sources_timeout) spans every try and the clean-up.
  std::shared_ptr<bool> active = std::make_shared<bool>(true);
  if (get_sources_limit_) start_deadline(*get_sources_limit_, active, &Execution::get_sources_timed_out_);
  std::optional<Failure> failure = co_await get_sources_tries();
  *active = false;
  if (failure && get_sources_timed_out_ && !build_done())
    failure =
        Failure{stage_limit_exceeded("get sources timeout", *get_sources_limit_), FailureReason::kJobExecutionTimeout};
  co_return failure;
}

asio::awaitable<std::optional<Failure>> Execution::get_sources_tries() {
  std::optional<Failure> failure;
  const bool exponential = flags_.on("FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY");
  Backoff jittered = jittered_stage_backoff();
  for (int attempt = 0; attempt < attempts_.get_sources; ++attempt) {
    if (attempt > 0 && stage_retries_warn_and_back_off(profile_)) {
      trace_.warning(kRetryingLine);
      co_await clock_.sleep_for(stage_retry_pause(profile_, exponential, attempt - 1));
    }
    if (attempt == 1 && clears_worktree_before_second_get_sources(profile_)) {
      const StageScript clear = clear_worktree(scripts_);
      // common/build.go GetStageDescription: BuildStageClearWorktree.
      const std::string clear_header = "Deleting all tracked and untracked files due to source fetch failure";
      failure = co_await run_stage(clear, "clear_worktree", clear_header, StageScope::kGetSources);
      if (failure) continue;  // the retry callback's error counts as this try's
    }
    // executeStage: a script that cannot be generated fails the build before its section starts.
    if (const std::string error = get_sources_generation_error(git_settings_); !error.empty()) {
      stage_script_generated();
      failure = Failure{error};
      continue;  // attemptExecuteStage tries again whatever the error
    }
    const StageScript stage = get_sources(scripts_);
    const std::string header = messages::getting_source();
    failure = co_await run_stage(stage, "get_sources", header, StageScope::kGetSources);
    if (!failure) break;
    const bool last = attempt + 1 == attempts_.get_sources;
    if (stage_retries_print_retrying_in(profile_) && exponential &&
        (!last || stage_retry_pauses_after_last_try(profile_))) {
      const Duration pause = jittered.next(random_);
      trace_.info(messages::retrying_in(pause));
      co_await clock_.sleep_for(pause);
    }
  }
  co_return failure;
}

asio::awaitable<std::optional<Failure>> Execution::run_user_scripts() {
  // common/build.go executeUserScripts: the script and after_script contexts, below the build's.
  std::shared_ptr<bool> script_active = std::make_shared<bool>(true);
  std::optional<Duration> after_limit;
  if (script_timeouts(profile_)) {
    const Duration left = started_at_ + std::chrono::seconds(job_.timeout_seconds) - clock_.now();
    StageTimeouts limits = read_stage_timeouts(job_, left);
    for (const auto& line : limits.warnings) trace_.warning(line);
    after_limit = limits.after_script;
    if (limits.script) start_deadline(*limits.script, script_active, &Execution::script_timed_out_);
    in_user_scripts_ = true;
  }
  // Every step but after_script, in payload order, until one fails (script, then e.g. release).
  std::optional<Failure> failure;
  for (const JobStep& step : user_steps(job_)) {
    // Named first: no temporaries inside a co_await call (g++ 12).
    const StageScript script = user_step_script(scripts_, step);
    const std::string script_header = messages::executing_stage(script.name);
    failure = co_await run_stage(script, script.name, script_header, StageScope::kScript);
    if (failure || build_done()) break;
  }
  if (failure) co_await log_pod_warning_events(StageScope::kScript);
  *script_active = false;
  in_user_scripts_ = false;
  user_scripts_done_ = true;
  std::string job_status = failure ? "failed" : "success";
  if (!build_done() && script_canceled_) {
    failure = Failure{messages::job_canceled(), FailureReason::kJobCanceled};
    trace_.warning(messages::script_canceled());
    job_status = "canceled";
  } else if (!build_done() && script_timed_out_) {
    failure = Failure{messages::script_timeout_exceeded(profile_), FailureReason::kJobExecutionTimeout};
    job_status = "timedout";
  }
  // after_script follows the script whatever its result; its own failures never fail the job.
  if (job_.after_script.empty() && !build_done()) stage_script_generated();  // writeAfterScript skips it
  if (!job_.after_script.empty() && !build_done()) {
    scripts_.job_status = job_status;
    std::shared_ptr<bool> after_active = std::make_shared<bool>(true);
    if (after_limit) start_deadline(*after_limit, after_active, &Execution::after_script_timed_out_);
    const StageScript after_stage = after_script(scripts_);
    const std::string after_header = messages::running_after_script();
    auto after = co_await run_stage(after_stage, "after_script", after_header, StageScope::kAfterScript);
    *after_active = false;
    if (after) log_runner("WARNING: after_script failed: " + after->message);
    // Not when the build context's deadline passed: that is reported later (executeUserScripts).
    if (after && warns_after_script_failure(profile_) && !build_timed_out_)
      trace_.warning(messages::after_script_failed(after->message));
  }
  co_return failure;
}

asio::awaitable<std::optional<Failure>> Execution::run_download_artifacts() {
  // common/build.go attemptExecuteStage(BuildStageDownloadArtifacts); no dependency with artifacts: skipped.
  const std::optional<StageScript> stage = download_artifacts_script(scripts_);
  if (!stage) {
    stage_script_generated();
    co_return std::nullopt;
  }
  const std::string header(kDownloadArtifactsTitle);
  co_return co_await run_stage(*stage, "download_artifacts", header);
}

asio::awaitable<std::optional<Failure>> Execution::run_restore_cache() {
  // common/build.go attemptExecuteStage(BuildStageRestoreCache); no cache with paths: skipped.
  const std::optional<StageScript> stage = restore_cache_script(scripts_);
  if (!stage) {
    stage_script_generated();
    co_return std::nullopt;
  }
  const std::string header(kRestoreCacheTitle);
  co_return co_await run_stage(*stage, "restore_cache", header);
}

asio::awaitable<std::optional<Failure>> Execution::run_upload_stages(std::optional<Failure> failure) {
  // common/build.go executeScript: executeUploadArtifacts(ctx, err) after the user scripts, whatever
  // they did; pickPriorityError keeps the scripts' error first.
  const bool succeeded = !failure;
  const std::optional<StageScript> archive = archive_cache_script(scripts_, succeeded);
  if (!archive) stage_script_generated();
  if (archive) {
    const std::string header = archive_cache_title(succeeded);
    const std::string section = archive->name;
    std::optional<Failure> archived = co_await run_stage(*archive, section, header);
    if (!failure && archived) failure = archived;
  }
  if (build_done()) co_return failure;
  const std::optional<StageScript> upload = upload_artifacts_script(scripts_, succeeded);
  if (!upload) stage_script_generated();
  if (upload) {
    const std::string header = upload_artifacts_title(succeeded);
    const std::string section = upload->name;
    std::optional<Failure> uploaded = co_await run_stage(*upload, section, header);
    if (!failure && uploaded) failure = uploaded;
  }
  co_return failure;
}

asio::awaitable<void> Execution::send_final_update(JobOutcome& outcome) {
  finished_ = true;
  trace_.flush();  // the checksum covers every byte, a held partial line included
  // A periodic PATCH in flight finishes first, so the offsets stay in order (upstream's watch
  // goroutine takes `finished` only between updates). It may be waiting out a rate limit.
  while (patching_) co_await clock_.sleep_for(std::chrono::milliseconds(10));
  char checksum[32];
  std::snprintf(checksum, sizeof checksum, "crc32:%08x", crc32(trace_.bytes()));
  JobUpdate final_update;
  final_update.state = outcome.state;
  final_update.failure_reason = outcome.failure_reason;
  final_update.exit_code = outcome.exit_code;
  final_update.checksum = checksum;
  final_update.bytesize = trace_.bytes().size();
  if (!final_update_gives_up(profile_)) {
    // 13.12 network/trace.go finish: one finalUpdate that only ends on an answer GitLab means. The
    // real runner would loop for ever against a GitLab that never answers; kexsim stops after an hour.
    const TimePoint give_up = clock_.now() + std::chrono::hours(1);
    if (!co_await final_update_round(final_update, give_up))
      log_runner("kexsim: stopped the 13.12 final update loop after an hour of virtual time");
  } else {
    // 19.4 network/trace.go finishWithFinalUpdate: up to job_status_final_update_retry_limit rounds
    // (common/consts.go DefaultFinalUpdateRetryLimit 10), 1 s back-off doubling to 60 min between them.
    const int rounds =
        runner_.job_status_final_update_retry_limit >= 1 ? runner_.job_status_final_update_retry_limit : 10;
    Backoff backoff(std::chrono::seconds(1), std::chrono::minutes(60));
    // Inside a round, finalUpdate goes round for ever on 202 and 412 (only UpdateFailed ends a round);
    // a GitLab that never stops answering 202 would keep the real runner there. kexsim stops after an
    // hour of virtual time, as for 13.12.
    const TimePoint give_up = clock_.now() + std::chrono::hours(1);
    for (int round = 1;; ++round) {
      if (co_await final_update_round(final_update, give_up)) break;
      if (clock_.now() >= give_up) {
        log_runner("kexsim: stopped the 19.4 final update loop after an hour of virtual time");
        break;
      }
      if (round >= rounds) {
        // common/build.go logTerminationError, with network/trace.go ErrInvalidUpdateJobResponse (or
        // ErrInvalidPatchTraceResponse when the trace never got through).
        log_runner(format_runner_log_line(
            LogLevel::kError,
            outcome.state == "success" ? "Job trace termination \"Success\" failed"
                                       : "Job trace termination \"Fail\" failed",
            {{"error", trace_sent_ < trace_.bytes().size() ? "received invalid patch trace response"
                                                           : "received invalid job update response"}}));
        break;
      }
      co_await clock_.sleep_for(backoff.next(random_));
    }
  }
  outcome.runner_log = std::move(runner_log_);
}

asio::awaitable<bool> Execution::final_update_round(JobUpdate update, std::optional<TimePoint> give_up) {
  // network/trace.go finalUpdate: send what GitLab lacks, then the state; 202 and 412 (which
  // rewinds the trace) wait the update interval and go again. 19.4 ends the round with an error on
  // a failed PATCH or PUT; 13.12 waits and goes again.
  constexpr Duration kUpdateInterval = std::chrono::seconds(3);  // common.DefaultUpdateInterval
  const bool retry_inside = !final_update_gives_up(profile_);
  const auto out_of_time = [&] { return give_up && clock_.now() >= *give_up; };
  while (true) {
    // ensureAllTraceSent
    while (trace_sent_ < trace_.bytes().size()) {
      const PatchReply patched = co_await gitlab_.patch_trace(
          job_.id, job_.token, trace_.bytes(), trace_sent_, git_settings_.debug_trace || git_settings_.debug_services);
      if (patched.state == PatchState::kSucceeded) continue;
      if (patched.state == PatchState::kAbort || patched.state == PatchState::kNotFound) {
        log_runner("WARNING: " + patched.message);
        break;
      }
      log_runner("WARNING: " + patched.message);
      co_await clock_.sleep_for(kUpdateInterval);
      if (patched.state == PatchState::kFailed && !retry_inside) co_return false;
      if (out_of_time()) co_return false;
    }
    const UpdateReply sent = co_await gitlab_.update_job(job_.id, job_.token, update);
    switch (sent.state) {
      case UpdateState::kSucceeded: co_return true;
      case UpdateState::kAbort:
      case UpdateState::kNotFound: log_runner("WARNING: " + sent.message); co_return true;
      case UpdateState::kTraceValidationFailed: trace_sent_ = 0; [[fallthrough]];
      case UpdateState::kAccepted: log_runner("WARNING: " + sent.message); break;
      case UpdateState::kFailed:
        log_runner("WARNING: " + sent.message);
        co_await clock_.sleep_for(kUpdateInterval);
        if (!retry_inside) co_return false;
        if (out_of_time()) co_return false;
        continue;
    }
    co_await clock_.sleep_for(kUpdateInterval);
    if (out_of_time()) co_return false;
  }
}

asio::awaitable<void> Execution::patch_periodically() {
  auto self = shared_from_this();
  // network/trace.go watch/incrementalUpdate: PATCH what is new; when nothing went to GitLab for
  // 30 s, touch the job with a running PUT, so that a silent script still hears a cancel.
  constexpr Duration kForceSendInterval = std::chrono::seconds(30);
  while (!finished_ && !aborted_) {
    co_await clock_.sleep_for(std::chrono::seconds(3));
    if (finished_) break;
    if (trace_sent_ < trace_.bytes().size()) {
      patching_ = true;
      const PatchReply patched = co_await gitlab_.patch_trace(
          job_.id, job_.token, trace_.bytes(), trace_sent_, git_settings_.debug_trace || git_settings_.debug_services);
      patching_ = false;
      if (finished_) break;
      // A failed PATCH is sent again from trace_sent_ on the next tick.
      if (patched.state != PatchState::kSucceeded) log_runner("WARNING: " + patched.message);
      if (patched.remote == RemoteJobState::kCancelRequested) on_remote_state(patched.remote);
      if (patched.state == PatchState::kAbort) {
        on_remote_state(RemoteJobState::kAbort);
        break;
      }
      if (patched.state != PatchState::kSucceeded) continue;
      last_sent_ = clock_.now();
    }
    if (clock_.now() - last_sent_ <= kForceSendInterval) continue;
    JobUpdate touch;
    touch.state = "running";
    char checksum[32];
    std::snprintf(checksum, sizeof checksum, "crc32:%08x", crc32(trace_.bytes()));
    touch.checksum = checksum;
    touch.bytesize = trace_.bytes().size();
    const UpdateReply touched = co_await gitlab_.update_job(job_.id, job_.token, touch);
    if (finished_) break;
    if (touched.remote == RemoteJobState::kCancelRequested) on_remote_state(touched.remote);
    if (touched.state == UpdateState::kAbort) {
      on_remote_state(RemoteJobState::kAbort);
      break;
    }
    if (touched.state != UpdateState::kSucceeded) {
      log_runner("WARNING: " + touched.message);
      continue;
    }
    last_sent_ = clock_.now();
  }
}

asio::awaitable<std::optional<Failure>> Execution::prepare_executor() {
  trace_.section_start("prepare_executor");
  trace_.stage_header(messages::preparing_executor());
  stage_begins("prepare_executor");
  // common/build.go retryCreateExecutor: up to three tries of Prepare, each failed one followed by
  // the executor's Cleanup, two trace lines and a 3 s wait (after the last try as well).
  std::optional<Failure> failure;
  for (int attempt = 1; attempt <= kPreparationRetries; ++attempt) {
    failure = co_await prepare_executor_once();
    if (!failure) break;
    stop_pod_watcher();
    if (!pod_name_.empty()) {
      // retryCreateExecutor calls the executor's Cleanup after each failed try: the pod Prepare made goes.
      co_await cleanup();
      // A health check's exec may still be streaming (detached): its clients outlive the try.
      retired_http_.push_back(std::move(kube_http_));
      retired_kube_.push_back(std::move(kube_));
      pod_name_.clear();
      secret_name_.clear();
      secret_ = nullptr;
      secret_owned_ = false;
      attach_.reset();
      pod_configured_ = false;
    }
    if (kube_http_) kube_http_->close_idle();
    kube_.reset();
    kube_http_.reset();
    if (!retries_preparation(failure->prepare_kind, build_done())) break;
    trace_.error(preparation_failed(failure->message));
    trace_.info(will_be_retried());
    co_await clock_.sleep_for(kPreparationRetryInterval);
    if (build_done()) break;  // the wait ends with the prepare context
  }
  trace_.section_end("prepare_executor");  // build_section.go Execute: deferred, also after a failure
  co_return failure;
}

std::optional<Failure> Execution::start_build() {
  const std::string root = runner_.builds_dir.empty() ? std::string(kDefaultBuildsDir) : runner_.builds_dir;
  std::string standard = builds_dir(profile_, root, short_token_, concurrent_project_id_, job_.job_info.project_full_path);
  // GIT_CLONE_PATH as GetAllVariables expands it, CI_BUILDS_DIR already set (StartBuild's first refresh).
  const auto vars = build_variables({profile_, &job_, feature_flag_variables(), root, standard, concurrent_id_,
                                     concurrent_project_id_, short_token_, runner_.environment, ""});
  std::string clone_path;
  for (const auto& v : vars)
    if (v.key == "GIT_CLONE_PATH") clone_path = v.value;
  auto dir = job_build_dir(profile_, root, std::move(standard), clone_path, custom_build_dir_enabled(runner_));
  if (dir) {
    build_dir_ = std::move(*dir);
    return std::nullopt;
  }
  // executors/kubernetes/kubernetes.go Prepare: 14.2+ "prepare build and shell: %w", 13.12 "prepare AbstractExecutor: %w".
  const char* wrap = build_dir_checked_after_images(profile_) ? "prepare build and shell: " : "prepare AbstractExecutor: ";
  const FailureReason reason = custom_build_dir_configuration_error(profile_) ? FailureReason::kRunnerConfigurationError
                                                                             : FailureReason::kScriptFailure;
  return Failure{wrap + dir.error().message, reason, 0, PrepareErrorKind::kBuildError};
}

asio::awaitable<std::optional<Failure>> Execution::prepare_executor_once() {
  const KubernetesConfig& kube_config = runner_.kubernetes;
  if (!build_dir_checked_after_images(profile_)) {
    if (auto f = start_build()) co_return f;
  }
  if (auto f = prepare_overwrites()) co_return f;
  const std::vector<JobVariable> image_vars = image_variables();
  auto images = resolve_images(runner_, job_, profile_, image_vars);
  if (!images) co_return config_prepare_failure(images.error().message, FailureReason::kRunnerConfigurationError);
  images_ = std::move(*images);
  // executors/kubernetes/kubernetes.go checkDefaults: BuildLogger.Infoln (its fields go to the runner's log only).
  if (prints_using_default_image(profile_) && expand_value(image_vars, job_.image.name, profile_).empty())
    trace_.info("Using default image");
  namespace_ = overwrites_.namespace_;
  // checkDefaults: namespace_per_job names the namespace after the job (16.10+).
  if (kube_config.namespace_per_job && has_namespace_per_job(profile_))
    namespace_ = "ci-job-" + std::to_string(job_.id);
  if (namespace_.empty()) {
    trace_.warning(messages::namespace_empty());
    namespace_ = "default";
  }

  KubernetesConfig connect_config = kube_config;
  connect_config.bearer_token = overwrites_.bearer_token;  // KUBERNETES_BEARER_TOKEN, when allowed
  auto connection = connect_to_cluster(connect_config, env_.in_cluster, profile_);
  if (!connection) {
    // executors/kubernetes/kubernetes.go: Prepare wraps it as a configuration error.
    co_return config_prepare_failure(kube_connection_failure(connection.error()),
                                     FailureReason::kRunnerConfigurationError);
  }
  kube_http_ = std::make_unique<HttpClient>(ex_, dialer_, clock_, connection->tls, tls_contexts_);
  kube_ = std::make_unique<KubeClient>(*kube_http_, *connection);
  kube_->set_retry(kube_retry_policy(), clock_);

  trace_.println(messages::using_namespace(namespace_));
  trace_.println(messages::using_image(images_.build));
  // executors/kubernetes/kubernetes.go prepareInfrastructure.
  if (use_attach_) trace_.println("Using attach strategy to execute scripts...");
  if (auto f = prepare_pull_policies()) co_return f;
  // The pull manager also answers for init-permissions, with the helper's policies (attach only).
  if (use_attach_ && prints_pull_policy_lines(profile_))
    trace_.println(messages::using_pull_policy(pull_policies_["helper"], "init-permissions"));
  if (build_dir_checked_after_images(profile_)) {
    if (auto f = start_build()) co_return f;
  }
  if (auto f = co_await start_pod_watcher()) co_return f;
  co_return co_await wait_for_services();
}

asio::awaitable<std::optional<Failure>> Execution::start_pod_watcher() {
  stop_pod_watcher();
  if (!uses_pod_informer(profile_)) co_return std::nullopt;
  // kubernetes.go newPodWatcher: list, then watch, each through the retry; the first refusal is the warning.
  std::optional<std::string> refused = co_await informer_refusal(*kube_, namespace_);
  if (refused) {
    trace_.warning(informers_refused(*refused));
    co_return std::nullopt;
  }
  PodInputs label_inputs;
  label_inputs.runner = &runner_;
  label_inputs.job = &job_;
  label_inputs.short_token = short_token_;
  label_inputs.profile = profile_;
  label_inputs.overwrites = &overwrites_;
  const std::string unique = project_unique_name(short_token_, job_.job_info.project_id, concurrent_project_id_);
  json labels = pod_labels(label_inputs, unique);
  auto informer =
      std::make_shared<PodInformer>(ex_, clock_, random_.fork("pod-informer"), *kube_, namespace_, labels, profile_);
  informer->set_on_error([this](const PodWatchError& e) { return on_pod_watch_error(e); });
  informer_ = informer;
  // maxSyncDuration: Config.Kubernetes.RequestRetryBackoffMax.Get() (<= 0: 2 s; at least 500 ms).
  const int backoff_ms = runner_.kubernetes.retry_backoff_max;
  const Duration max_sync = backoff_ms <= 0 ? Duration(std::chrono::milliseconds(2000))
                                            : Duration(std::chrono::milliseconds(std::max(backoff_ms, 500)));
  Result<bool> started = co_await informer->start(max_sync);
  if (!started) {
    // prepareInfrastructure: a plain error, so Prepare is tried again.
    co_return Failure{"starting pod watcher: " + started.error().message, FailureReason::kRunnerSystemFailure, 0,
                      PrepareErrorKind::kPlain};
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::prepare_environment() {
  // helpers/build_section.go Execute: the section ends (deferred) whether the stage failed or not.
  trace_.section_start("prepare_script");
  std::optional<Failure> failure = co_await prepare_environment_stage();
  trace_.section_end("prepare_script");
  co_return failure;
}

asio::awaitable<std::optional<Failure>> Execution::prepare_environment_stage() {
  stage_script_generated();
  trace_.stage_header(messages::preparing_environment());
  stage_begins("prepare_script");
  if (auto f = co_await configure_pod()) co_return f;
  auto prepare = prepare_script(scripts_);
  std::optional<Failure> prepared = co_await run_stage(prepare, "", "");
  if (prepared) {
    co_await log_pod_warning_events(StageScope::kBuild);
    // executePrepareScripts wraps with %w: the stage's BuildError (script_failure, its exit code) survives (E3).
    Failure wrapped = prepare_error(prepared->message);
    wrapped.reason = prepared->reason;
    wrapped.exit_code = prepared->exit_code;
    wrapped.pod_not_found = prepared->pod_not_found;
    co_return wrapped;
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::configure_pod() {
  if (pod_configured_) co_return std::nullopt;

  const std::string unique = project_unique_name(short_token_, job_.job_info.project_id, concurrent_project_id_);
  const std::string builds_base = runner_.builds_dir.empty() ? std::string(kDefaultBuildsDir) : runner_.builds_dir;
  project_dir_ = build_dir_.empty() ? builds_dir(profile_, builds_base, short_token_, concurrent_project_id_,
                                                 job_.job_info.project_full_path)
                                    : build_dir_;
  scripts_.job = &job_;
  scripts_.profile = profile_;
  scripts_.runner_hostname = env_.hostname;
  scripts_.project_dir = project_dir_;
  scripts_.runner_url = runner_.url;
  scripts_.debug_trace_disabled = runner_.debug_trace_disabled;
  scripts_.runner_scripts = runner_.scripts;
  scripts_.clone_url = runner_.clone_url;
  scripts_.variables =
      build_variables({profile_, &job_, feature_flag_variables(), builds_base, project_dir_, concurrent_id_,
                       concurrent_project_id_, short_token_, runner_.environment,
                       runner_ca_chain(runner_, job_.tls_chain)});

  if (auto f = co_await set_up_pod(unique)) co_return f;
  if (use_attach_) {
    Execution* self = this;
    AttachStrategy::Sinks sinks;
    sinks.output = [self](std::string_view line) { self->trace_.raw(1, line); };
    sinks.warning = [self](std::string_view line) { self->trace_.warning(line); };
    sinks.runner_log = [self](std::string line) { self->log_runner(std::move(line)); };
    const int interval = poll_interval_seconds();
    attach_ =
        std::make_shared<AttachStrategy>(ex_, clock_, *kube_, namespace_, pod_name_, attach_paths_, std::move(sinks),
                                         std::chrono::seconds(interval), kube_retry_policy(), profile_);
    // executors/kubernetes/kubernetes.go ensurePodsConfigured: the detect script goes on the emptyDir, then the log
    // processor starts ("setting up trapping scripts on emptyDir: %w").
    std::optional<std::string> trap_error = co_await attach_->setup_trapping_scripts();
    if (trap_error) co_return prepare_error("setting up trapping scripts on emptyDir: " + *trap_error);
    attach_->start_log_processor();
    // ensurePodsConfigured: then the services' logs (captureServiceContainersLogs), with CI_DEBUG_SERVICES.
    if (!git_settings_.debug_services_parse_warning.empty()) trace_.warning(git_settings_.debug_services_parse_warning);
    if (git_settings_.debug_services) {
      ServiceLogCapture::Sinks log_sinks;
      log_sinks.output = [self](std::string_view bytes) { self->trace_.service_output(bytes); };
      log_sinks.warning = [self](std::string_view line) { self->trace_.warning(line); };
      service_logs_ =
          std::make_shared<ServiceLogCapture>(ex_, clock_, *kube_, namespace_, pod_name_, poll_timeout_seconds(),
                                              kube_retry_policy(), profile_, std::move(log_sinks));
      co_await service_logs_->start(
          service_log_targets(job_service_containers(), images_.build, images_.helper, profile_));
    }
  }
  pod_configured_ = true;
  co_return std::nullopt;
}

std::vector<ServiceContainer> Execution::job_service_containers() const {
  PodInputs services_in;
  services_in.runner = &runner_;
  services_in.job = &job_;
  services_in.profile = profile_;
  return service_containers(services_in);
}

asio::awaitable<std::optional<Failure>> Execution::wait_for_services() {
  if (!waits_for_service_health(profile_)) co_return std::nullopt;
  const std::string command = health_check_command(job_service_containers());
  if (command.empty()) co_return std::nullopt;
  // ensurePodsConfigured (attach) or setupPodLegacy, as Prepare's own step.
  pod_in_prepare_ = true;
  std::optional<Failure> configured = co_await configure_pod();
  pod_in_prepare_ = false;
  if (configured) co_return configured;
  // runInContainerWithExec in the helper container with the shell's DockerCommand, the command on stdin,
  // its output on the job log; beside it watchPodStatus with podContainerStatusChecker (every container).
  StageScript check{"health_check", "helper", stage_command("build", profile_), command};
  std::shared_ptr<StageWait> wait = std::make_shared<StageWait>(ex_);
  std::shared_ptr<std::string> pod_error = std::make_shared<std::string>();
  current_wait_ = wait;
  auto self = shared_from_this();
  asio::co_spawn(
      ex_, [self, wait, check]() { return self->exec_health_check(wait, check); }, asio::detached);
  asio::co_spawn(
      ex_, [self, wait, pod_error]() { return self->watch_health_check_pod(wait, pod_error); }, asio::detached);
  while (!wait->result && pod_error->empty() && !build_done()) {
    boost::system::error_code ignored;
    co_await wait->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  current_wait_.reset();
  wait->detached = true;
  trace_.flush();
  if (!wait->result && !pod_error->empty()) {
    trace_.println(health_check_aborted(*pod_error));
    co_return Failure{*pod_error, FailureReason::kRunnerSystemFailure, 0, PrepareErrorKind::kPlain};
  }
  // ctx.Done(): "health check aborted"; the build context's own error takes its place.
  if (!wait->result)
    co_return Failure{"health check aborted", FailureReason::kRunnerSystemFailure, 0, PrepareErrorKind::kPlain};
  if (!*wait->result) {
    // Only a CodeExitError is the check's verdict; a failed exec (stream, upgrade) is not an error of Prepare.
    co_return std::nullopt;
  }
  if (const int code = **wait->result; code != 0)
    co_return Failure{messages::command_terminated(code), FailureReason::kScriptFailure, code};
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::create_registry_secret(std::string unique_name) {
  const DockerAuth auth =
      resolve_docker_auth(profile_, docker_auth_config(scripts_.variables, profile_), job_.credentials);
  for (const auto& w : auth.warnings) trace_.warning(w);
  if (auth.registries.empty()) co_return std::nullopt;
  // 13.12 let the server pick the name (generateName); newer runners add their own suffix.
  json secret =
      explicit_resource_names(profile_)
          ? build_registry_secret(namespace_, name_with_random_suffix(unique_name, random_), "", auth.registries)
          : build_registry_secret(namespace_, "", unique_name, auth.registries);
  auto created = co_await kube_->create(namespace_, "secrets", std::move(secret));
  if (!created) co_return prepare_error(setting_up_credentials(created.error().message));
  secret_name_ = string_at(member(*created, "metadata"), "name");
  secret_ = std::move(*created);
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::create_build_pod(std::string unique_name) {
  // Host aliases need a server that knows them (>= 1.7); GitLab Runner asks /version.
  bool aliases_supported = true;
  auto version = co_await kube_->server_version();
  if (!version) co_return prepare_error(setting_up_build_pod(version.error().message));
  const auto major = version_number(string_at(*version, "major", "1"));
  const auto minor = version_number(string_at(*version, "minor", "0"));
  if (!major || !minor) {
    trace_.warning(messages::host_alias_check_failed());
    aliases_supported = false;
  } else {
    aliases_supported = *major > 1 || *minor >= 7;
  }

  PodInputs pod_inputs;
  pod_inputs.runner = &runner_;
  pod_inputs.job = &job_;
  pod_inputs.profile = profile_;
  pod_inputs.namespace_ = namespace_;
  if (explicit_resource_names(profile_))
    pod_inputs.name = name_with_random_suffix(unique_name, random_);
  else
    pod_inputs.generate_name = unique_name;
  pod_inputs.images = images_;
  pod_inputs.registry_secret = secret_name_;
  pod_inputs.host_aliases_supported = aliases_supported;
  pod_inputs.concurrent_id = concurrent_project_id_;
  pod_inputs.short_token = short_token_;
  pod_inputs.project_dir = project_dir_;
  pod_inputs.variables = scripts_.variables;
  pod_inputs.pull_policies = current_pull_policies();
  pod_inputs.overwrites = &overwrites_;
  if (use_attach_) {
    // scripts_base_dir / logs_base_dir (17.2+) prefix the directories.
    const PodExtrasConfig& x = runner_.kubernetes.extras;
    const bool bases = attach_base_dirs(profile_);
    attach_paths_ =
        attach_paths(job_.job_info.project_id, job_.id, bases ? x.scripts_base_dir : "", bases ? x.logs_base_dir : "");
    pod_inputs.scripts_dir = attach_paths_.scripts_dir;
    pod_inputs.logs_dir = attach_paths_.logs_dir;
  }
  // preparePodConfig: getPodActiveDeadlineSeconds prints while the spec is built, after setupCredentials and
  // the host-alias check (D8), so a failed secret POST or /version never shows it; getDNSPolicy comes next.
  // preparePodServices and createBuildAndHelperContainers judge the job's user and the images before that
  // (executor/job_user.h, executor/allowed_images.h).
  bool image_refused = false;  // a refused image ends the set-up before preparePodConfig's lines
  for (const SetupLine& l : pod_setup_lines(pod_inputs)) {
    if (l.error) {
      trace_.error(l.text);
      image_refused = true;
    } else if (l.warning) {
      trace_.warning(l.text);
    } else {
      trace_.println(l.text);
    }
  }
  if (!image_refused) {
    if (active_deadline_default_on(profile_)) trace_.println(messages::active_deadline_notice(job_.timeout_seconds));
    if (auto dns = dns_policy_warning(runner_.kubernetes)) trace_.warning(*dns);  // preparePodConfig getDNSPolicy
  }
  auto pod = build_pod(pod_inputs);
  if (!pod) co_return prepare_error(setting_up_build_pod(pod.error().message));
  // setupBuildPod checkDependantResources (15.0+), between preparePodConfig and the pod spec patches.
  if (has_resource_availability_check(profile_)) {
    auto resources = co_await check_dependant_resources(kube_.get(), &clock_, namespace_, &runner_.kubernetes);
    if (!resources) co_return prepare_error(setting_up_build_pod(resources.error().message));
  }
  if (flags_.on("FF_USE_ADVANCED_POD_SPEC_CONFIGURATION")) {
    trace_.warning(advanced_pod_spec_warning());
    auto patched = apply_pod_spec_patches((*pod)["spec"], runner_.kubernetes.pod_spec);
    if (!patched) co_return prepare_error(setting_up_build_pod(patched.error().message));
    (*pod)["spec"] = std::move(*patched);
  }

  // UpdatePodName before the create: a retried pod replaces the one still terminating.
  if (informer_) informer_->set_pod_name(pod_inputs.name);
  auto created = co_await kube_->create(namespace_, "pods", std::move(*pod));
  if (!created) co_return prepare_error(setting_up_build_pod(created.error().message));
  pod_name_ = string_at(member(*created, "metadata"), "name");
  if (auto failure = co_await adopt_registry_secret(*created)) co_return failure;
  co_return co_await create_disruption_budget(std::move(*created));
}

asio::awaitable<std::optional<Failure>> Execution::create_disruption_budget(json pod) {
  // kubernetes.go setupBuildPod (18.11+): after the ownerReferences, "error creating PodDisruptionBudget: %w".
  if (!runner_.kubernetes.pod_disruption_budget || !creates_pod_disruption_budget(profile_)) co_return std::nullopt;
  json budget = pod_disruption_budget_for(pod);
  auto created = co_await kube_->create(namespace_, "poddisruptionbudgets", std::move(budget));
  if (!created)
    co_return prepare_error(setting_up_build_pod("error creating PodDisruptionBudget: " + created.error().message));
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::adopt_registry_secret(json pod) {
  // Tie the secret to the pod so Kubernetes garbage-collects it with the pod (19.4). Upstream's
  // setOwnerReferencesForResources fails the job when the update fails: "error setting
  // ownerReferences: <err>" (executors/kubernetes/kubernetes.go: setupBuildPod).
  if (secret_name_.empty() || !secret_owned_by_pod(profile_)) co_return std::nullopt;
  // setOwnerReferencesForResources: a PUT of a copy of the secret as created (s.credentials.DeepCopy()),
  // no GET first, retried as every API call is; the answer replaces the kept copy.
  const json& metadata = member(pod, "metadata");
  json secret = secret_;
  json& secret_metadata = secret["metadata"];  // call() answers objects only
  if (!secret_metadata.is_object()) secret_metadata = json::object();
  secret_metadata["ownerReferences"] =
      json::array({{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", pod_name_}, {"uid", string_at(metadata, "uid")}}});
  auto updated = co_await kube_->update(namespace_, "secrets", secret_name_, std::move(secret));
  if (!updated) {
    co_return prepare_error(setting_up_build_pod("error setting ownerReferences: " + updated.error().message));
  }
  secret_ = std::move(*updated);
  secret_owned_ = true;
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::wait_for_pod() {
  const KubernetesConfig& kube_config = runner_.kubernetes;
  const int interval = poll_interval_seconds();
  const int timeout = poll_timeout_seconds();
  const int attempts = timeout / interval;
  std::string last_phase = "Unknown";
  for (int i = 0; i <= attempts; ++i) {
    auto pod = co_await kube_->get_pod(namespace_, pod_name_);
    if (!pod) {
      Failure failure = prepare_error(messages::waiting_for_pod_running(pod.error().message));
      failure.pod_not_found = is_pod_not_found(pod.error());
      co_return failure;
    }
    const json& status = member(*pod, "status");
    last_phase = string_at(status, "phase", "Unknown");
    if (last_phase == "Running") {
      bool build_ready = false;
      for (const auto& container : array_at(status, "containerStatuses")) {
        const json& ready = member(container, "ready");
        if (string_at(container, "name") == "build") build_ready = ready.is_boolean() && ready.get<bool>();
      }
      // 17.4+ isRunning waits for the build container's readiness; v13.12 util.go isRunning takes the phase.
      if (build_ready || !running_waits_for_build_ready(profile_)) co_return co_await wait_for_pod_reachable();
    } else if (last_phase == "Succeeded" || last_phase == "Failed") {
      const std::string inner =
          last_phase == "Succeeded" ? messages::pod_already_succeeded() : messages::pod_status_failed();
      co_return prepare_error(messages::waiting_for_pod_running(inner));
    }
    // util.go getPodPhase: terminal container states, then (19.4) the sandbox's user-namespace events.
    pull_error_ = check_terminal_containers(status, profile_);
    if (pull_error_) co_return wait_error(*pull_error_);
    const bool print_events = prints_pod_warning_events(profile_, kube_config);
    if (print_events && wait_lists_warning_events(profile_)) {
      const std::string query = "fieldSelector=involvedObject.name%3D" + pod_name_ + "%2Ctype%3DWarning";
      auto events = co_await kube_->list(namespace_, "events", query);
      std::optional<TerminalContainerError> sandbox;
      if (events) sandbox = check_sandbox_user_namespace(*events);
      if (sandbox) co_return wait_error(*sandbox);
    }
    const std::string node = string_at(member(*pod, "spec"), "nodeName");
    // With FF_PRINT_POD_EVENTS waitForPod writes to io.Discard: the events table stands instead.
    if (!pod_events_)
      trace_.waiting_line(
          messages::waiting_for_pod(profile_, namespace_, pod_name_, node.empty() ? "<unknown>" : node, last_phase));
    // 19.3+: the condition lines only with print_pod_warning_events.
    for (const auto& condition : array_at(status, "conditions")) {
      const std::string why = string_at(condition, "reason");
      if (!why.empty() && !pod_events_ && (!condition_lines_obey_warning_events(profile_) || print_events))
        trace_.waiting_line(messages::pod_condition(why, string_at(condition, "message")));
    }
    if (i < attempts) co_await clock_.sleep_for(std::chrono::seconds(interval));
    if (build_done()) co_return build_failure();
  }
  co_return prepare_error(messages::waiting_for_pod_running(messages::timed_out_waiting(profile_, last_phase)));
}

asio::awaitable<std::optional<Failure>> Execution::wait_for_pod_reachable() {
  if (!waits_for_pod_reachable(profile_, flags_.on("FF_WAIT_FOR_POD_TO_BE_REACHABLE"))) co_return std::nullopt;
  // util.go WaitForPodReachable: ten lines of the helper's log, poll_timeout / poll_interval + 1 tries, a
  // poll_interval's sleep after every failure (the last included); the error itself is dropped.
  const int interval = poll_interval_seconds();
  const int timeout = poll_timeout_seconds();
  for (int i = 0; i <= timeout / interval; ++i) {
    if (build_done()) co_return build_failure();
    auto opened = co_await kube_->open_pod_log(namespace_, pod_name_, "container=helper&tailLines=10");
    if (opened) co_return std::nullopt;
    co_await clock_.sleep_for(std::chrono::seconds(interval));
  }
  if (build_done()) co_return build_failure();
  co_return prepare_error(messages::pod_not_attachable());
}

asio::awaitable<std::optional<Failure>> Execution::watch_pod_events() {
  if (pod_events_ || !prints_pod_events(profile_) || !flags_.on("FF_PRINT_POD_EVENTS")) co_return std::nullopt;
  trace_.println("Subscribing to Kubernetes Pod events...");  // kubernetes.go watchPodEvents
  Execution* self = this;
  auto watch = std::make_shared<PodEventsWatch>(ex_, *kube_, namespace_, pod_name_,
                                                [self](std::string_view line) { self->trace_.waiting_line(line); });
  pod_events_ = watch;
  Result<bool> opened = co_await watch->start();
  if (!opened) co_return prepare_error(opened.error().message);
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::set_up_pod(std::string unique_name) {
  // kubernetes.go withPullRetry: after a failed attempt the pod's Warning events are printed; an image
  // pull error moves the container to its next pull policy, and the pod is made again.
  for (int attempt = 1;; ++attempt) {
    pull_error_.reset();
    std::optional<Failure> failure = co_await set_up_build_namespace();
    if (!failure) failure = co_await create_registry_secret(unique_name);
    if (!failure) failure = co_await create_build_pod(unique_name);
    if (!failure) failure = co_await watch_pod_events();
    if (!failure) failure = co_await wait_for_pod();
    if (!failure) co_return std::nullopt;
    co_await log_pod_warning_events(StageScope::kBuild);
    if (!pull_error_ || !pull_error_->image_pull || build_done() || !next_pull_policy(attempt, *pull_error_))
      co_return failure;
    co_await cleanup();
    pod_name_.clear();
    secret_name_.clear();
    secret_ = nullptr;
    secret_owned_ = false;
  }
}

asio::awaitable<void> Execution::log_pod_warning_events(StageScope scope) {
  // kubernetes.go logPodWarningEvents (19.4, print_pod_warning_events): a failed list is Debug only.
  if (!prints_pod_warning_events(profile_, runner_.kubernetes) || pod_name_.empty() || !kube_) co_return;
  // The list goes out on the failed stage's cmd.Context: a cancel or a deadline that ended it makes
  // client-go fail the list at once with ctx.Err(), so nothing is sent or printed.
  if (scope_done(scope)) co_return;
  const std::string query = "fieldSelector=involvedObject.name%3D" + pod_name_ + "%2Ctype%3DWarning&limit=200";
  auto events = co_await kube_->list(namespace_, "events", query);
  if (!events) co_return;
  for (const auto& message : warning_events_.take_new(*events)) trace_.warning(messages::event_retrieved(message));
}

std::optional<Failure> Execution::prepare_pull_policies() {
  // kubernetes.go preparePullManager (19.4 prints each container's policies; services use the config's).
  for (const char* container : {"build", "helper"}) {
    auto policies = effective_pull_policies(profile_, runner_.kubernetes, job_.image.pull_policy, container);
    if (!policies) return config_prepare_failure(policies.error().message, FailureReason::kRunnerConfigurationError);
    if (prints_pull_policy_lines(profile_)) trace_.println(messages::using_pull_policy(*policies, container));
    pull_policies_[container] = *policies;
  }
  auto services = effective_pull_policies(profile_, runner_.kubernetes, {}, "*");
  if (services) pull_policies_["*"] = *services;
  return std::nullopt;
}

std::map<std::string, std::string> Execution::current_pull_policies() const {
  std::map<std::string, std::string> out;
  for (const auto& [container, policies] : pull_policies_) {
    auto failures = pull_failures_.find(container);
    const size_t i = failures == pull_failures_.end() ? 0 : failures->second;
    if (i < policies.size()) out[container] = policies[i];
  }
  return out;
}

bool Execution::next_pull_policy(int attempt, const TerminalContainerError& e) {
  // internal/pull/manager.go UpdatePolicyForContainer (13.12: UpdatePolicyForImage, keyed by image).
  const std::string key = pull_messages_name_container(profile_) ? e.container : std::string("build");
  auto known = pull_policies_.find(pull_policies_.count(key) ? key : "*");
  const std::vector<std::string> policies =
      known == pull_policies_.end() ? std::vector<std::string>{""} : known->second;
  size_t& failures = pull_failures_[known == pull_policies_.end() ? key : known->first];
  const std::string policy = failures < policies.size() ? policies[failures] : "";
  ++failures;
  trace_.warning(pull_policy_failed(profile_, e, policy));
  if (failures >= policies.size()) return false;
  trace_.info(pull_policy_attempt(profile_, attempt + 1, policies[failures], e));
  return true;
}

asio::awaitable<std::optional<Failure>> Execution::run_stage(const StageScript& stage, std::string_view section,
                                                             std::string_view header, StageScope scope) {
  // executeStage: a stage whose context already ended does not start.
  if (scope_done(scope)) co_return Failure{"build aborted"};
  if (!section.empty()) {
    stage_script_generated();
    trace_.section_start(std::string(section));
    trace_.stage_header(std::string(header));
    stage_begins(section);
  }
  std::optional<Failure> failure;
  bool interrupted = false;
  // GitLab Runner checks the pod before every exec. (No co_await below inside an if-init scope:
  // g++ 12 mislays such variables across a suspension.)
  auto pod = co_await kube_->get_pod(namespace_, pod_name_);
  const std::string phase = pod ? string_at(member(*pod, "status"), "phase") : std::string();
  if (!pod) {
    failure = Failure{messages::couldnt_get_pod_details(pod.error().message)};
    failure->pod_not_found = is_pod_not_found(pod.error());  // exec.go: "couldn't get pod details: %w"
  } else if (phase != "Running") {
    failure = Failure{messages::pod_not_running_for_exec(pod_name_, namespace_, phase)};
  } else if (scope_done(scope)) {
    interrupted = true;  // canceled or timed out while the pod was checked
  } else {
    // The exec runs on its own so that a cancel or a deadline can end the stage first; its stream
    // then goes on in the background (its end is still consumed) and its output is dropped.
    std::shared_ptr<StageWait> wait = std::make_shared<StageWait>(ex_);
    current_wait_ = wait;
    spawn_exec(wait, stage);
    // The select's other case is ready at once when the 19.0+ channel kept an earlier error.
    if (informer_) {
      if (std::optional<PodWatchError> kept = informer_->take_pending()) on_pod_watch_error(*kept);
    }
    while (!wait->result && !scope_done(scope)) {
      boost::system::error_code ignored;
      co_await wait->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    current_wait_.reset();
    if (!wait->result) wait->detached = true;
    if (!wait->result) {
      interrupted = true;
    } else if (!*wait->result) {
      failure = Failure{wait->result->error().message};
      failure->pod_not_found = !attach_ && is_pod_not_found(wait->result->error());
      if (wait->unknown_failure) failure->reason = FailureReason::kUnknownFailure;
      if (wait->reason) failure->reason = *wait->reason;
    } else if (const int code = **wait->result; code != 0) {
      failure = Failure{messages::command_terminated(code), FailureReason::kScriptFailure, code};
    }
  }
  // executors/kubernetes/kubernetes.go runWithExecLegacy: a stage whose context ended returns
  // "build aborted" (the legacy exec strategy sends no kill script); the caller puts the
  // context's own error in its place.
  if (interrupted) failure = Failure{"build aborted"};
  // runWithAttach: an interrupted stage whose script has not reported its exit gets the kill script.
  if (interrupted && attach_) {
    const std::string stage_name = stage.name, stage_container = stage.container;
    co_await attach_->cancel_stage(stage_name, stage_container);
  }
  trace_.flush();
  if (!section.empty()) trace_.section_end(std::string(section));
  if (interrupted && scope_timed_out(scope) && stage_deadline_warning(profile_) && !section.empty())
    trace_.warning(messages::stage_timeout_exceeded(profile_, section));
  co_return failure;
}

asio::awaitable<void> Execution::exec_stage(std::shared_ptr<StageWait> wait, StageScript stage) {
  auto self = shared_from_this();
  // Named first: a lambda temporary inside the co_await expression is destroyed twice by g++ 12.
  std::function<void(int, std::string_view)> on_output = [this, wait](int channel, std::string_view data) {
    if (!wait->detached) trace_.raw(channel, data);
  };
  // The seam between the strategies: attach (scripts saved, typed in, read back) or one exec per stage.
  // (No co_await inside ?: with g++ 12.)
  Result<int> code = make_error("no stage run");
  if (attach_) {
    AttachStageOutcome attached = co_await attach_->run_stage(stage.name, stage.container, stage.script);
    if (attached.exit_code)
      code = *attached.exit_code;
    else
      code = make_error(attached.error);
    if (!wait->result) wait->unknown_failure = attached.unknown_failure;
  } else {
    // The legacy strategy types the whole script into the exec's stdin, Finish's TERM trap first.
    code = co_await kube_->exec(namespace_, pod_name_, stage.container, stage.command,
                                term_trap_line(profile_) + stage.script, on_output);
  }
  if (!wait->result) wait->result.emplace(std::move(code));  // unless the pod watcher ended the stage first
  wait->wake.cancel();
}

asio::awaitable<void> Execution::exec_health_check(std::shared_ptr<StageWait> wait, StageScript check) {
  auto self = shared_from_this();
  // getExecutorIoWriters: the check's stdout and stderr stream to the job log.
  std::function<void(int, std::string_view)> on_output = [this, wait](int channel, std::string_view data) {
    if (!wait->detached) trace_.raw(channel, data);
  };
  Result<int> code =
      co_await kube_->exec(namespace_, pod_name_, check.container, check.command, check.script, on_output);
  if (!wait->result) wait->result.emplace(std::move(code));
  wait->wake.cancel();
}

asio::awaitable<void> Execution::watch_health_check_pod(std::shared_ptr<StageWait> wait,
                                                        std::shared_ptr<std::string> error) {
  auto self = shared_from_this();
  const int interval = poll_interval_seconds();
  // watchPodStatus: a ticker of GetPollInterval seconds, checkPodStatus on each tick.
  for (;;) {
    co_await clock_.sleep_for(std::chrono::seconds(interval));
    if (wait->detached || wait->result) co_return;
    auto pod = co_await kube_->get_pod(namespace_, pod_name_);
    if (wait->detached || wait->result) co_return;
    if (!pod && pod.error().code == 404) {
      *error = pod.error().message;
    } else if (!pod) {
      trace_.warning("Getting job pod status " + pod.error().message);
      continue;
    } else if (auto verdict = check_pod_status(*pod, pod_name_, CheckedContainers::kAll); !verdict) {
      trace_.warning("Getting job pod status " + verdict.error().message);
      continue;
    } else if (verdict->failure) {
      *error = *verdict->failure;
    }
    if (error->empty()) continue;
    wait->wake.cancel();
    co_return;
  }
}

// kubernetes.go prepareConnections: the overwrites, then each service's own (16.9+); their lines go to
// the job log as they are evaluated, errors are configuration errors.
std::optional<Failure> Execution::prepare_overwrites() {
  std::vector<std::string> lines;
  auto overwrites = create_overwrites(runner_.kubernetes, job_, profile_, &lines, runner_.environment);
  for (const auto& line : lines) trace_.println(line);
  if (!overwrites)
    return config_prepare_failure(prepare_overwrites_error(overwrites.error().message),
                                  FailureReason::kRunnerConfigurationError);
  overwrites_ = std::move(*overwrites);
  if (!explicit_service_overwrites(profile_)) return std::nullopt;
  for (const JobImage& service : job_.services) {
    Overwrites scratch = overwrites_;  // build_pod applies them again, per container name
    lines.clear();
    auto added = add_service_overwrites(runner_.kubernetes, service.name, service.variables, scratch, &lines);
    for (const auto& line : lines) trace_.println(line);
    if (!added)
      return config_prepare_failure(prepare_service_overwrites_error(added.error().message),
                                    FailureReason::kRunnerConfigurationError);
  }
  return std::nullopt;
}

// kubernetes.go setupBuildNamespace: namespace_per_job creates the job's namespace before anything in it.
asio::awaitable<std::optional<Failure>> Execution::set_up_build_namespace() {
  if (namespace_created_ || !runner_.kubernetes.namespace_per_job || !has_namespace_per_job(profile_))
    co_return std::nullopt;
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", namespace_}}}};
  namespace_created_ = true;  // cleanupResources deletes it even when the POST failed
  auto created = co_await kube_->create_namespace(std::move(ns));
  if (!created) {
    const std::string inner = "failed to create namespace: " + created.error().message;
    co_return prepare_error(use_attach_ ? "setting up build namespace: " + inner : inner);
  }
  co_return std::nullopt;
}

// kubernetes.go teardownBuildNamespace, at the end of cleanupResources.
asio::awaitable<void> Execution::tear_down_build_namespace() {
  if (!kube_ || !runner_.kubernetes.namespace_per_job || !has_namespace_per_job(profile_)) co_return;
  if (!namespace_created_) co_return;
  auto deleted = co_await kube_->delete_namespace(namespace_);
  if (!deleted) build_error("Error tearing down namespace: failed to delete namespace: " + deleted.error().message);
}

asio::awaitable<void> Execution::cleanup() {
  if (attach_) attach_->stop();
  if (service_logs_) service_logs_->stop();
  if (!kube_) co_return;
  // cleanupResources runs on a context of its own, whatever ended the build's (common/consts.go
  // KubernetesCleanupResourcesTimeout: 5 minutes); a call it outlives fails with ctx.Err().
  auto watch = std::make_shared<CleanupWatch>(
      CleanupWatch{kube_http_.get(), true, cleanup_resources_timeout(runner_.kubernetes, profile_)});
  asio::co_spawn(ex_, expire_cleanup(watch, &clock_), asio::detached);
  // Finish: a job that failed on the pod's own 404 (IsKubernetesPodNotFoundError) forgets the pod, so
  // cleanupResources sends no DELETE; any other DELETE error, a 404 included, is printed.
  const bool pod_known_gone = forget_pod_ || (attach_ && attach_->pod_gone());
  if (!pod_name_.empty() && !pod_known_gone) {
    json options = {{"propagationPolicy", "Background"}};
    if (runner_.kubernetes.cleanup_grace_period_seconds)
      options["gracePeriodSeconds"] = *runner_.kubernetes.cleanup_grace_period_seconds;
    auto deleted = co_await kube_->remove(namespace_, "pods", pod_name_, std::move(options));
    if (!deleted) build_error(messages::error_cleaning_up_pod(deleted.error().message));
  }
  // A secret the pod owns goes with the pod; anything else must be deleted here.
  if (!secret_name_.empty() && !secret_owned_) {
    json options = {{"propagationPolicy", "Background"}};
    auto deleted = co_await kube_->remove(namespace_, "secrets", secret_name_, std::move(options));
    if (!deleted && deleted.error().code != 404)
      build_error(messages::error_cleaning_up_secrets(deleted.error().message));
  }
  watch->active = false;
  kube_http_->close_idle();
}

}  // namespace

JobRunner::JobRunner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const RunnerConfig& runner,
                     ExecutorEnvironment env, std::shared_ptr<TlsContextCache> tls_contexts)
    : ex_(ex),
      clock_(clock),
      random_(random),
      dialer_(dialer),
      runner_(runner),
      env_(std::move(env)),
      tls_contexts_(std::move(tls_contexts)) {
  if (!tls_contexts_) tls_contexts_ = std::make_shared<TlsContextCache>();
}

asio::awaitable<JobOutcome> JobRunner::run(GitLabClient& gitlab, const Job& job, int concurrent_id,
                                           int concurrent_project_id) {
  auto execution = std::make_shared<Execution>(ex_, clock_, random_, dialer_, runner_, env_, tls_contexts_, gitlab, job,
                                               concurrent_id, concurrent_project_id);
  co_return co_await execution->run();
}

}  // namespace kexsim::executor

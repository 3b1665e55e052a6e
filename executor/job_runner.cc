#include "executor/job_runner.h"

#include <fstream>
#include <memory>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <nlohmann/json.hpp>

#include "base/crc32.h"
#include "executor/dialer.h"
#include "executor/http/client.h"
#include "executor/kube_client.h"
#include "executor/messages.h"
#include "executor/naming.h"
#include "executor/pod_spec.h"
#include "executor/scripts.h"
#include "executor/trace.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

/// Why a job stopped: the error text GitLab Runner prints, the failure reason and the exit code.
struct Failure {
  std::string message;
  std::string reason = "runner_system_failure";
  int exit_code = 0;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

/// One job's run: the state shared by its stages, its trace patcher and its cleanup.
class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer, const RunnerConfig& runner,
            const ExecutorEnvironment& env, GitLabClient& gitlab, const Job& job, int concurrent_id)
      : ex_(ex), clock_(clock), random_(random), dialer_(dialer), runner_(runner), env_(env), gitlab_(gitlab),
        job_(job), concurrent_id_(concurrent_id), p_(env.profile),
        trace_(clock, env.profile, job.features.trace_sections, job.masked_values(), token_prefixes(job, env.profile)) {}

  asio::awaitable<JobOutcome> run();

 private:
  static std::vector<std::string> token_prefixes(const Job& job, Profile p) {
    std::vector<std::string> out = default_token_prefixes(p);
    out.insert(out.end(), job.features.token_mask_prefixes.begin(), job.features.token_mask_prefixes.end());
    return out;
  }

  asio::awaitable<std::optional<Failure>> prepare_executor();
  asio::awaitable<std::optional<Failure>> prepare_environment();
  asio::awaitable<std::optional<Failure>> wait_for_pod();
  asio::awaitable<std::optional<Failure>> run_stage(const StageScript& stage, std::string_view section,
                                                    std::string_view header);
  asio::awaitable<void> cleanup();
  asio::awaitable<void> patch_periodically();
  asio::awaitable<void> flush_trace();

  std::string pod_path() const { return "/api/v1/namespaces/" + ns_ + "/pods/" + pod_name_; }

  asio::any_io_executor ex_;
  Clock& clock_;
  Random& random_;
  Dialer& dialer_;
  const RunnerConfig& runner_;
  const ExecutorEnvironment& env_;
  GitLabClient& gitlab_;
  const Job& job_;
  int concurrent_id_;
  Profile p_;
  JobTrace trace_;

  std::unique_ptr<HttpClient> kube_http_;
  std::unique_ptr<KubeClient> kube_;
  std::string ns_, image_, short_token_, project_dir_;
  ScriptContext scripts_;
  std::string secret_name_;
  bool secret_owned_ = false;
  std::string pod_name_;

  size_t trace_sent_ = 0;
  bool patching_ = false;
  bool finished_ = false;
};

asio::awaitable<JobOutcome> Execution::run() {
  // Two-phase commit: tell GitLab the job is running before anything else.
  if (p_ == Profile::kV19_4) {
    JobUpdate running;
    running.state = "running";
    (void)co_await gitlab_.update_job(job_.id, job_.token, running);
  }
  asio::co_spawn(ex_, [self = shared_from_this()]() { return self->patch_periodically(); }, asio::detached);

  short_token_ = short_token(runner_.token, p_);
  trace_.println(messages::header_running_with(p_));
  trace_.println(messages::header_on(p_, runner_.name, short_token_, env_.system_id));

  std::optional<Failure> failure = co_await prepare_executor();
  if (!failure) failure = co_await prepare_environment();
  if (!failure) failure = co_await run_stage(get_sources(scripts_), "get_sources", messages::getting_source());
  if (!failure) {
    failure = co_await run_stage(step_script(scripts_), "step_script", messages::executing_step_script());
    // after_script follows the script whatever its result; its own failures never fail the job.
    if (!job_.after_script.empty()) {
      scripts_.job_status = failure ? "failed" : "success";
      (void)co_await run_stage(after_script(scripts_), "after_script", messages::running_after_script());
    }
  }
  if (!pod_name_.empty() && kube_) {
    (void)co_await run_stage(cleanup_file_variables(scripts_), "cleanup_file_variables",
                             messages::cleanup_stage_title(p_));
  }
  co_await cleanup();

  JobOutcome outcome;
  outcome.job_id = job_.id;
  if (!failure) {
    trace_.info(messages::job_succeeded());
    outcome.state = "success";
  } else {
    const bool system = failure->reason == "runner_system_failure";
    trace_.error(messages::job_failed(system, failure->message));
    outcome.state = "failed";
    outcome.failure_reason = messages::negotiate_failure_reason(failure->reason, job_.features.failure_reasons);
    outcome.exit_code = failure->exit_code;
  }
  finished_ = true;
  co_await flush_trace();

  // The final update; GitLab answers 412 when its copy of the trace does not match the checksum.
  char checksum[32];
  std::snprintf(checksum, sizeof checksum, "crc32:%08x", crc32(trace_.bytes()));
  for (int attempt = 0; attempt < 5; ++attempt) {
    JobUpdate final_update;
    final_update.state = outcome.state;
    final_update.failure_reason = outcome.failure_reason;
    final_update.exit_code = outcome.exit_code;
    final_update.checksum = checksum;
    final_update.bytesize = trace_.bytes().size();
    auto res = co_await gitlab_.update_job(job_.id, job_.token, final_update);
    if (res || res.error().code != 412) break;
    trace_sent_ = 0;
    co_await flush_trace();
  }
  co_return outcome;
}

asio::awaitable<void> Execution::patch_periodically() {
  auto self = shared_from_this();
  while (!finished_) {
    co_await clock_.sleep_for(std::chrono::seconds(3));
    if (finished_) break;
    if (trace_sent_ >= trace_.bytes().size()) continue;
    patching_ = true;
    (void)co_await gitlab_.patch_trace(job_.id, job_.token, trace_.bytes(), trace_sent_);
    patching_ = false;
  }
}

asio::awaitable<void> Execution::flush_trace() {
  // Wait for a periodic PATCH in flight to finish so the offsets stay in order.
  while (patching_) co_await clock_.sleep_for(Duration(0));
  patching_ = true;
  (void)co_await gitlab_.patch_trace(job_.id, job_.token, trace_.bytes(), trace_sent_);
  patching_ = false;
}

asio::awaitable<std::optional<Failure>> Execution::prepare_executor() {
  const auto& k = runner_.kubernetes;
  trace_.section_start("prepare_executor");
  trace_.stage_header(messages::preparing_executor());

  image_ = job_.image.name.empty() ? k.image : job_.image.name;
  if (image_.empty()) {
    co_return Failure{"check defaults error: no image specified and no default set in config",
                      "runner_configuration_error"};
  }
  ns_ = k.namespace_;
  if (ns_.empty()) {
    trace_.warning(messages::namespace_empty());
    ns_ = "default";
  }

  // Where the API server is and who we are: [runners.kubernetes] host, or in-cluster discovery.
  std::string base_url, token = k.bearer_token;
  TlsSettings tls;
  tls.ca_file = k.ca_file;
  tls.cert_file = k.cert_file;
  tls.key_file = k.key_file;
  if (!k.host.empty()) {
    base_url = k.host;
    if (base_url.find("://") == std::string::npos) base_url = "https://" + base_url;
  } else {
    const auto& ic = env_.in_cluster;
    auto host = ic.env.find("KUBERNETES_SERVICE_HOST");
    auto port = ic.env.find("KUBERNETES_SERVICE_PORT");
    if (host == ic.env.end() || port == ic.env.end()) {
      co_return Failure{"getting Kubernetes config: invalid configuration: no configuration has been provided, try "
                        "setting KUBERNETES_MASTER environment variable",
                        "runner_configuration_error"};
    }
    base_url = "https://" + host->second + ":" + port->second;
    if (token.empty()) token = trim(read_file(ic.service_account_dir + "/token"));
    if (tls.ca_file.empty()) tls.ca_file = ic.service_account_dir + "/ca.crt";
  }
  kube_http_ = std::make_unique<HttpClient>(ex_, dialer_, clock_, tls);
  kube_ = std::make_unique<KubeClient>(*kube_http_, base_url, token,
                                       "gitlab-runner " + std::string(runner_version(p_)) + " (main; go1.24.6; linux/amd64)");

  trace_.println(messages::using_namespace(ns_));
  trace_.println(messages::using_image(image_));
  if (p_ == Profile::kV19_4) {
    trace_.println(messages::using_pull_policy({}, "build"));
    trace_.println(messages::using_pull_policy({}, "helper"));
  }
  trace_.section_end("prepare_executor");
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::prepare_environment() {
  trace_.section_start("prepare_script");
  trace_.stage_header(messages::preparing_environment());
  if (p_ == Profile::kV19_4) trace_.println(messages::active_deadline_notice(job_.timeout_seconds));

  auto prepare_error = [&](const std::string& inner) {
    return Failure{messages::prepare_environment_error(p_, inner), "runner_system_failure"};
  };

  const std::string unique = project_unique_name(short_token_, job_.job_info.project_id, concurrent_id_);
  const std::string builds_base = runner_.builds_dir.empty() ? "/builds" : runner_.builds_dir;
  project_dir_ = builds_dir(p_, builds_base, short_token_, concurrent_id_, job_.job_info.project_full_path);
  scripts_.job = &job_;
  scripts_.profile = p_;
  scripts_.runner_hostname = env_.hostname;
  scripts_.project_dir = project_dir_;
  scripts_.runner_variables = runner_variables({p_, builds_base, project_dir_, concurrent_id_, concurrent_id_,
                                                short_token_, runner_.environment});

  // The registry-credential secret, when the job brings registry credentials.
  if (has_registry_credentials(job_)) {
    // 13.12 let the server pick the name (generateName); newer runners add their own suffix.
    json secret = p_ == Profile::kV19_4 ? build_registry_secret(ns_, name_with_random_suffix(unique, random_), "", job_)
                                        : build_registry_secret(ns_, "", unique, job_);
    auto created = co_await kube_->post("/api/v1/namespaces/" + ns_ + "/secrets", secret);
    if (!created) co_return prepare_error(messages::setting_up_credentials(p_, created.error().message));
    secret_name_ = (*created)["metadata"].value("name", std::string());
  }

  // Host aliases need a server that knows them (>= 1.7); GitLab Runner asks /version.
  bool aliases_supported = true;
  if (auto version = co_await kube_->get("/version"); !version) {
    co_return prepare_error(messages::setting_up_build_pod(p_, version.error().message));
  } else {
    const std::string major = version->value("major", std::string("1"));
    const std::string minor = version->value("minor", std::string("0"));
    try {
      aliases_supported = std::stoi(major) > 1 || std::stoi(minor) >= 7;
    } catch (...) {
      trace_.warning(messages::host_alias_check_failed());
      aliases_supported = false;
    }
  }

  PodInputs in;
  in.runner = &runner_;
  in.job = &job_;
  in.profile = p_;
  in.namespace_ = ns_;
  if (p_ == Profile::kV19_4)
    in.name = name_with_random_suffix(unique, random_);
  else
    in.generate_name = unique;
  in.helper_image = runner_.kubernetes.helper_image.empty() ? default_helper_image(p_) : runner_.kubernetes.helper_image;
  in.registry_secret = secret_name_;
  in.host_aliases_supported = aliases_supported;
  in.concurrent_id = concurrent_id_;
  in.short_token = short_token_;
  in.project_dir = project_dir_;
  in.runner_variables = scripts_.runner_variables;
  auto pod = build_pod(in);
  if (!pod) co_return prepare_error(messages::setting_up_build_pod(p_, pod.error().message));

  auto created = co_await kube_->post("/api/v1/namespaces/" + ns_ + "/pods", *pod);
  if (!created) co_return prepare_error(messages::setting_up_build_pod(p_, created.error().message));
  pod_name_ = (*created)["metadata"].value("name", std::string());

  // Tie the secret to the pod so Kubernetes garbage-collects it with the pod.
  if (!secret_name_.empty() && p_ == Profile::kV19_4) {
    auto secret = co_await kube_->get("/api/v1/namespaces/" + ns_ + "/secrets/" + secret_name_);
    if (secret) {
      (*secret)["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "v1"},
                                                               {"kind", "Pod"},
                                                               {"name", pod_name_},
                                                               {"uid", (*created)["metadata"].value("uid", "")}}});
      auto updated = co_await kube_->put("/api/v1/namespaces/" + ns_ + "/secrets/" + secret_name_, *secret);
      secret_owned_ = static_cast<bool>(updated);
    }
  }

  if (auto f = co_await wait_for_pod()) co_return f;

  auto prepare = prepare_script(scripts_);
  if (auto f = co_await run_stage(prepare, "", "")) co_return prepare_error(f->message);
  trace_.section_end("prepare_script");
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> Execution::wait_for_pod() {
  const auto& k = runner_.kubernetes;
  const int interval = k.poll_interval > 0 ? k.poll_interval : 3;
  const int timeout = k.poll_timeout > 0 ? k.poll_timeout : 180;
  const int attempts = timeout / interval;
  std::string last_phase = "Unknown";
  for (int i = 0; i <= attempts; ++i) {
    auto pod = co_await kube_->get(pod_path());
    if (!pod) {
      co_return Failure{messages::prepare_environment_error(p_, messages::waiting_for_pod_running(pod.error().message))};
    }
    const json status = pod->value("status", json::object());
    last_phase = status.value("phase", std::string("Unknown"));
    if (last_phase == "Running") {
      bool build_ready = false;
      for (const auto& cs : status.value("containerStatuses", json::array()))
        if (cs.value("name", "") == "build") build_ready = cs.value("ready", false);
      if (build_ready) co_return std::nullopt;
    } else if (last_phase == "Succeeded" || last_phase == "Failed") {
      const std::string inner = last_phase == "Succeeded" ? "pod already succeeded before it begins running"
                                                          : "pod status is failed";
      co_return Failure{messages::prepare_environment_error(p_, messages::waiting_for_pod_running(inner))};
    }
    const std::string node = (*pod)["spec"].value("nodeName", std::string());
    trace_.waiting_line(messages::waiting_for_pod(p_, ns_, pod_name_, node.empty() ? "<unknown>" : node, last_phase));
    for (const auto& c : status.value("conditions", json::array())) {
      const std::string reason = c.value("reason", std::string());
      if (!reason.empty()) trace_.waiting_line(messages::pod_condition(reason, c.value("message", std::string())));
    }
    if (i < attempts) co_await clock_.sleep_for(std::chrono::seconds(interval));
  }
  co_return Failure{messages::prepare_environment_error(
      p_, messages::waiting_for_pod_running(messages::timed_out_waiting(p_, last_phase)))};
}

asio::awaitable<std::optional<Failure>> Execution::run_stage(const StageScript& stage, std::string_view section,
                                                             std::string_view header) {
  if (!section.empty()) {
    trace_.section_start(std::string(section));
    trace_.stage_header(std::string(header));
  }
  std::optional<Failure> failure;
  // GitLab Runner checks the pod before every exec.
  auto pod = co_await kube_->get(pod_path());
  if (!pod) {
    failure = Failure{messages::couldnt_get_pod_details(pod.error().message)};
  } else if (const std::string phase = (*pod)["status"].value("phase", std::string()); phase != "Running") {
    failure = Failure{messages::pod_not_running_for_exec(pod_name_, ns_, phase)};
  } else {
    auto exit = co_await kube_->exec(ns_, pod_name_, stage.container, stage.command, stage.script,
                                     [this](int, std::string_view data) { trace_.raw(data); });
    if (!exit) {
      failure = Failure{exit.error().message};
    } else if (*exit != 0) {
      failure = Failure{messages::command_terminated(*exit), "script_failure", *exit};
    }
  }
  trace_.flush();
  if (!section.empty()) trace_.section_end(std::string(section));
  co_return failure;
}

asio::awaitable<void> Execution::cleanup() {
  if (!kube_) co_return;
  if (!pod_name_.empty()) {
    json options = {{"propagationPolicy", "Background"}};
    if (runner_.kubernetes.cleanup_grace_period_seconds)
      options["gracePeriodSeconds"] = *runner_.kubernetes.cleanup_grace_period_seconds;
    auto deleted = co_await kube_->del(pod_path(), options);
    if (!deleted && deleted.error().code != 404) trace_.error(messages::error_cleaning_up_pod(deleted.error().message));
  }
  // A secret the pod owns goes with the pod; anything else must be deleted here.
  if (!secret_name_.empty() && !secret_owned_) {
    const json options = {{"propagationPolicy", "Background"}};
    auto deleted = co_await kube_->del("/api/v1/namespaces/" + ns_ + "/secrets/" + secret_name_, options);
    if (!deleted && deleted.error().code != 404) trace_.error(messages::error_cleaning_up_secrets(deleted.error().message));
  }
  kube_http_->close_idle();
}

}  // namespace

JobRunner::JobRunner(asio::any_io_executor ex, Clock& clock, Random& random, Dialer& dialer,
                     const RunnerConfig& runner, ExecutorEnvironment env)
    : ex_(ex), clock_(clock), random_(random), dialer_(dialer), runner_(runner), env_(std::move(env)) {}

asio::awaitable<JobOutcome> JobRunner::run(GitLabClient& gitlab, const Job& job, int concurrent_id) {
  auto execution = std::make_shared<Execution>(ex_, clock_, random_, dialer_, runner_, env_, gitlab, job, concurrent_id);
  co_return co_await execution->run();
}

}  // namespace kexsim::executor

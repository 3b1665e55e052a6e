#include "sim/render.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <yaml-cpp/yaml.h>

#include "base/files.h"
#include "base/random.h"
#include "base/strings.h"
#include "base/toml_reader.h"
#include "executor/access_review.h"
#include "executor/attach_strategy.h"
#include "executor/job.h"
#include "executor/naming.h"
#include "executor/overwrites.h"
#include "executor/pod_checks.h"
#include "executor/pod_spec.h"
#include "executor/pod_spec_extras.h"
#include "executor/predefined_variables.h"
#include "executor/release_features.h"
#include "executor/scripts.h"
#include "executor/git_settings.h"
#include "executor/service_logs.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "sim/scenario.h"
#include "sim/virtual_clock.h"

namespace kexsim::sim {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const char kJobHint[] =
    "a job file takes the keys of a scenario's [[gitlab.jobs]] entry (docs/scenarios.md): image, services, "
    "script, variables, project, credentials, ...";
// The alphabet and length of the system id the scenario runner draws first from the executor's Random.
const char kSystemIdAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

// The host of a URL without scheme, port or path (what the simulated GitLab's external URL uses).
std::string url_host(std::string url) {
  if (auto p = url.find("://"); p != std::string::npos) url = url.substr(p + 3);
  url = url.substr(0, url.find('/'));
  return url.substr(0, url.find(':'));
}

// The job payload the simulated GitLab would hand this runner for its first job, parsed as the
// executor parses it: same ids, sha, namespace ids and predefined variables as a run with this seed.
Result<executor::Job> job_payload_for(const RenderInputs& in) {
  boost::asio::io_context io;
  TimePoint start;
  parse_rfc3339("2026-01-01T09:00:00Z", start);  // the scenario runner's start of virtual time
  VirtualClock clock(io, start);
  Random root(in.seed);
  fakes::FakeGitLab gitlab(clock, root.fork("gitlab"), "https://" + url_host(in.runner.url), in.runner.token);
  gitlab.enqueue(in.job);
  fakes::HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/api/v4/jobs/request";
  request.headers["content-type"] = "application/json";
  request.body = json{{"token", in.runner.token}}.dump();
  const fakes::HttpResponse answer = gitlab.handle(request);
  if (answer.status != 201) {
    return make_error("the simulated GitLab gave no job (HTTP " + std::to_string(answer.status) + ")",
                      "check the runner's token and url in config.toml", "render");
  }
  return executor::parse_job(answer.body);
}

std::string pod_path(const std::string& ns, const std::string& name) {
  return "/api/v1/namespaces/" + ns + "/pods/" + name;
}

// The Kubernetes calls of job_runner.cc's flow (prepare_environment, wait_for_pod, run_stage,
// cleanup) on the path where every call succeeds.
void plan_calls(const RenderInputs& in, const executor::Job& job, const std::string& ns, const std::string& secret_name,
                const std::string& pod_name, const executor::AttachPaths* attach, bool waits_reachable,
                const std::vector<executor::ServiceLogTarget>& service_logs, Rendering& out) {
  const bool owned = executor::secret_owned_by_pod(in.profile);
  auto add = [&](std::string method, std::string path, std::string when) {
    out.calls.push_back({std::move(method), std::move(path), std::move(when)});
  };
  const std::string secrets = "/api/v1/namespaces/" + ns + "/secrets";
  if (executor::uses_pod_informer(in.profile)) {  // Prepare's pod watcher (executor/pod_informer.h)
    add("POST", executor::kSelfSubjectAccessReviewsPath, "may the runner list pods? (denied: the informer warning)");
    add("POST", executor::kSelfSubjectAccessReviewsPath, "may it watch pods?");
    const std::string pods = "/api/v1/namespaces/" + ns + "/pods?";
    if (!executor::informer_uses_watch_list(in.profile))
      add("GET", pods + "labelSelector=", "the pod informer's LIST, when both reviews allow it");
    add("GET", pods + "allowWatchBookmarks=true&labelSelector=",
        "the pod informer's WATCH (re-made when it times out), when both reviews allow it");
  }
  const bool per_job = in.runner.kubernetes.namespace_per_job && executor::has_namespace_per_job(in.profile);
  if (per_job) add("POST", "/api/v1/namespaces", "namespace_per_job: the job's namespace " + ns);
  if (!secret_name.empty()) add("POST", secrets, "the job has registry credentials: the dockercfg secret");
  add("GET", "/version", ">= 1.7 keeps hostAliases");
  // checkDependantResources (resource_availability_check_max_attempts > 0, 15.0+).
  const int checks = in.runner.kubernetes.extras.resource_availability_check_max_attempts;
  if (checks > 0 && executor::has_resource_availability_check(in.profile)) {
    const std::string when = "until it exists, at most " + std::to_string(checks + 1) + " times, 5 s apart";
    if (!in.runner.kubernetes.service_account.empty())
      add("GET", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + in.runner.kubernetes.service_account, when);
    for (const auto& name : in.runner.kubernetes.image_pull_secrets) add("GET", secrets + "/" + name, when);
  }
  add("POST", "/api/v1/namespaces/" + ns + "/pods", "the build pod");
  if (!secret_name.empty() && owned) {
    // setOwnerReferencesForResources: a PUT of the secret as created, with no GET first.
    add("PUT", secrets + "/" + secret_name, "ownerReferences: the pod, so the secret goes with it");
  }
  const auto& k = in.runner.kubernetes;
  const int interval = k.poll_interval > 0 ? k.poll_interval : 3;
  const int timeout = k.poll_timeout > 0 ? k.poll_timeout : 180;
  add("GET", pod_path(ns, pod_name),
      "polled every " + std::to_string(interval) + " s until Running with container build ready, at most " +
          std::to_string(timeout / interval + 1) + " times (poll_timeout " + std::to_string(timeout) + " s)");
  if (executor::wait_lists_warning_events(in.profile) && k.print_pod_warning_events.value_or(true))
    add("GET",
        "/api/v1/namespaces/" + ns + "/events?fieldSelector=involvedObject.name%3D" + pod_name + "%2Ctype%3DWarning",
        "after each poll that finds the pod not running: its Warning events (print_pod_warning_events)");
  if (waits_reachable)
    add("GET", pod_path(ns, pod_name) + "/log?container=helper&tailLines=10",
        "FF_WAIT_FOR_POD_TO_BE_REACHABLE: once Running, until the kubelet answers, every " + std::to_string(interval) +
            " s, at most " + std::to_string(timeout / interval + 1) + " times");
  struct Stage {
    const char* name;
    const char* container;
  };
  std::vector<Stage> stages = {{"prepare_script", "helper"}, {"get_sources", "helper"}};
  std::vector<std::string> step_stages;  // executor/scripts.h user_steps: step_script, step_release, ...
  for (const executor::JobStep& step : executor::user_steps(job))
    step_stages.push_back(executor::step_stage_name(step));
  for (const std::string& name : step_stages) stages.push_back({name.c_str(), "build"});
  if (!job.after_script.empty()) stages.push_back({"after_script", "build"});
  stages.push_back({"cleanup_file_variables", "helper"});
  if (attach) {
    add("GET", pod_path(ns, pod_name), "is the pod Running? before the trapping script");
    add("POST", pod_path(ns, pod_name) + "/exec?container=build",
        "attach strategy: SPDY/3.1 exec saving " + attach->script("detect_shell_script"));
    // CI_DEBUG_SERVICES (captureServiceContainersLogs), while the log processor's exec starts.
    for (const executor::ServiceLogTarget& t : service_logs) {
      if (executor::service_log_waits_for_running(in.profile))
        add("GET", "/api/v1/namespaces/" + ns + "/pods?" + executor::running_pod_watch_query(pod_name, timeout),
            "CI_DEBUG_SERVICES: a watch until container " + t.container + " runs");
      add("GET", pod_path(ns, pod_name) + "/log?" + executor::followed_log_query(t.container),
          "CI_DEBUG_SERVICES: followed in the background, each line as [service:" + t.name + "]");
    }
  }
  bool first = true;
  for (const Stage& s : stages) {
    add("GET", pod_path(ns, pod_name), std::string("is the pod Running? before ") + s.name);
    if (attach && first) {  // the log processor's exec goes out while the first stage starts
      add("POST", pod_path(ns, pod_name) + "/exec?container=helper",
          "attach strategy: gitlab-runner-helper read-logs --path " + attach->log_file() +
              " (long-lived, reopened from the last offset)");
    }
    first = false;
    if (attach) {
      add("POST", pod_path(ns, pod_name) + "/exec?container=" + s.container,
          std::string(s.name) + ": SPDY/3.1 exec saving " + attach->script(s.name));
      add("GET", pod_path(ns, pod_name), std::string("is the pod Running? before attaching for ") + s.name);
      add("POST", pod_path(ns, pod_name) + "/attach?container=" + s.container + "&stdin=true",
          std::string(s.name) + ": the stage's command line typed into the container's shell");
      continue;
    }
    std::string argv;
    for (const auto& a : executor::stage_command(s.container, in.profile))
      argv += (argv.empty() ? "" : " ") + (a.find('\n') != std::string::npos ? "<shell detection script>" : a);
    add("POST", pod_path(ns, pod_name) + "/exec?container=" + s.container,
        std::string(s.name) + ": SPDY/3.1 exec of `" + argv + "`, the stage script on stdin");
  }
  std::string options = "propagationPolicy Background";
  if (k.cleanup_grace_period_seconds)
    options += ", gracePeriodSeconds " + std::to_string(*k.cleanup_grace_period_seconds);
  add("DELETE", pod_path(ns, pod_name), options);
  if (!secret_name.empty() && !owned) add("DELETE", secrets + "/" + secret_name, "propagationPolicy Background");
  if (per_job) add("DELETE", "/api/v1/namespaces/" + ns, "namespace_per_job: the job's namespace and all in it");
}

// --- job files ---

// A TOML node as JSON, tables in file order (variables keep their order).
ordered_json toml_to_json(const toml::node& n) {
  if (const toml::table* t = n.as_table()) {
    ordered_json out = ordered_json::object();
    for (const auto& [key, value] : in_file_order(*t)) out[std::string(key->str())] = toml_to_json(*value);
    return out;
  }
  if (const toml::array* a = n.as_array()) {
    ordered_json out = ordered_json::array();
    for (const toml::node& e : *a) out.push_back(toml_to_json(e));
    return out;
  }
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  if (n.is_boolean()) return *n.value<bool>();
  if (n.is_integer()) return *n.value<int64_t>();
  if (n.is_floating_point()) return *n.value<double>();
  std::ostringstream ss;  // dates and times: as text, so a type error can name them
  if (auto d = n.as_date()) ss << d->get();
  if (auto t = n.as_time()) ss << t->get();
  if (auto dt = n.as_date_time()) ss << dt->get();
  return ss.str();
}

// Reads typed fields of one JSON object and rejects keys nobody asked for.
class JsonFields {
 public:
  JsonFields(const ordered_json& object, std::string where, std::string file)
      : object_(object), where_(std::move(where)), file_(std::move(file)) {}

  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }

  void get(const char* key, std::string& out) { read(key, out, "a string", &ordered_json::is_string); }
  void get(const char* key, bool& out) { read(key, out, "a boolean", &ordered_json::is_boolean); }
  template <class Int>
  void get_int(const char* key, Int& out) {
    int64_t v = out;
    read(key, v, "an integer", &ordered_json::is_number_integer);
    out = static_cast<Int>(v);
  }
  void get(const char* key, std::vector<std::string>& out) {
    const ordered_json* v = find(key);
    if (!v) return;
    if (v->is_string()) {
      out = {v->get<std::string>()};
      return;
    }
    if (!v->is_array() || !std::all_of(v->begin(), v->end(), [](const ordered_json& e) { return e.is_string(); })) {
      fail(path(key) + ": expected an array of strings");
      return;
    }
    out = v->get<std::vector<std::string>>();
  }
  const ordered_json* find(const char* key) {
    read_.push_back(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string path(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }
  void fail(std::string message) {
    if (!error_) error_ = Error{std::move(message), kJobHint, file_};
  }
  void reject_unread() {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (std::find(read_.begin(), read_.end(), it.key()) != read_.end()) continue;
      fail(unknown_key_message(path(it.key()), it.key(), read_));
      return;
    }
  }

 private:
  template <class T>
  void read(const char* key, T& out, const char* expected, bool (ordered_json::*is)() const noexcept) {
    const ordered_json* v = find(key);
    if (!v) return;
    if (!((*v).*is)()) {
      fail(path(key) + ": expected " + expected + ", got " + v->type_name());
      return;
    }
    out = v->get<T>();
  }

  const ordered_json& object_;
  std::string where_, file_;
  std::vector<std::string> read_;
  std::optional<Error> error_;
};

Result<fakes::JobDefinition> job_from_json(const ordered_json& doc, const std::string& file) {
  if (!doc.is_object()) return make_error("a job file holds one object (table) of job keys", kJobHint, file);
  fakes::JobDefinition job;
  JsonFields f(doc, "", file);
  f.get("name", job.name);
  f.get("stage", job.stage);
  f.get("project", job.project);
  f.get_int("project_id", job.project_id);
  f.get("ref", job.ref);
  f.get("sha", job.sha);
  f.get_int("depth", job.depth);
  f.get_int("timeout", job.timeout_seconds);
  f.get("image", job.image);
  f.get("script", job.script);
  f.get("after_script", job.after_script);
  f.get("release_script", job.release_script);
  if (const ordered_json* hooks = f.find("hooks")) {
    JsonFields hf(*hooks, "hooks", file);
    if (!hooks->is_object()) {
      hf.fail("hooks: expected { pre_get_sources_script = [...], post_get_sources_script = [...] }");
    } else {
      hf.get("pre_get_sources_script", job.pre_get_sources_hook);
      hf.get("post_get_sources_script", job.post_get_sources_hook);
      hf.reject_unread();
    }
    if (hf.failed()) return hf.error();
  }
  if (const ordered_json* services = f.find("services")) {
    if (!services->is_array()) f.fail("services: expected an array");
    for (size_t i = 0; services->is_array() && i < services->size(); ++i) {
      const ordered_json& e = (*services)[i];
      fakes::JobService s;
      if (e.is_string()) {
        s.name = e.get<std::string>();
      } else {
        JsonFields sf(e, "services[" + std::to_string(i) + "]", file);
        if (!e.is_object())
          sf.fail(sf.path("") + ": expected an image name or {name, alias}");
        else {
          sf.get("name", s.name);
          sf.get("alias", s.alias);
          sf.get("command", s.command);
          sf.get("entrypoint", s.entrypoint);
          sf.reject_unread();
        }
        if (sf.failed()) return sf.error();
      }
      job.services.push_back(std::move(s));
    }
  }
  if (const ordered_json* vars = f.find("variables")) {
    if (!vars->is_object()) f.fail("variables: expected a table of NAME = \"value\" or { value = ..., masked = ... }");
    for (auto it = vars->begin(); vars->is_object() && it != vars->end(); ++it) {
      fakes::JobVariable v;
      v.key = it.key();
      if (it->is_string()) {
        v.value = it->get<std::string>();
      } else {
        JsonFields vf(*it, "variables." + v.key, file);
        if (!it->is_object())
          vf.fail(vf.path("") + ": expected a string or { value = \"...\", masked = true }");
        else {
          vf.get("value", v.value);
          vf.get("masked", v.masked);
          vf.get("public", v.is_public);
          vf.get("file", v.file);
          vf.reject_unread();
        }
        if (vf.failed()) return vf.error();
      }
      job.variables.push_back(std::move(v));
    }
  }
  if (const ordered_json* creds = f.find("credentials")) {
    if (!creds->is_array()) f.fail("credentials: expected an array of {type, url, username, password}");
    for (size_t i = 0; creds->is_array() && i < creds->size(); ++i) {
      JsonFields cf((*creds)[i], "credentials[" + std::to_string(i) + "]", file);
      fakes::JobCredential c;
      if (!(*creds)[i].is_object())
        cf.fail(cf.path("") + ": expected {type, url, username, password}");
      else {
        cf.get("type", c.type);
        cf.get("url", c.url);
        cf.get("username", c.username);
        cf.get("password", c.password);
        cf.reject_unread();
      }
      if (cf.failed()) return cf.error();
      job.credentials.push_back(std::move(c));
    }
  }
  f.reject_unread();
  if (f.failed()) return f.error();
  if (job.script.empty()) job.script = {"echo Hello"};
  return job;
}

// --- YAML ---

// Whether a YAML 1.1 reader (sigs.k8s.io/yaml, as kubectl uses) would resolve this plain scalar to
// something other than a string: null, booleans, numbers, dates and sexagesimals.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word :
       {"~", "null", "true", "false", "yes", "no", "y", "n", "on", "off", ".inf", "-.inf", "+.inf", ".nan"}) {
    if (lower == word) return true;
  }
  const char first = s[0];
  if (!(std::isdigit(static_cast<unsigned char>(first)) || first == '+' || first == '-' || first == '.')) return false;
  const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (std::none_of(s.begin(), s.end(), digit)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || std::strchr("+-._:xXoObBtTzZ ", c) != nullptr;
  });
}

void emit(YAML::Emitter& e, const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      if (v.empty()) {
        e << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      e << YAML::BeginMap;
      for (auto it = v.begin(); it != v.end(); ++it) {
        e << YAML::Key;
        if (needs_quotes(it.key())) e << YAML::DoubleQuoted;
        e << it.key() << YAML::Value;
        emit(e, *it);
      }
      e << YAML::EndMap;
      return;
    case json::value_t::array:
      if (v.empty()) {
        e << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      e << YAML::BeginSeq;
      for (const auto& item : v) emit(e, item);
      e << YAML::EndSeq;
      return;
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      const bool control = std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
      if (control || needs_quotes(s)) e << YAML::DoubleQuoted;
      e << s;
      return;
    }
    case json::value_t::boolean: e << v.get<bool>(); return;
    case json::value_t::number_integer: e << v.get<int64_t>(); return;
    case json::value_t::number_unsigned: e << v.get<uint64_t>(); return;
    case json::value_t::number_float: e << v.get<double>(); return;
    default: e << YAML::Null; return;
  }
}

}  // namespace

std::string json_to_yaml(const nlohmann::json& value) {
  YAML::Emitter e;
  e.SetIndent(2);
  emit(e, value);
  std::string out = e.c_str();
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

fakes::JobDefinition default_render_job() {
  fakes::JobDefinition job;
  job.image = "alpine:3.20";
  job.script = {"echo Hello"};
  return job;
}

Result<fakes::JobDefinition> parse_job_file(const std::string& text, const std::string& path) {
  const std::string_view body = trim_view(text);
  if (ends_with(path, ".json") || (!body.empty() && body.front() == '{')) {
    ordered_json doc = ordered_json::parse(text, nullptr, false);
    if (doc.is_discarded()) return make_error("the job file is not valid JSON", kJobHint, path);
    return job_from_json(doc, path);
  }
  auto table = parse_toml(text, path, 0, kJobHint);
  if (!table) return table.error();
  return job_from_json(toml_to_json(*table), path);
}

Result<Rendering> render(const RenderInputs& in) {
  using namespace executor;
  Rendering out;
  auto job = job_payload_for(in);
  if (!job) return job.error();
  const Profile p = in.profile;
  const KubernetesConfig& k = in.runner.kubernetes;

  // What job_runner.cc's prepare_executor and prepare_environment decide, in the same order, so
  // the random suffixes are drawn as in a run (the scenario runner draws the system id first).
  Random random = Random(in.seed).fork("executor");
  (void)random.chars(12, kSystemIdAlphabet);
  // The job's overwrites first, as prepare_executor evaluates them (errors in its words).
  auto overwrites = create_overwrites(k, *job, p, nullptr, in.runner.environment);
  if (!overwrites) {
    Error e = overwrites.error();
    e.message = prepare_overwrites_error(e.message);
    return e;
  }
  // No image at all: build_pod reports it in the executor's words.
  std::string ns = overwrites->namespace_;
  if (k.namespace_per_job && has_namespace_per_job(p)) ns = "ci-job-" + std::to_string(job->id);
  if (ns.empty()) {
    ns = "default";
    out.assumptions.push_back("[runners.kubernetes] namespace is empty: the executor uses \"default\" (and warns)");
  }
  const std::string token = short_token(in.runner.token, p);
  const int concurrent_id = 0;
  const std::string unique = project_unique_name(token, job->job_info.project_id, concurrent_id);
  const std::string builds_base = in.runner.builds_dir.empty() ? std::string(kDefaultBuildsDir) : in.runner.builds_dir;
  const std::string project_dir = builds_dir(p, builds_base, token, concurrent_id, job->job_info.project_full_path);
  // The strategy as job_runner.cc picks it: the profile and FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY.
  const auto flag_lookup = [&job](std::string_view name) -> const std::string* {
    for (auto it = job->variables.rbegin(); it != job->variables.rend(); ++it)
      if (it->key == name) return &it->value;
    return nullptr;
  };
  const FeatureFlagValues flags = resolve_feature_flags(p, in.runner.feature_flags, flag_lookup);
  const BuildVariablesInput variables_in{p,
                                         &*job,
                                         feature_flag_variables(p, flags),
                                         builds_base,
                                         project_dir,
                                         concurrent_id,
                                         concurrent_id,
                                         token,
                                         in.runner.environment,
                                         runner_ca_chain(in.runner)};
  const auto variables = build_variables(variables_in);

  const bool v19 = explicit_resource_names(p);  // else generateName
  std::string secret_name;
  const DockerAuth auth = resolve_docker_auth(p, docker_auth_config(variables, p), job->credentials);
  for (const auto& w : auth.warnings) out.assumptions.push_back("the job log warns: WARNING: " + w);
  if (!auth.registries.empty()) {
    json secret = v19 ? build_registry_secret(ns, name_with_random_suffix(unique, random), "", auth.registries)
                      : build_registry_secret(ns, "", unique, auth.registries);
    secret_name = v19 ? secret["metadata"]["name"].get<std::string>() : unique + "XXXXX";
    out.objects.push_back(std::move(secret));
  }

  PodInputs pod_in;
  pod_in.runner = &in.runner;
  pod_in.job = &*job;
  pod_in.profile = p;
  pod_in.namespace_ = ns;
  if (v19)
    pod_in.name = name_with_random_suffix(unique, random);
  else
    pod_in.generate_name = unique;
  auto images = resolve_images(in.runner, *job, p, image_expansion_variables(variables_in));
  if (!images) return images.error();
  pod_in.images = *images;
  pod_in.registry_secret = secret_name;
  pod_in.host_aliases_supported = true;
  pod_in.concurrent_id = concurrent_id;
  pod_in.short_token = token;
  pod_in.project_dir = project_dir;
  pod_in.variables = variables;
  // The first effective pull policy of each container, as the pull manager starts (kubernetes.go preparePullManager).
  for (const char* container : {"build", "helper", "*"}) {
    auto policies = executor::effective_pull_policies(
        p, in.runner.kubernetes, std::string(container) == "*" ? std::vector<std::string>{} : job->image.pull_policy,
        container);
    if (!policies) {
      if (std::string(container) == "*") continue;
      return policies.error();
    }
    if (!policies->empty()) pod_in.pull_policies[container] = policies->front();
  }
  const bool attach = uses_attach_strategy(p, flags);
  const bool bases = attach_base_dirs(p);  // scripts_base_dir / logs_base_dir, 17.2+
  const AttachPaths attach_dirs = attach_paths(
      job->job_info.project_id, job->id, bases ? k.extras.scripts_base_dir : "", bases ? k.extras.logs_base_dir : "");
  if (attach) {
    pod_in.scripts_dir = attach_dirs.scripts_dir;
    pod_in.logs_dir = attach_dirs.logs_dir;
  }
  if (auto dns = dns_policy_warning(k)) out.assumptions.push_back("the job log warns: WARNING: " + *dns);
  auto pod = build_pod(pod_in);
  if (!pod) return pod.error();
  out.objects.push_back(*pod);

  const std::string pod_name = v19 ? pod_in.name : unique + "XXXXX";
  std::vector<executor::ServiceLogTarget> service_logs;
  if (attach && executor::read_git_settings(*job, p, in.runner.debug_trace_disabled).debug_services)
    service_logs = executor::service_log_targets(executor::service_containers(pod_in), pod_in.images.build,
                                                 pod_in.images.helper, p);
  plan_calls(in, *job, ns, secret_name, pod_name, attach ? &attach_dirs : nullptr,
             waits_for_pod_reachable(p, flags.on("FF_WAIT_FOR_POD_TO_BE_REACHABLE")), service_logs, out);
  if (v19) {
    out.assumptions.push_back("names end in the random suffix a run with seed " + std::to_string(in.seed) +
                              " draws; another --seed gives other names");
  } else {
    out.assumptions.push_back(
        "13.12 lets the API server name the pod and secret (generateName); XXXXX stands "
        "for the 5 characters it appends");
  }
  if (!secret_name.empty() && secret_owned_by_pod(p)) {
    out.assumptions.push_back(
        "the secret is deleted with the pod (ownerReferences); were the PUT refused, the "
        "executor would DELETE it after the pod");
  }
  out.assumptions.push_back("GET /version answers >= 1.7; an older or unreadable version drops hostAliases");
  out.assumptions.push_back(
      "every call succeeds; a failing call ends the run early (after a failed "
      "step_script, after_script and cleanup still run)");
  out.assumptions.push_back(
      "only Kubernetes calls are listed; the GitLab runner-API calls (job request, trace "
      "PATCHes, job updates) depend on timing");
  return out;
}

Result<RenderInputs> load_render_inputs(const RenderRequest& request, std::vector<std::string>* warnings) {
  auto text = read_file(request.config_path);
  if (!text) return text.error();
  RenderInputs in;
  std::optional<executor::Config> config;
  std::optional<fakes::JobDefinition> scenario_job;
  std::string profile = "19.4";
  // A scenario file has [runner] with config = '''...'''; anything else is read as config.toml.
  auto doc = parse_toml(*text, request.config_path, 0, "");
  const bool scenario = doc && (*doc)["runner"]["config"].is_string();
  if (scenario) {
    auto s = parse_scenario(*text, request.config_path);
    if (!s) return s.error();
    auto parsed = executor::parse_config(s->runner_config, s->path, s->runner_config_line - 1);
    if (!parsed) return parsed.error();
    config = std::move(*parsed);
    scenario_job = s->jobs.front();
    profile = s->profile;
    in.seed = s->seed;
  } else {
    auto parsed = executor::parse_config(*text, request.config_path);
    if (!parsed) return parsed.error();
    config = std::move(*parsed);
  }
  if (config->runners.empty()) {
    return make_error("the runner config has no [[runners]] entry",
                      "add one [[runners]] block with executor = \"kubernetes\"", request.config_path);
  }
  if (warnings)
    for (const auto& w : config->warnings) warnings->push_back(w.where + ": " + w.message);
  in.runner = config->runners.front();
  if (request.profile) profile = *request.profile;
  auto p = executor::parse_profile(profile);
  if (!p) return p.error();
  in.profile = *p;
  if (request.seed) in.seed = *request.seed;
  if (!request.job_path.empty()) {
    auto job_text = read_file(request.job_path);
    if (!job_text) return job_text.error();
    auto job = parse_job_file(*job_text, request.job_path);
    if (!job) return job.error();
    in.job = std::move(*job);
  } else {
    in.job = scenario_job ? *scenario_job : default_render_job();
  }
  return in;
}

std::string rendering_yaml(const Rendering& r) {
  std::string out;
  for (const auto& object : r.objects) out += "---\n" + json_to_yaml(object);
  out += "# Kubernetes API calls the run would make, in order:\n";
  for (const auto& c : r.calls) {
    out += "#   " + c.method + " " + c.path;
    if (!c.when.empty()) out += "    (" + c.when + ")";
    out += "\n";
  }
  out += "# Assumed:\n";
  for (const auto& a : r.assumptions) out += "#   " + a + "\n";
  return out;
}

std::string rendering_json(const Rendering& r) {
  json calls = json::array();
  for (const auto& c : r.calls) calls.push_back({{"method", c.method}, {"path", c.path}, {"when", c.when}});
  const json doc = {{"objects", r.objects}, {"apiCalls", calls}, {"assumptions", r.assumptions}};
  return doc.dump(2) + "\n";
}

}  // namespace kexsim::sim

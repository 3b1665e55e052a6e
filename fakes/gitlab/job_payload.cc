#include "fakes/gitlab/job_payload.h"

#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const char* const kZeroSha = "0000000000000000000000000000000000000000";

// The parts of a project's full path that the CI_PROJECT_* variables name.
struct ProjectPath {
  std::string name;            // last segment
  std::string namespace_path;  // all but the last segment
  std::string root_namespace;  // first segment
};

ProjectPath split_project(const std::string& full_path) {
  ProjectPath p;
  const auto last = full_path.rfind('/');
  p.name = last == std::string::npos ? full_path : full_path.substr(last + 1);
  p.namespace_path = last == std::string::npos ? std::string() : full_path.substr(0, last);
  p.root_namespace = full_path.substr(0, full_path.find('/'));
  if (last == std::string::npos) p.root_namespace.clear();
  return p;
}

// GitLab's slug: lower case, anything but [a-z0-9] becomes '-', at most 63 characters, no
// leading or trailing '-' (it ends up in host names and Kubernetes labels).
std::string slugify(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    const auto lower = static_cast<char>(std::tolower(c));
    out += ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) ? lower : '-';
    if (out.size() == 63) break;
  }
  const auto first = out.find_first_not_of('-');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of('-') - first + 1);
}

json variable_json(const JobVariable& v) {
  return json{{"key", v.key},       {"value", v.value}, {"public", v.is_public},
              {"masked", v.masked}, {"file", v.file},   {"raw", v.raw}};
}

json image_json(const std::string& name, const std::string& alias, const std::vector<std::string>& command,
                const std::vector<std::string>& entrypoint) {
  json out{{"name", name}};
  if (!alias.empty()) out["alias"] = alias;
  if (!command.empty()) out["command"] = command;
  if (!entrypoint.empty()) out["entrypoint"] = entrypoint;
  return out;
}

// The image's executor_opts (Ci::Build image options: `kubernetes: user:` as .gitlab-ci.yml typed it).
void add_kubernetes_user(json& image, const std::string& user, bool is_int) {
  if (user.empty() || image.is_null()) return;
  json value = user;
  if (is_int) value = std::stoll(user);
  image["executor_opts"] = {{"kubernetes", {{"user", value}}}};
}

std::string repo_url(const ServerUrl& server, const JobDefinition& job, const std::string& token) {
  const std::string rest = server.base.substr(server.protocol.size() + 3 + server.authority.size());
  return server.protocol + "://gitlab-ci-token:" + token + "@" + server.authority + rest + "/" + job.project + ".git";
}

// GitLab's Ci::BuildRunnerPresenter#artifacts: one entry per artifacts: block; null when none.
json artifacts_json(const std::vector<JobArtifact>& artifacts) {
  if (artifacts.empty()) return nullptr;
  json out = json::array();
  for (const auto& a : artifacts) {
    json entry{{"name", a.name.empty() ? "artifacts" : a.name},
               {"untracked", a.untracked},
               {"paths", a.paths},
               {"when", a.when},
               {"artifact_type", a.artifact_type},
               {"artifact_format", a.artifact_format}};
    if (!a.exclude.empty()) entry["exclude"] = a.exclude;
    if (!a.expire_in.empty()) entry["expire_in"] = a.expire_in;
    out.push_back(std::move(entry));
  }
  return out;
}

// Ci::Build#cache: with separated caches (a project setting, on by default) the key says whether the
// ref is protected, so a protected branch never restores what an unprotected one saved.
json cache_json(const std::vector<JobCache>& caches, bool protected_ref) {
  json out = json::array();
  for (const auto& c : caches)
    out.push_back({{"key", c.key + (protected_ref ? "-protected" : "-non_protected")},
                   {"untracked", c.untracked},
                   {"policy", c.policy},
                   {"paths", c.paths},
                   {"when", c.when},
                   {"fallback_keys", c.fallback_keys}});
  return out;
}

// Each dependency carries its own job token: artifacts-downloader authenticates as that job.
json dependencies_json(const std::vector<JobDependency>& deps) {
  json out = json::array();
  for (const auto& d : deps) {
    json entry{{"id", d.id}, {"name", d.name}, {"token", d.token}};
    if (!d.filename.empty()) entry["artifacts_file"] = {{"filename", d.filename}, {"size", d.size}};
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

ServerUrl parse_server_url(const std::string& external_url) {
  ServerUrl url;
  std::string rest = external_url;
  const auto scheme_end = rest.find("://");
  url.protocol = scheme_end == std::string::npos ? "https" : rest.substr(0, scheme_end);
  if (scheme_end != std::string::npos) rest = rest.substr(scheme_end + 3);
  const auto slash = rest.find('/');
  url.authority = rest.substr(0, slash);
  std::string root = slash == std::string::npos ? std::string() : rest.substr(slash);
  while (!root.empty() && root.back() == '/') root.pop_back();

  const int default_port = url.protocol == "http" ? 80 : 443;
  url.port = default_port;
  url.host = url.authority;
  const auto colon = url.authority.rfind(':');
  if (colon != std::string::npos && url.authority.find(']', colon) == std::string::npos) {
    url.host = url.authority.substr(0, colon);
    const std::string port = url.authority.substr(colon + 1);
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos) url.port = std::stoi(port);
    if (url.port == default_port) url.authority = url.host;  // "host:443" is spelled "host" by GitLab
  }
  url.base = url.protocol + "://" + url.authority + root;
  return url;
}

const std::vector<std::string>& default_failure_reasons() {
  // Ci::Build's failure_reason enum keys, in enum order: what a current GitLab advertises.
  // It has no image_pull_failure, so the runner sends runner_system_failure for that case.
  static const std::vector<std::string> reasons = {
      "unknown_failure",
      "script_failure",
      "api_failure",
      "stuck_or_timeout_failure",
      "runner_system_failure",
      "missing_dependency_failure",
      "runner_unsupported",
      "stale_schedule",
      "job_execution_timeout",
      "archived_failure",
      "unmet_prerequisites",
      "scheduler_failure",
      "data_integrity_failure",
      "forward_deployment_failure",
      "user_blocked",
      "project_deleted",
      "ci_quota_exceeded",
      "pipeline_loop_detected",
      "no_matching_runner",
      "trace_size_exceeded",
      "builds_disabled",
      "environment_creation_failure",
      "deployment_rejected",
      "failed_outdated_deployment_job",
      "job_execution_server_timeout",
      "stuck_pending_with_matching_runners",
      "stuck_pending_no_matching_runners",
      "no_updates_running",
      "no_updates_canceling",
      "server_timeout_running",
      "server_timeout_canceling",
      "runner_configuration_error",
      "runner_external_dependency_failure",
      "runner_interrupted",
  };
  return reasons;
}

std::vector<std::string> effective_failure_reasons(const JobDefinition& job) {
  return job.failure_reasons.empty() ? default_failure_reasons() : job.failure_reasons;
}

std::string ruby_array_string(const std::vector<std::string>& items) {
  // String#inspect for the printable ASCII tags are made of: a quote or backslash gets a backslash.
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

std::vector<JobVariable> predefined_variables(const JobDefinition& job, const JobContext& ctx) {
  const ServerUrl server = parse_server_url(ctx.external_url);
  const ProjectPath project = split_project(job.project);
  const std::string project_url = server.base + "/" + job.project;
  const std::string job_id = std::to_string(job.id);
  const std::string pipeline_id = std::to_string(ctx.pipeline_id);

  std::string registry;
  for (const auto& c : job.credentials)
    if (c.type == "registry" && registry.empty()) registry = c.url;

  std::vector<JobVariable> vars;
  auto add = [&](std::string key, std::string value, bool is_public = true, bool masked = false) {
    vars.push_back(JobVariable{std::move(key), std::move(value), is_public, masked, false});
  };
  add("CI", "true");
  add("GITLAB_CI", "true");
  add("CI_SERVER_URL", server.base);
  add("CI_SERVER_HOST", server.host);
  add("CI_SERVER_PORT", std::to_string(server.port));
  add("CI_SERVER_PROTOCOL", server.protocol);
  add("CI_SERVER_FQDN", server.authority);
  add("CI_SERVER_NAME", "GitLab");
  add("CI_API_V4_URL", server.base + "/api/v4");
  add("CI_PROJECT_ID", std::to_string(job.project_id));
  add("CI_PROJECT_NAME", project.name);
  add("CI_PROJECT_PATH", job.project);
  add("CI_PROJECT_PATH_SLUG", slugify(job.project));
  add("CI_PROJECT_NAMESPACE", project.namespace_path);
  add("CI_PROJECT_NAMESPACE_ID", std::to_string(ctx.namespace_id));
  add("CI_PROJECT_ROOT_NAMESPACE", project.root_namespace);
  add("CI_PROJECT_URL", project_url);
  add("CI_REPOSITORY_URL", repo_url(server, job, ctx.token), false);
  add("CI_PIPELINE_ID", pipeline_id);
  add("CI_PIPELINE_SOURCE", "push");
  add("CI_PIPELINE_URL", project_url + "/-/pipelines/" + pipeline_id);
  add("CI_JOB_ID", job_id);
  add("CI_JOB_URL", project_url + "/-/jobs/" + job_id);
  add("CI_JOB_NAME", job.name);
  add("CI_JOB_STAGE", job.stage);
  add("CI_JOB_TOKEN", ctx.token, false, true);
  add("CI_NODE_TOTAL", "1");
  add("CI_COMMIT_SHA", job.sha);
  add("CI_COMMIT_SHORT_SHA", job.sha.substr(0, 8));
  add("CI_COMMIT_BEFORE_SHA", kZeroSha);
  add("CI_COMMIT_REF_NAME", job.ref);
  add("CI_COMMIT_REF_SLUG", slugify(job.ref));
  add("CI_COMMIT_BRANCH", job.ref);
  if (!registry.empty()) add("CI_REGISTRY", registry);
  add("CI_REGISTRY_USER", "gitlab-ci-token");
  add("CI_REGISTRY_PASSWORD", ctx.token, false, true);
  add("GITLAB_USER_ID", "1");
  add("GITLAB_USER_LOGIN", "root");
  add("GITLAB_USER_NAME", "Administrator");
  add("GITLAB_USER_EMAIL", "admin@example.com");
  // The runner's own, after the project's and pipeline's (Gitlab::Ci::Variables::Builder): GitLab's
  // Ci::Runner#predefined_variables. CI_RUNNER_TAGS has been `tag_list.to_a.to_s` since GitLab 15.7
  // (gitlab-org/gitlab#384949: `["docker", "linux"]`, no longer "docker, linux").
  add("CI_RUNNER_ID", std::to_string(ctx.runner.id));
  add("CI_RUNNER_DESCRIPTION", ctx.runner.description);
  add("CI_RUNNER_TAGS", ruby_array_string(ctx.runner.tags));

  std::set<std::string> own;
  for (const auto& v : job.variables) own.insert(v.key);
  std::erase_if(vars, [&](const JobVariable& v) { return own.count(v.key) > 0; });
  return vars;
}

std::string job_payload(const JobDefinition& job, const JobContext& ctx) {
  const ServerUrl server = parse_server_url(ctx.external_url);
  const ProjectPath project = split_project(job.project);
  const std::string pipeline_ref = "refs/pipelines/" + std::to_string(ctx.pipeline_id);

  json variables = json::array();
  for (const auto& v : predefined_variables(job, ctx)) variables.push_back(variable_json(v));
  for (const auto& v : job.variables) variables.push_back(variable_json(v));

  // Ci::BuildRunnerPresenter steps: from_commands, from_release, from_after_script.
  json steps = json::array();
  const auto add_step = [&](const char* name, const std::vector<std::string>& script, bool after) {
    steps.push_back({{"name", name},
                     {"script", script},
                     {"timeout", job.timeout_seconds},
                     {"when", after ? "always" : "on_success"},
                     {"allow_failure", after}});
  };
  add_step("script", job.script, false);
  if (!job.release_script.empty()) add_step("release", job.release_script, false);
  if (!job.after_script.empty()) add_step("after_script", job.after_script, true);

  json services = json::array();
  for (const auto& s : job.services) {
    services.push_back(image_json(s.name, s.alias, s.command, s.entrypoint));
    add_kubernetes_user(services.back(), s.user, s.user_is_int);
    // Ci::BuildRunnerPresenter: a service's variables go with it, public, as the job's own do.
    if (!s.variables.empty()) services.back()["variables"] = json::array();
    for (const auto& [key, value] : s.variables)
      services.back()["variables"].push_back({{"key", key}, {"value", value}, {"public", true}});
  }

  json credentials = json::array();
  for (const auto& c : job.credentials)
    // GitLab hands out the job token as the registry password; a scenario states only the user.
    credentials.push_back({{"type", c.type},
                           {"url", c.url},
                           {"username", c.username},
                           {"password", c.password.empty() ? ctx.token : c.password}});

  json payload;
  payload["id"] = job.id;
  payload["token"] = ctx.token;
  payload["allow_git_fetch"] = true;
  payload["job_info"] = {{"name", job.name},
                         {"stage", job.stage},
                         {"project_id", job.project_id},
                         {"project_name", project.name},
                         {"project_full_path", job.project},
                         {"pipeline_id", ctx.pipeline_id},
                         {"namespace_id", ctx.namespace_id},
                         {"root_namespace_id", ctx.root_namespace_id},
                         {"user_id", 1},
                         {"time_in_queue_seconds", ctx.time_in_queue_seconds}};
  payload["git_info"] = {
      {"repo_url", repo_url(server, job, ctx.token)},
      {"repo_object_format", "sha1"},
      {"ref", job.ref},
      {"sha", job.sha},
      {"before_sha", kZeroSha},
      {"ref_type", "branch"},
      {"refspecs",
       {"+" + pipeline_ref + ":" + pipeline_ref, "+refs/heads/" + job.ref + ":refs/remotes/origin/" + job.ref}},
      {"depth", job.depth},
      {"protected", ctx.protected_ref}};
  payload["runner_info"] = {{"timeout", job.timeout_seconds}};
  payload["variables"] = std::move(variables);
  payload["steps"] = std::move(steps);
  // Ci::JobRequest::Hook (GitLab 15.9+): one {name, script} per hook the job sets.
  json hooks = json::array();
  if (!job.pre_get_sources_hook.empty())
    hooks.push_back({{"name", "pre_get_sources_script"}, {"script", job.pre_get_sources_hook}});
  if (!job.post_get_sources_hook.empty())
    hooks.push_back({{"name", "post_get_sources_script"}, {"script", job.post_get_sources_hook}});
  if (!hooks.empty()) payload["hooks"] = std::move(hooks);
  payload["image"] = job.image.empty() ? json(nullptr) : image_json(job.image, "", {}, {});
  add_kubernetes_user(payload["image"], job.image_user, job.image_user_is_int);
  payload["services"] = std::move(services);
  payload["artifacts"] = artifacts_json(job.artifacts);
  payload["cache"] = cache_json(job.cache, ctx.protected_ref);
  payload["credentials"] = std::move(credentials);
  payload["dependencies"] = dependencies_json(ctx.dependencies);
  payload["features"] = {{"trace_sections", job.trace_sections},
                         {"token_mask_prefixes", {"glpat-", "glcbt-"}},
                         {"failure_reasons", effective_failure_reasons(job)}};
  return payload.dump();
}

}  // namespace kexsim::fakes

#include "executor/config.h"

#include <algorithm>
#include <map>

#include "base/files.h"
#include "executor/config_resources.h"
#include "executor/stage_timeouts.h"
#include "base/toml_reader.h"
#include "executor/profile.h"

namespace kexsim::executor {
namespace {

const char kSyntaxHint[] =
    "config.toml must be valid TOML; see "
    "https://docs.gitlab.com/runner/configuration/advanced-configuration/";
const char kKeysHint[] =
    "see https://docs.gitlab.com/runner/configuration/advanced-configuration/ for the keys and "
    "their types";

// Every key of GitLab Runner 19.4's config.toml, table by table (common/config.go at d79f3e7b:
// Config, RunnerConfig with RunnerCredentials and RunnerSettings, KubernetesConfig, Service,
// KubernetesHostAliases, KubernetesVolumes and its kinds). A key kexsim does not read gets "not
// supported by kexsim yet"; only a key in none of these lists is "unknown". Keys of a sub-table
// that kexsim does not read are covered by the table's key; the sub-tables kexsim reads
// (pod_security_context, affinity, ...) warn about unknown keys of their own.
const std::vector<std::string> kGlobalKeys = {
    "listen_address",     "session_server", "labels",       "concurrent",      "check_interval",
    "log_level",          "log_format",     "user",         "runners",         "sentry_dsn",
    "connection_max_age", "machine",        "experimental", "shutdown_timeout"};

const std::vector<std::string> kRunnerKeys = {
    "name", "limit", "output_limit", "request_concurrency", "strict_check_interval", "unhealthy_requests_limit",
    "unhealthy_interval", "job_status_final_update_retry_limit", "experimental", "url", "id", "token",
    "token_obtained_at", "token_expires_at", "tls-ca-file", "tls-cert-file", "tls-key-file", "labels", "executor",
    "builds_dir", "cache_dir", "clone_url", "environment", "proxy_exec", "pre_get_sources_script",
    "post_get_sources_script", "pre_build_script", "post_build_script", "prepare_timeout", "get_sources_timeout",
    "debug_trace_disabled", "safe_directory_checkout", "clean_git_config", "shell", "custom_build_dir", "referees",
    "cache", "artifact", "feature_flags", "monitoring", "use_slot_cgroups", "slot_cgroup_template", "instance", "ssh",
    "docker", "parallels", "virtualbox", "machine", "kubernetes", "custom", "autoscaler", "step_runner_image",
    // 13.12 keys that 19.4 no longer has (the 13.12 profile reads configs of that time).
    "pre_clone_script", "post_clone_script"};

const std::vector<std::string> kKubernetesKeys = {
    "host", "context", "cert_file", "key_file", "ca_file", "bearer_token_overwrite_allowed", "bearer_token", "image",
    "namespace", "namespace_overwrite_allowed", "namespace_per_job", "privileged", "runtime_class_name",
    "allow_privilege_escalation", "cpu_limit", "cpu_limit_overwrite_max_allowed", "cpu_request",
    "cpu_request_overwrite_max_allowed", "memory_limit", "memory_limit_overwrite_max_allowed", "memory_request",
    "memory_request_overwrite_max_allowed", "ephemeral_storage_limit", "ephemeral_storage_limit_overwrite_max_allowed",
    "ephemeral_storage_request", "ephemeral_storage_request_overwrite_max_allowed", "service_cpu_limit",
    "service_cpu_limit_overwrite_max_allowed", "service_cpu_request", "service_cpu_request_overwrite_max_allowed",
    "service_memory_limit", "service_memory_limit_overwrite_max_allowed", "service_memory_request",
    "service_memory_request_overwrite_max_allowed", "service_ephemeral_storage_limit",
    "service_ephemeral_storage_limit_overwrite_max_allowed", "service_ephemeral_storage_request",
    "service_ephemeral_storage_request_overwrite_max_allowed", "helper_cpu_limit",
    "helper_cpu_limit_overwrite_max_allowed", "helper_cpu_request", "helper_cpu_request_overwrite_max_allowed",
    "helper_memory_limit", "helper_memory_limit_overwrite_max_allowed", "helper_memory_request",
    "helper_memory_request_overwrite_max_allowed", "helper_ephemeral_storage_limit",
    "helper_ephemeral_storage_limit_overwrite_max_allowed", "helper_ephemeral_storage_request",
    "helper_ephemeral_storage_request_overwrite_max_allowed", "pod_cpu_limit", "pod_cpu_limit_overwrite_max_allowed",
    "pod_cpu_request", "pod_cpu_request_overwrite_max_allowed", "pod_memory_limit",
    "pod_memory_limit_overwrite_max_allowed", "pod_memory_request", "pod_memory_request_overwrite_max_allowed",
    "allowed_images", "allowed_pull_policies", "allowed_services", "allowed_users", "allowed_groups", "pull_policy",
    "node_selector", "node_selector_overwrite_allowed", "node_tolerations", "node_tolerations_overwrite_allowed",
    "affinity", "image_pull_secrets", "use_service_account_image_pull_secrets", "helper_image", "helper_image_flavor",
    "helper_image_autoset_arch_and_os", "pod_termination_grace_period_seconds", "cleanup_grace_period_seconds",
    "cleanup_resources_timeout", "poll_interval", "poll_timeout", "resource_availability_check_max_attempts",
    "retry_limit", "retry_backoff_max", "retry_limits", "pod_labels", "pod_labels_overwrite_allowed", "scheduler_name",
    "service_account", "service_account_overwrite_allowed", "automount_service_account_token", "pod_annotations",
    "pod_annotations_overwrite_allowed", "pod_security_context", "init_permissions_container_security_context",
    "build_container_security_context", "helper_container_security_context", "service_container_security_context",
    "volumes", "host_aliases", "services", "cap_add", "cap_drop", "suspend_pvc_size", "suspend_pvc_storage_class",
    "dns_policy", "dns_config", "container_lifecycle", "priority_class_name", "pod_spec", "logs_base_dir",
    "scripts_base_dir", "print_pod_warning_events", "pod_disruption_budget", "autoscaler",
    // A 13.12 key that 19.4 no longer has.
    "terminationGracePeriodSeconds"};

const std::vector<std::string> kServiceKeys = {"name",       "alias",       "command",
                                               "entrypoint", "environment", "suspend_data_path"};

const std::vector<std::string> kHostAliasKeys = {"ip", "hostnames"};

const std::vector<std::string> kVolumeKinds = {"host_path", "pvc", "config_map", "secret", "empty_dir", "csi", "nfs"};

// The keys of each volume kind.
const std::map<std::string, std::vector<std::string>> kVolumeKeys = {
    {"host_path", {"name", "mount_path", "sub_path", "read_only", "host_path", "mount_propagation"}},
    {"pvc", {"name", "mount_path", "sub_path", "read_only", "mount_propagation"}},
    {"config_map", {"name", "mount_path", "sub_path", "read_only", "items"}},
    {"secret", {"name", "mount_path", "sub_path", "read_only", "items"}},
    {"empty_dir", {"name", "mount_path", "sub_path", "medium", "size_limit", "mount_propagation"}},
    {"csi", {"name", "mount_path", "sub_path", "driver", "fs_type", "read_only", "volume_attributes"}},
    {"nfs", {"name", "mount_path", "sub_path", "server", "path", "read_only"}}};

std::string not_supported(const std::string& path) {
  return "key \"" + path + "\" is not supported by kexsim yet and is ignored";
}

// `[runners.feature_flags]` is used (common/build_settings.go populateFeatureFlags); a flag kexsim
// does not act on is accepted and warned about by name, and so is a name no profile knows
// (GitLab Runner ignores it silently, which hides typos).
void warn_unused_flags(TomlTable& t) {
  const toml::table* flags = t.raw().get_as<toml::table>("feature_flags");
  if (!flags) return;
  for (const auto& [key, node] : *flags) {
    const std::string name(key.str());
    const std::string path = t.path("feature_flags") + "." + name;
    if (kexsim_acts_on_flag(name)) continue;
    if (is_known_feature_flag(name)) {
      t.context().warn(key.source(), "key \"" + path +
                                         "\" is not acted on by kexsim yet: the flag only shows in "
                                         "the \"feature flags:\" header line");
    } else {
      t.context().warn(key.source(),
                       "key \"" + path + "\" is not a GitLab Runner 13.12 or 19.4 feature flag and is ignored");
    }
  }
}

// retry_limit, retry_limits and retry_backoff_max (common/config.go RequestRetryLimit, RequestRetryLimits,
// RequestRetryBackoffMax): the defaults apply to zero or negative values, as upstream's Get() does.
void read_retry(TomlTable& k8s, KubernetesConfig& out) {
  if (k8s.get("retry_limit", out.retry_limit) && out.retry_limit <= 0) out.retry_limit = 5;
  if (k8s.get("retry_backoff_max", out.retry_backoff_max) && out.retry_backoff_max <= 0) out.retry_backoff_max = 2000;
  const toml::node* limits = k8s.node("retry_limits");
  if (!limits) return;
  if (!limits->is_table()) {
    k8s.context().fail_type(*limits, k8s.path("retry_limits"), "a table of integers");
    return;
  }
  for (auto&& [key, value] : *limits->as_table()) {
    if (!value.is_integer()) {
      k8s.context().fail_type(value, k8s.path("retry_limits") + "." + std::string(key.str()), "an integer");
      return;
    }
    out.retry_limits[std::string(key.str())] = static_cast<int>(value.as_integer()->get());
  }
}

// Reports unread keys as warnings: a key of the table's upstream list is not supported yet; any
// other is unknown, with a suggestion among the upstream keys.
void warn_unread(TomlTable& t, const std::vector<std::string>& upstream_keys) {
  std::vector<std::string> candidates = t.declared();
  candidates.insert(candidates.end(), upstream_keys.begin(), upstream_keys.end());
  for (const auto& [key, node] : t.unread()) {
    std::string name(key->str());
    std::string path = t.path(name);
    if (std::find(upstream_keys.begin(), upstream_keys.end(), name) != upstream_keys.end()) {
      t.context().warn(key->source(), not_supported(path));
    } else {
      t.context().warn(key->source(), unknown_key_message(path, name, candidates));
    }
  }
}

void read_host_aliases(TomlTable& k8s, KubernetesConfig& out) {
  for (const toml::table* entry : k8s.tables("host_aliases")) {
    TomlTable t(*entry, k8s.path("host_aliases"), k8s.context());
    HostAlias alias;
    t.get("ip", alias.ip);
    t.get("hostnames", alias.hostnames);
    warn_unread(t, kHostAliasKeys);
    out.host_aliases.push_back(std::move(alias));
  }
}

void read_services(TomlTable& k8s, KubernetesConfig& out) {
  for (const toml::table* entry : k8s.tables("services")) {
    TomlTable t(*entry, k8s.path("services"), k8s.context());
    ServiceConfig service;
    t.get("name", service.name);
    t.get("alias", service.alias);
    t.get("command", service.command);
    t.get("entrypoint", service.entrypoint);
    t.get("environment", service.environment);
    warn_unread(t, kServiceKeys);
    out.services.push_back(std::move(service));
  }
}

// One [[runners.kubernetes.volumes.<kind>]] entry; each kind has its own keys (reference 3.2).
VolumeConfig read_volume(TomlTable& t, const std::string& kind) {
  VolumeConfig v;
  v.kind = kind;
  t.get("name", v.name);
  t.get("mount_path", v.mount_path);
  t.get("sub_path", v.sub_path);
  if (kind != "empty_dir") t.get("read_only", v.read_only);
  if (kind == "host_path") t.get("host_path", v.host_path);
  if (kind == "empty_dir") {
    t.get("medium", v.medium);
    t.get("size_limit", v.size_limit);
  }
  if (kind == "nfs") {
    t.get("server", v.server);
    t.get("path", v.path);
  }
  if (kind == "csi") t.get("driver", v.driver);
  if (kind == "config_map" || kind == "secret") t.get("items", v.items);
  warn_unread(t, kVolumeKeys.at(kind));
  return v;
}

void read_volumes(TomlTable& k8s, KubernetesConfig& out) {
  const toml::table* volumes = k8s.table("volumes");
  if (!volumes) return;
  TomlTable kinds(*volumes, k8s.path("volumes"), k8s.context());
  for (const std::string& kind : kVolumeKinds) {
    for (const toml::table* entry : kinds.tables(kind)) {
      TomlTable t(*entry, kinds.path(kind), k8s.context());
      out.volumes.push_back(read_volume(t, kind));
    }
  }
  warn_unread(kinds, kVolumeKinds);
}

void read_pod_spec(TomlTable& k8s, KubernetesConfig& out) {
  for (const toml::table* entry : k8s.tables("pod_spec")) {
    TomlTable t(*entry, k8s.path("pod_spec"), k8s.context());
    PodSpecPatchConfig p;
    t.get("name", p.name);
    t.get("patch_path", p.patch_path);
    t.get("patch", p.patch);
    t.get("patch_type", p.patch_type);
    out.pod_spec.push_back(std::move(p));
    warn_unread(t, {"name", "patch_path", "patch", "patch_type"});
  }
}

void read_kubernetes(TomlTable& k8s, KubernetesConfig& out) {
  k8s.get("host", out.host);
  k8s.get("context", out.context);
  k8s.get("bearer_token", out.bearer_token);
  k8s.get("ca_file", out.ca_file);
  k8s.get("cert_file", out.cert_file);
  k8s.get("key_file", out.key_file);
  k8s.get("namespace", out.namespace_);
  k8s.get("service_account", out.service_account);
  k8s.get("image", out.image);
  k8s.get("helper_image", out.helper_image);
  k8s.get("privileged", out.privileged);
  k8s.get("allow_privilege_escalation", out.allow_privilege_escalation);
  if (k8s.get("poll_interval", out.poll_interval) && out.poll_interval <= 0) out.poll_interval = 3;
  if (k8s.get("poll_timeout", out.poll_timeout) && out.poll_timeout <= 0) out.poll_timeout = 180;
  read_host_aliases(k8s, out);
  read_services(k8s, out);
  read_volumes(k8s, out);
  read_pod_spec(k8s, out);
  k8s.get("node_selector", out.node_selector);
  k8s.get("node_tolerations", out.node_tolerations);
  k8s.get("image_pull_secrets", out.image_pull_secrets);
  // common/config.go StringOrArray: one policy or a list of them.
  if (const toml::node* n = k8s.node("pull_policy"); n && n->is_string()) {
    std::string one;
    k8s.get("pull_policy", one);
    out.pull_policy = {one};
  } else {
    k8s.get("pull_policy", out.pull_policy);
  }
  k8s.get("allowed_pull_policies", out.allowed_pull_policies);
  k8s.get("allowed_users", out.allowed_users);
  k8s.get("allowed_images", out.allowed_images);
  k8s.get("allowed_services", out.allowed_services);
  k8s.get("allowed_groups", out.allowed_groups);
  k8s.get("print_pod_warning_events", out.print_pod_warning_events);
  k8s.get("pod_disruption_budget", out.pod_disruption_budget);
  k8s.get("helper_image_autoset_arch_and_os", out.helper_image_autoset_arch_and_os);
  k8s.get("cpu_limit", out.cpu_limit);
  k8s.get("cpu_request", out.cpu_request);
  k8s.get("memory_limit", out.memory_limit);
  k8s.get("memory_request", out.memory_request);
  k8s.get("helper_cpu_limit", out.helper_cpu_limit);
  k8s.get("helper_cpu_request", out.helper_cpu_request);
  k8s.get("helper_memory_limit", out.helper_memory_limit);
  k8s.get("helper_memory_request", out.helper_memory_request);
  k8s.get("service_cpu_limit", out.service_cpu_limit);
  k8s.get("service_cpu_request", out.service_cpu_request);
  k8s.get("service_memory_limit", out.service_memory_limit);
  k8s.get("service_memory_request", out.service_memory_request);
  k8s.get("cleanup_grace_period_seconds", out.cleanup_grace_period_seconds);
  k8s.get("pod_termination_grace_period_seconds", out.pod_termination_grace_period_seconds);
  k8s.get("terminationGracePeriodSeconds", out.termination_grace_period_seconds);
  read_retry(k8s, out);
  read_overwrite_keys(k8s, out);
  read_security_config(k8s, out.security);  // executor/security_context.h
  read_pod_extras(k8s, out.extras);         // executor/pod_spec_extras.h
  warn_unread(k8s, kKubernetesKeys);
}

RunnerConfig read_runner(TomlTable& t, int index, int line_offset) {
  RunnerConfig r;
  r.line = static_cast<int>(t.raw().source().begin.line) + line_offset;
  t.get("name", r.name);
  t.get("url", r.url);
  t.get("token", r.token);
  t.get("executor", r.executor);
  t.get("tls-ca-file", r.tls_ca_file);
  t.get("builds_dir", r.builds_dir);
  t.get("clone_url", r.clone_url);
  t.get("environment", r.environment);
  t.get("job_status_final_update_retry_limit", r.job_status_final_update_retry_limit);
  t.get("output_limit", r.output_limit);
  t.get("debug_trace_disabled", r.debug_trace_disabled);
  t.get("pre_get_sources_script", r.scripts.pre_get_sources);
  t.get("post_get_sources_script", r.scripts.post_get_sources);
  t.get("pre_build_script", r.scripts.pre_build);
  t.get("post_build_script", r.scripts.post_build);
  t.get("pre_clone_script", r.scripts.pre_clone);
  t.get("post_clone_script", r.scripts.post_clone);
  for (auto [key, target] : {std::pair{"prepare_timeout", &r.prepare_timeout},
                             std::pair{"get_sources_timeout", &r.get_sources_timeout}}) {
    std::string text;
    if (!t.get(key, text)) continue;
    *target = parse_go_duration(text);
    if (!*target) t.context().fail_type(*t.raw().get(key), t.path(key), "a duration such as \"30s\" or \"1h30m\"");
  }
  t.get("limit", r.limit);
  t.get("request_concurrency", r.request_concurrency);
  t.get("unhealthy_requests_limit", r.unhealthy_requests_limit);
  if (t.get("feature_flags", r.feature_flags)) warn_unused_flags(t);
  if (const toml::table* custom = t.table("custom_build_dir")) {
    TomlTable ct(*custom, t.path("custom_build_dir"), t.context());
    bool enabled = false;
    if (ct.get("enabled", enabled)) r.custom_build_dir_enabled = enabled;
    warn_unread(ct, {"enabled"});
  }
  if (const toml::table* k8s = t.table("kubernetes")) {
    TomlTable kt(*k8s, t.path("kubernetes"), t.context());
    read_kubernetes(kt, r.kubernetes);
  }
  warn_unread(t, kRunnerKeys);
  if (t.context().failed()) return r;

  std::string who = r.name.empty() ? "runner #" + std::to_string(index + 1) : "runner \"" + r.name + "\"";
  for (const char* key : {"url", "token", "executor"}) {
    if (t.raw().get(key)) continue;
    std::string message = who + ": missing required key \"" + key + "\"";
    const toml::key* typo = t.misspelling_of(key);
    if (typo) message += " (\"" + std::string(typo->str()) + "\" looks like a misspelling of it)";
    t.context().fail(typo ? typo->source() : t.raw().source(), message,
                     "every [[runners]] entry needs url, token and executor = \"kubernetes\"");
    return r;
  }
  if (r.executor != "kubernetes") {
    t.context().fail(
        t.raw().get("executor")->source(),
        who + ": executor \"" + r.executor + "\" is not supported: kexsim only simulates the Kubernetes executor",
        "set executor = \"kubernetes\"");
  }
  return r;
}

}  // namespace

Result<Config> parse_config(const std::string& text, const std::string& path, int line_offset) {
  auto doc = parse_toml(text, path, line_offset, kSyntaxHint);
  if (!doc.ok()) return doc.error();
  TomlContext ctx(path, line_offset, kKeysHint);
  TomlTable root(*doc, "", ctx);

  Config config;
  // The runner loop (executor/runner.h) acts on both. commands/multi.go updateWorkers refuses
  // concurrent < 1; common/config.go GetCheckInterval turns <= 0 into 3 s.
  if (root.get("concurrent", config.concurrent) && config.concurrent < 1) {
    ctx.fail(root.raw().get("concurrent")->source(),
             "Current configuration 'concurrent = " + std::to_string(config.concurrent) +
                 "' means that no jobs will be processed",
             "set concurrent to at least 1, see "
             "https://docs.gitlab.com/runner/configuration/advanced-configuration.html#the-global-section");
  }
  if (root.get("check_interval", config.check_interval) && config.check_interval <= 0) config.check_interval = 3;
  int index = 0;
  for (const toml::table* entry : root.tables("runners")) {
    TomlTable t(*entry, "runners", ctx);
    config.runners.push_back(read_runner(t, index++, line_offset));
    if (ctx.failed()) break;
  }
  warn_unread(root, kGlobalKeys);
  if (ctx.failed()) return ctx.error();
  for (const TomlWarning& w : ctx.warnings()) config.warnings.push_back({w.where, w.message});
  return config;
}

Result<Config> load_config(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return make_error("cannot read config file: " + text.error().message, "check the path given for config.toml", path);
  }
  return parse_config(*text, path, 0);
}

}  // namespace kexsim::executor

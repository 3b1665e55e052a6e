#include "executor/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/toml_reader.h"

namespace kexsim::executor {
namespace {

const char kSyntaxHint[] =
    "config.toml must be valid TOML; see "
    "https://docs.gitlab.com/runner/configuration/advanced-configuration/";
const char kKeysHint[] =
    "see https://docs.gitlab.com/runner/configuration/advanced-configuration/ for the keys and "
    "their types";

// Keys GitLab Runner knows that this executor does not implement (reference section 3). A key in
// one of these lists gets "not supported yet"; any other unread key is reported as unknown.
const std::vector<std::string> kGlobalUnsupported = {
    "log_level",          "log_format",     "listen_address", "shutdown_timeout",
    "connection_max_age", "session_server", "sentry_dsn",     "user"};

const std::vector<std::string> kRunnerUnsupported = {"id",
                                                     "token_obtained_at",
                                                     "token_expires_at",
                                                     "tls-cert-file",
                                                     "tls-key-file",
                                                     "shell",
                                                     "cache_dir",
                                                     "clone_url",
                                                     "pre_get_sources_script",
                                                     "post_get_sources_script",
                                                     "pre_build_script",
                                                     "post_build_script",
                                                     "pre_clone_script",
                                                     "post_clone_script",
                                                     "limit",
                                                     "request_concurrency",
                                                     "output_limit",
                                                     "prepare_timeout",
                                                     "get_sources_timeout",
                                                     "debug_trace_disabled",
                                                     "unhealthy_requests_limit",
                                                     "unhealthy_interval",
                                                     "job_status_final_update_retry_limit",
                                                     "cache",
                                                     "custom_build_dir",
                                                     "referees",
                                                     "docker",
                                                     "machine",
                                                     "custom",
                                                     "ssh",
                                                     "parallels",
                                                     "virtualbox",
                                                     "autoscaler",
                                                     "instance",
                                                     "clean_git_config"};

std::vector<std::string> kubernetes_unsupported() {
  std::vector<std::string> keys = {"bearer_token_overwrite_allowed",
                                   "namespace_overwrite_allowed",
                                   "namespace_per_job",
                                   "allow_privilege_escalation",
                                   "runtime_class_name",
                                   "allowed_images",
                                   "allowed_services",
                                   "allowed_pull_policies",
                                   "allowed_users",
                                   "allowed_groups",
                                   "pull_policy",
                                   "node_selector_overwrite_allowed",
                                   "node_tolerations",
                                   "node_tolerations_overwrite_allowed",
                                   "affinity",
                                   "use_service_account_image_pull_secrets",
                                   "helper_image_flavor",
                                   "helper_image_autoset_arch_and_os",
                                   "pod_termination_grace_period_seconds",
                                   "cleanup_resources_timeout",
                                   "resource_availability_check_max_attempts",
                                   "retry_limit",
                                   "retry_backoff_max",
                                   "retry_limits",
                                   "pod_labels",
                                   "pod_labels_overwrite_allowed",
                                   "pod_annotations",
                                   "pod_annotations_overwrite_allowed",
                                   "scheduler_name",
                                   "service_account_overwrite_allowed",
                                   "automount_service_account_token",
                                   "pod_security_context",
                                   "build_container_security_context",
                                   "helper_container_security_context",
                                   "service_container_security_context",
                                   "init_permissions_container_security_context",
                                   "cap_add",
                                   "cap_drop",
                                   "dns_policy",
                                   "dns_config",
                                   "container_lifecycle",
                                   "priority_class_name",
                                   "pod_spec",
                                   "logs_base_dir",
                                   "scripts_base_dir",
                                   "print_pod_warning_events",
                                   "pod_disruption_budget",
                                   "suspend_pvc_size",
                                   "suspend_pvc_storage_class",
                                   "autoscaler",
                                   "terminationGracePeriodSeconds",
                                   "ephemeral_storage_limit",
                                   "ephemeral_storage_request",
                                   "helper_ephemeral_storage_limit",
                                   "helper_ephemeral_storage_request",
                                   "service_ephemeral_storage_limit",
                                   "service_ephemeral_storage_request",
                                   "pod_cpu_limit",
                                   "pod_cpu_request",
                                   "pod_memory_limit",
                                   "pod_memory_request"};
  // Every resource key has an `_overwrite_max_allowed` companion.
  for (std::string prefix : {"", "helper_", "service_", "pod_"}) {
    for (std::string resource : {"cpu_limit", "cpu_request", "memory_limit", "memory_request",
                                 "ephemeral_storage_limit", "ephemeral_storage_request"}) {
      if (prefix == "pod_" && resource.rfind("ephemeral", 0) == 0) continue;
      keys.push_back(prefix + resource + "_overwrite_max_allowed");
    }
  }
  return keys;
}

const std::vector<std::string> kVolumeKinds = {"host_path", "pvc", "config_map", "secret",
                                               "empty_dir", "csi", "nfs"};

// Reports unread keys as warnings: known-but-unsupported, or unknown with a suggestion.
void warn_unread(TomlTable& t, const std::vector<std::string>& unsupported) {
  std::vector<std::string> candidates = t.declared();
  candidates.insert(candidates.end(), unsupported.begin(), unsupported.end());
  for (const auto& [key, node] : t.unread()) {
    std::string name(key->str());
    std::string path = t.path(name);
    if (std::find(unsupported.begin(), unsupported.end(), name) != unsupported.end()) {
      t.context().warn(key->source(),
                       "key \"" + path + "\" is not supported by kexsim yet and is ignored");
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
    warn_unread(t, {});
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
    warn_unread(t, {"suspend_data_path"});
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
  std::vector<std::string> unsupported;
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
  if (kind == "csi") {
    t.get("driver", v.driver);
    unsupported = {"fs_type", "volume_attributes"};
  }
  if (kind == "config_map" || kind == "secret") t.get("items", v.items);
  if (kind == "host_path" || kind == "pvc" || kind == "empty_dir")
    unsupported = {"mount_propagation"};
  warn_unread(t, unsupported);
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
  warn_unread(kinds, {});
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
  if (k8s.get("poll_interval", out.poll_interval) && out.poll_interval <= 0) out.poll_interval = 3;
  if (k8s.get("poll_timeout", out.poll_timeout) && out.poll_timeout <= 0) out.poll_timeout = 180;
  read_host_aliases(k8s, out);
  read_services(k8s, out);
  read_volumes(k8s, out);
  k8s.get("node_selector", out.node_selector);
  k8s.get("image_pull_secrets", out.image_pull_secrets);
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
  warn_unread(k8s, kubernetes_unsupported());
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
  t.get("environment", r.environment);
  t.get("feature_flags", r.feature_flags);
  if (const toml::table* k8s = t.table("kubernetes")) {
    TomlTable kt(*k8s, t.path("kubernetes"), t.context());
    read_kubernetes(kt, r.kubernetes);
  }
  warn_unread(t, kRunnerUnsupported);
  if (t.context().failed()) return r;

  std::string who =
      r.name.empty() ? "runner #" + std::to_string(index + 1) : "runner \"" + r.name + "\"";
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
    t.context().fail(t.raw().get("executor")->source(),
                     who + ": executor \"" + r.executor +
                         "\" is not supported: kexsim only simulates the Kubernetes executor",
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
  root.get("concurrent", config.concurrent);
  if (root.get("check_interval", config.check_interval) && config.check_interval <= 0)
    config.check_interval = 3;
  int index = 0;
  for (const toml::table* entry : root.tables("runners")) {
    TomlTable t(*entry, "runners", ctx);
    config.runners.push_back(read_runner(t, index++, line_offset));
    if (ctx.failed()) break;
  }
  warn_unread(root, kGlobalUnsupported);
  if (ctx.failed()) return ctx.error();
  for (const TomlWarning& w : ctx.warnings()) config.warnings.push_back({w.where, w.message});
  return config;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read config file: " + std::string(std::strerror(errno)),
                      "check the path given for config.toml", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, 0);
}

}  // namespace kexsim::executor

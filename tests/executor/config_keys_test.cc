// Every key of GitLab Runner 19.4's config.toml is known to kexsim: a config that sets it gives
// either no warning (kexsim uses it) or "not supported by kexsim yet", never "unknown key".
//
// The list below comes from common/config.go at d79f3e7b (VERSION 19.4.0), struct by struct:
// Config, RunnerConfig (with RunnerCredentials and RunnerSettings), KubernetesConfig, Service,
// KubernetesHostAliases, KubernetesVolumes and its seven kinds. It is kept apart from
// executor/config.cc on purpose, so that a key dropped there fails here.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "executor/config.h"

namespace kexsim::executor {
namespace {

/// One upstream key: the table it lives in, its name, and a TOML value of its Go type.
struct UpstreamKey {
  const char* table;  ///< "" (global), "runners", "runners.kubernetes", ...
  const char* name;
  const char* value;
};

const std::vector<UpstreamKey> kUpstreamKeys = {
    {"", "listen_address", "\"x\""},
    {"", "session_server", "{}"},
    {"", "labels", "{ a = \"b\" }"},
    {"", "concurrent", "1"},
    {"", "check_interval", "1"},
    {"", "log_level", "\"x\""},
    {"", "log_format", "\"x\""},
    {"", "user", "\"x\""},
    {"", "sentry_dsn", "\"x\""},
    {"", "connection_max_age", "\"1s\""},
    {"", "machine", "{}"},
    {"", "experimental", "{}"},
    {"", "shutdown_timeout", "1"},
    {"runners", "name", "\"x\""},
    {"runners", "limit", "1"},
    {"runners", "output_limit", "1"},
    {"runners", "request_concurrency", "1"},
    {"runners", "strict_check_interval", "true"},
    {"runners", "unhealthy_requests_limit", "1"},
    {"runners", "unhealthy_interval", "\"1s\""},
    {"runners", "job_status_final_update_retry_limit", "1"},
    {"runners", "experimental", "{}"},
    {"runners", "id", "1"},
    {"runners", "token_obtained_at", "2026-01-01T00:00:00Z"},
    {"runners", "token_expires_at", "2026-01-01T00:00:00Z"},
    {"runners", "tls-ca-file", "\"x\""},
    {"runners", "tls-cert-file", "\"x\""},
    {"runners", "tls-key-file", "\"x\""},
    {"runners", "labels", "{ a = \"b\" }"},
    {"runners", "builds_dir", "\"x\""},
    {"runners", "cache_dir", "\"x\""},
    {"runners", "clone_url", "\"x\""},
    {"runners", "environment", "[\"x\"]"},
    {"runners", "proxy_exec", "true"},
    {"runners", "pre_get_sources_script", "\"x\""},
    {"runners", "post_get_sources_script", "\"x\""},
    {"runners", "pre_build_script", "\"x\""},
    {"runners", "post_build_script", "\"x\""},
    {"runners", "prepare_timeout", "\"1s\""},
    {"runners", "get_sources_timeout", "\"1s\""},
    {"runners", "debug_trace_disabled", "true"},
    {"runners", "safe_directory_checkout", "true"},
    {"runners", "clean_git_config", "true"},
    {"runners", "shell", "\"x\""},
    {"runners", "custom_build_dir", "{}"},
    {"runners", "referees", "{}"},
    {"runners", "cache", "{}"},
    {"runners", "artifact", "{}"},
    {"runners", "feature_flags", "{ FF_TIMESTAMPS = true }"},  // acted on: no warning
    {"runners", "monitoring", "{}"},
    {"runners", "use_slot_cgroups", "true"},
    {"runners", "slot_cgroup_template", "\"x\""},
    {"runners", "instance", "{}"},
    {"runners", "ssh", "{}"},
    {"runners", "docker", "{}"},
    {"runners", "parallels", "{}"},
    {"runners", "virtualbox", "{}"},
    {"runners", "machine", "{}"},
    {"runners", "kubernetes", "{}"},
    {"runners", "custom", "{}"},
    {"runners", "autoscaler", "{}"},
    {"runners", "step_runner_image", "\"x\""},
    {"runners.kubernetes", "host", "\"x\""},
    {"runners.kubernetes", "context", "\"x\""},
    {"runners.kubernetes", "cert_file", "\"x\""},
    {"runners.kubernetes", "key_file", "\"x\""},
    {"runners.kubernetes", "ca_file", "\"x\""},
    {"runners.kubernetes", "bearer_token_overwrite_allowed", "true"},
    {"runners.kubernetes", "bearer_token", "\"x\""},
    {"runners.kubernetes", "image", "\"x\""},
    {"runners.kubernetes", "namespace", "\"x\""},
    {"runners.kubernetes", "namespace_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "namespace_per_job", "true"},
    {"runners.kubernetes", "privileged", "true"},
    {"runners.kubernetes", "runtime_class_name", "\"x\""},
    {"runners.kubernetes", "allow_privilege_escalation", "true"},
    {"runners.kubernetes", "cpu_limit", "\"x\""},
    {"runners.kubernetes", "cpu_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "cpu_request", "\"x\""},
    {"runners.kubernetes", "cpu_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "memory_limit", "\"x\""},
    {"runners.kubernetes", "memory_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "memory_request", "\"x\""},
    {"runners.kubernetes", "memory_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "ephemeral_storage_limit", "\"x\""},
    {"runners.kubernetes", "ephemeral_storage_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "ephemeral_storage_request", "\"x\""},
    {"runners.kubernetes", "ephemeral_storage_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_cpu_limit", "\"x\""},
    {"runners.kubernetes", "service_cpu_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_cpu_request", "\"x\""},
    {"runners.kubernetes", "service_cpu_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_memory_limit", "\"x\""},
    {"runners.kubernetes", "service_memory_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_memory_request", "\"x\""},
    {"runners.kubernetes", "service_memory_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_ephemeral_storage_limit", "\"x\""},
    {"runners.kubernetes", "service_ephemeral_storage_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "service_ephemeral_storage_request", "\"x\""},
    {"runners.kubernetes", "service_ephemeral_storage_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_cpu_limit", "\"x\""},
    {"runners.kubernetes", "helper_cpu_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_cpu_request", "\"x\""},
    {"runners.kubernetes", "helper_cpu_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_memory_limit", "\"x\""},
    {"runners.kubernetes", "helper_memory_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_memory_request", "\"x\""},
    {"runners.kubernetes", "helper_memory_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_ephemeral_storage_limit", "\"x\""},
    {"runners.kubernetes", "helper_ephemeral_storage_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "helper_ephemeral_storage_request", "\"x\""},
    {"runners.kubernetes", "helper_ephemeral_storage_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "pod_cpu_limit", "\"x\""},
    {"runners.kubernetes", "pod_cpu_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "pod_cpu_request", "\"x\""},
    {"runners.kubernetes", "pod_cpu_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "pod_memory_limit", "\"x\""},
    {"runners.kubernetes", "pod_memory_limit_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "pod_memory_request", "\"x\""},
    {"runners.kubernetes", "pod_memory_request_overwrite_max_allowed", "\"x\""},
    {"runners.kubernetes", "allowed_images", "[\"x\"]"},
    {"runners.kubernetes", "allowed_pull_policies", "[\"always\"]"},
    {"runners.kubernetes", "allowed_services", "[\"x\"]"},
    {"runners.kubernetes", "allowed_users", "[\"x\"]"},
    {"runners.kubernetes", "allowed_groups", "[\"x\"]"},
    {"runners.kubernetes", "pull_policy", "\"x\""},
    {"runners.kubernetes", "node_selector", "{ a = \"b\" }"},
    {"runners.kubernetes", "node_selector_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "node_tolerations", "{ a = \"b\" }"},
    {"runners.kubernetes", "node_tolerations_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "affinity", "{}"},
    {"runners.kubernetes", "image_pull_secrets", "[\"x\"]"},
    {"runners.kubernetes", "use_service_account_image_pull_secrets", "true"},
    {"runners.kubernetes", "helper_image", "\"x\""},
    {"runners.kubernetes", "helper_image_flavor", "\"x\""},
    {"runners.kubernetes", "helper_image_autoset_arch_and_os", "true"},
    {"runners.kubernetes", "pod_termination_grace_period_seconds", "1"},
    {"runners.kubernetes", "cleanup_grace_period_seconds", "1"},
    {"runners.kubernetes", "cleanup_resources_timeout", "\"1s\""},
    {"runners.kubernetes", "poll_interval", "1"},
    {"runners.kubernetes", "poll_timeout", "1"},
    {"runners.kubernetes", "resource_availability_check_max_attempts", "1"},
    {"runners.kubernetes", "retry_limit", "1"},
    {"runners.kubernetes", "retry_backoff_max", "1000"},
    {"runners.kubernetes", "retry_limits", "{}"},
    {"runners.kubernetes", "pod_labels", "{ a = \"b\" }"},
    {"runners.kubernetes", "pod_labels_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "scheduler_name", "\"x\""},
    {"runners.kubernetes", "service_account", "\"x\""},
    {"runners.kubernetes", "service_account_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "automount_service_account_token", "true"},
    {"runners.kubernetes", "pod_annotations", "{ a = \"b\" }"},
    {"runners.kubernetes", "pod_annotations_overwrite_allowed", "\"x\""},
    {"runners.kubernetes", "pod_security_context", "{}"},
    {"runners.kubernetes", "init_permissions_container_security_context", "{}"},
    {"runners.kubernetes", "build_container_security_context", "{}"},
    {"runners.kubernetes", "helper_container_security_context", "{}"},
    {"runners.kubernetes", "service_container_security_context", "{}"},
    {"runners.kubernetes", "volumes", "{}"},
    {"runners.kubernetes", "host_aliases", "[{}]"},
    {"runners.kubernetes", "services", "[{}]"},
    {"runners.kubernetes", "cap_add", "[\"x\"]"},
    {"runners.kubernetes", "cap_drop", "[\"x\"]"},
    {"runners.kubernetes", "suspend_pvc_size", "\"x\""},
    {"runners.kubernetes", "suspend_pvc_storage_class", "\"x\""},
    {"runners.kubernetes", "dns_policy", "\"x\""},
    {"runners.kubernetes", "dns_config", "{}"},
    {"runners.kubernetes", "container_lifecycle", "{}"},
    {"runners.kubernetes", "priority_class_name", "\"x\""},
    {"runners.kubernetes", "pod_spec", "[{}]"},
    {"runners.kubernetes", "logs_base_dir", "\"x\""},
    {"runners.kubernetes", "scripts_base_dir", "\"x\""},
    {"runners.kubernetes", "print_pod_warning_events", "true"},
    {"runners.kubernetes", "pod_disruption_budget", "true"},
    {"runners.kubernetes", "autoscaler", "{}"},
    {"runners.kubernetes.services", "name", "\"x\""},
    {"runners.kubernetes.services", "alias", "\"x\""},
    {"runners.kubernetes.services", "command", "[\"x\"]"},
    {"runners.kubernetes.services", "entrypoint", "[\"x\"]"},
    {"runners.kubernetes.services", "environment", "[\"x\"]"},
    {"runners.kubernetes.services", "suspend_data_path", "\"x\""},
    {"runners.kubernetes.host_aliases", "ip", "\"x\""},
    {"runners.kubernetes.host_aliases", "hostnames", "[\"x\"]"},
    {"runners.kubernetes.volumes", "host_path", "[{}]"},
    {"runners.kubernetes.volumes", "pvc", "[{}]"},
    {"runners.kubernetes.volumes", "config_map", "[{}]"},
    {"runners.kubernetes.volumes", "secret", "[{}]"},
    {"runners.kubernetes.volumes", "empty_dir", "[{}]"},
    {"runners.kubernetes.volumes", "csi", "[{}]"},
    {"runners.kubernetes.volumes", "nfs", "[{}]"},
    {"runners.kubernetes.volumes.host_path", "name", "\"x\""},
    {"runners.kubernetes.volumes.host_path", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.host_path", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.host_path", "read_only", "true"},
    {"runners.kubernetes.volumes.host_path", "host_path", "\"x\""},
    {"runners.kubernetes.volumes.host_path", "mount_propagation", "\"x\""},
    {"runners.kubernetes.volumes.pvc", "name", "\"x\""},
    {"runners.kubernetes.volumes.pvc", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.pvc", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.pvc", "read_only", "true"},
    {"runners.kubernetes.volumes.pvc", "mount_propagation", "\"x\""},
    {"runners.kubernetes.volumes.config_map", "name", "\"x\""},
    {"runners.kubernetes.volumes.config_map", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.config_map", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.config_map", "read_only", "true"},
    {"runners.kubernetes.volumes.config_map", "items", "{ a = \"b\" }"},
    {"runners.kubernetes.volumes.secret", "name", "\"x\""},
    {"runners.kubernetes.volumes.secret", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.secret", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.secret", "read_only", "true"},
    {"runners.kubernetes.volumes.secret", "items", "{ a = \"b\" }"},
    {"runners.kubernetes.volumes.empty_dir", "name", "\"x\""},
    {"runners.kubernetes.volumes.empty_dir", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.empty_dir", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.empty_dir", "medium", "\"x\""},
    {"runners.kubernetes.volumes.empty_dir", "size_limit", "\"x\""},
    {"runners.kubernetes.volumes.empty_dir", "mount_propagation", "\"x\""},
    {"runners.kubernetes.volumes.csi", "name", "\"x\""},
    {"runners.kubernetes.volumes.csi", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.csi", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.csi", "driver", "\"x\""},
    {"runners.kubernetes.volumes.csi", "fs_type", "\"x\""},
    {"runners.kubernetes.volumes.csi", "read_only", "true"},
    {"runners.kubernetes.volumes.csi", "volume_attributes", "{ a = \"b\" }"},
    {"runners.kubernetes.volumes.nfs", "name", "\"x\""},
    {"runners.kubernetes.volumes.nfs", "mount_path", "\"x\""},
    {"runners.kubernetes.volumes.nfs", "sub_path", "\"x\""},
    {"runners.kubernetes.volumes.nfs", "server", "\"x\""},
    {"runners.kubernetes.volumes.nfs", "path", "\"x\""},
    {"runners.kubernetes.volumes.nfs", "read_only", "true"},
};

const char kRunner[] =
    "[[runners]]\n"
    "  url = \"https://gitlab.example.com\"\n"
    "  token = \"glrt-x\"\n"
    "  executor = \"kubernetes\"\n";

/// A config with exactly one extra key: key = value in its table.
std::string config_with(const UpstreamKey& key) {
  const std::string table = key.table;
  const std::string line = std::string(key.name) + " = " + key.value + "\n";
  if (table.empty()) return line + kRunner;
  if (table == "runners") return kRunner + line;
  std::string header;
  if (table == "runners.kubernetes.volumes")
    header = "[" + table + "]\n";
  else if (table != "runners.kubernetes")
    header = "[[" + table + "]]\n";  // arrays of tables
  return std::string(kRunner) + "[runners.kubernetes]\n" + header + line;
}

TEST(ConfigKeysTest, EveryUpstreamKeyIsUsedOrWarnedAsNotSupported) {
  EXPECT_EQ(kUpstreamKeys.size(), 230u);  // 14 + 52 + 113 + 6 + 2 + 7 + 40, less runners, url, token, executor
  for (const UpstreamKey& key : kUpstreamKeys) {
    const std::string path = std::string(key.table) + (*key.table ? "." : "") + key.name;
    SCOPED_TRACE(path);
    const std::string text = config_with(key);
    auto config = parse_config(text, "config.toml");
    ASSERT_TRUE(config.ok()) << config.error().describe() << "\n" << text;
    for (const auto& warning : config->warnings)
      EXPECT_EQ(warning.message.find("unknown key"), std::string::npos) << warning.message;
    ASSERT_LE(config->warnings.size(), 1u);
    if (!config->warnings.empty()) {
      EXPECT_EQ(config->warnings[0].message, "key \"" + path + "\" is not supported by kexsim yet and is ignored");
    }
  }
}

// The 19.4 keys kexsim still only warns about (docs/executor-gaps-status.md "Config keys still
// warned" gives the reason for each). A key that becomes used leaves this list.
TEST(ConfigKeysTest, TheKeysStillWarnedAbout) {
  std::vector<std::string> warned;
  for (const UpstreamKey& key : kUpstreamKeys) {
    auto config = parse_config(config_with(key), "config.toml");
    ASSERT_TRUE(config.ok());
    if (!config->warnings.empty()) warned.push_back(std::string(key.table) + (*key.table ? "." : "") + key.name);
  }
  std::string all;
  for (const auto& w : warned) all += w + "\n";
  EXPECT_EQ(all,
            "listen_address\nsession_server\nlabels\nlog_level\nlog_format\nuser\nsentry_dsn\nconnection_max_"
            "age\nmachine\nexperimental\nshutdown_timeout\nrunners.strict_check_interval\nrunners.unhealthy_"
            "interval\nrunners.experimental\nrunners.id\nrunners.token_obtained_at\nrunners.token_expires_at\nrunners."
            "tls-cert-file\nrunners.tls-key-file\nrunners.labels\nrunners.cache_dir\nrunners.proxy_"
            "exec\nrunners.safe_directory_checkout\nrunners.clean_git_config\nrunners.shell\nrunners.referees\nrunners."
            "cache\nrunners.artifact\nrunners.monitoring\nrunners.use_slot_cgroups\nrunners.slot_cgroup_"
            "template\nrunners.instance\nrunners.ssh\nrunners.docker\nrunners.parallels\nrunners.virtualbox\nrunners."
            "machine\nrunners.custom\nrunners.autoscaler\nrunners.step_runner_image\nrunners.kubernetes.suspend_pvc_"
            "size\nrunners.kubernetes.suspend_pvc_storage_class\nrunners.kubernetes.autoscaler\nrunners.kubernetes."
            "services.suspend_data_path\nrunners.kubernetes.volumes.host_path.mount_propagation\nrunners.kubernetes."
            "volumes.pvc.mount_propagation\nrunners.kubernetes.volumes.empty_dir.mount_propagation\nrunners.kubernetes."
            "volumes.csi.fs_type\nrunners.kubernetes.volumes.csi.volume_attributes\n");
}

TEST(ConfigKeysTest, OneUnsupportedKeyPerTableIsWarnedEach) {
  auto config = parse_config(R"(log_format = "json"
concurrent = 4
[[runners]]
  url = "https://gitlab.example.com"
  token = "glrt-x"
  executor = "kubernetes"
  step_runner_image = "registry.gitlab.com/gitlab-org/step-runner:v0"
  [runners.kubernetes]
    context = "prod"  # read: the kubeconfig context (executor/kube_config.cc)
    suspend_pvc_size = "1Gi"
    [[runners.kubernetes.services]]
      name = "postgres:16"
      suspend_data_path = "/var/lib/postgresql/data"
    [[runners.kubernetes.volumes.pvc]]
      name = "cache"
      mount_path = "/cache"
      mount_propagation = "HostToContainer"
    [runners.kubernetes.pod_security_context]
      run_as_user = 1000
      fs_grup = 1000
)",
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  std::vector<std::string> got;
  for (const auto& w : config->warnings) got.push_back(w.where + ": " + w.message);
  const std::string tail = " is not supported by kexsim yet and is ignored";
  EXPECT_EQ(got, (std::vector<std::string>{
                     "config.toml:1:1: key \"log_format\"" + tail,
                     "config.toml:7:3: key \"runners.step_runner_image\"" + tail,
                     "config.toml:10:5: key \"runners.kubernetes.suspend_pvc_size\"" + tail,
                     "config.toml:13:7: key \"runners.kubernetes.services.suspend_data_path\"" + tail,
                     "config.toml:17:7: key \"runners.kubernetes.volumes.pvc.mount_propagation\"" + tail,
                     "config.toml:20:7: unknown key \"runners.kubernetes.pod_security_context.fs_grup\" (did you "
                     "mean \"fs_group\"?)",
                 }));
}

// The keys executor/config_resources.cc reads: each gives no warning and lands in its field. The list
// is written out here, apart from config.cc and config_resources.cc, so that a key dropped there fails.
TEST(ConfigKeysTest, OverwriteLabelAndResourceKeysAreUsed) {
  const std::vector<std::string> used = {"namespace_overwrite_allowed",
                                         "service_account_overwrite_allowed",
                                         "bearer_token_overwrite_allowed",
                                         "pod_labels_overwrite_allowed",
                                         "pod_annotations_overwrite_allowed",
                                         "node_selector_overwrite_allowed",
                                         "node_tolerations_overwrite_allowed",
                                         "pod_labels",
                                         "pod_annotations",
                                         "namespace_per_job",
                                         "automount_service_account_token",
                                         "use_service_account_image_pull_secrets",
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
  size_t max_keys = 0;
  for (const UpstreamKey& key : kUpstreamKeys) {
    const std::string name = key.name;
    const bool is_max = name.size() > 22 && name.compare(name.size() - 22, 22, "_overwrite_max_allowed") == 0;
    if (std::string(key.table) != "runners.kubernetes") continue;
    if (!is_max && std::find(used.begin(), used.end(), name) == used.end()) continue;
    SCOPED_TRACE(name);
    auto config = parse_config(config_with(key), "config.toml");
    ASSERT_TRUE(config.ok()) << config.error().describe();
    EXPECT_TRUE(config->warnings.empty()) << config->warnings.front().message;
    if (is_max) {
      ++max_keys;
      EXPECT_EQ(config->runners[0].kubernetes.overwrite_max_allowed.count(name.substr(0, name.size() - 22)), 1u);
    }
  }
  EXPECT_EQ(max_keys, 22u);  // 3 kinds x 3 resources x 2 lists, and pod_ cpu/memory x 2

  auto config = parse_config(std::string(kRunner) + R"([runners.kubernetes]
  namespace_overwrite_allowed = "ci-.*"
  pod_labels = { team = "ci" }
  pod_annotations = { "a/b" = "c" }
  automount_service_account_token = false
  pod_cpu_limit = "2"
  cpu_limit_overwrite_max_allowed = "4"
)",
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  const KubernetesConfig& k = config->runners[0].kubernetes;
  EXPECT_EQ(k.namespace_overwrite_allowed, "ci-.*");
  EXPECT_EQ(k.pod_labels.at("team"), "ci");
  EXPECT_EQ(k.pod_annotations.at("a/b"), "c");
  EXPECT_EQ(k.automount_service_account_token, false);
  EXPECT_EQ(k.pod_cpu_limit, "2");
  EXPECT_EQ(k.overwrite_max_allowed.at("cpu_limit"), "4");
}

// The sub-keys of the tables kexsim reads in full (executor/security_context.h, executor/pod_spec_extras.h),
// from common/config.go at d79f3e7b: each is used, so a config setting it gets no warning at all.
const std::vector<UpstreamKey> kSubTableKeys = {
    {"runners.kubernetes.pod_security_context", "fs_group", "1"},
    {"runners.kubernetes.pod_security_context", "run_as_group", "1"},
    {"runners.kubernetes.pod_security_context", "run_as_non_root", "true"},
    {"runners.kubernetes.pod_security_context", "run_as_user", "1"},
    {"runners.kubernetes.pod_security_context", "supplemental_groups", "[1]"},
    {"runners.kubernetes.pod_security_context", "selinux_type", "\"x\""},
    {"runners.kubernetes.pod_security_context", "seccomp_profile", "{ type = \"x\", localhost_profile = \"y\" }"},
    {"runners.kubernetes.pod_security_context", "app_armor_profile", "{ type = \"x\", localhost_profile = \"y\" }"},
    {"runners.kubernetes.build_container_security_context", "capabilities", "{ add = [\"x\"], drop = [\"y\"] }"},
    {"runners.kubernetes.build_container_security_context", "privileged", "true"},
    {"runners.kubernetes.build_container_security_context", "run_as_user", "1"},
    {"runners.kubernetes.build_container_security_context", "run_as_group", "1"},
    {"runners.kubernetes.build_container_security_context", "run_as_non_root", "true"},
    {"runners.kubernetes.build_container_security_context", "read_only_root_filesystem", "true"},
    {"runners.kubernetes.build_container_security_context", "allow_privilege_escalation", "true"},
    {"runners.kubernetes.build_container_security_context", "selinux_type", "\"x\""},
    {"runners.kubernetes.build_container_security_context", "proc_mount", "\"x\""},
    {"runners.kubernetes.build_container_security_context", "seccomp_profile", "{ type = \"x\" }"},
    {"runners.kubernetes.build_container_security_context", "app_armor_profile", "{ type = \"x\" }"},
    {"runners.kubernetes.helper_container_security_context", "run_as_user", "1"},
    {"runners.kubernetes.service_container_security_context", "run_as_user", "1"},
    {"runners.kubernetes.init_permissions_container_security_context", "run_as_user", "1"},
    {"runners.kubernetes.dns_config", "nameservers", "[\"x\"]"},
    {"runners.kubernetes.dns_config", "searches", "[\"x\"]"},
    {"runners.kubernetes.dns_config", "options", "[{ name = \"x\", value = \"y\" }]"},
    {"runners.kubernetes.affinity", "node_affinity",
     "{ required_during_scheduling_ignored_during_execution = { node_selector_terms = [{ match_expressions = [{ key "
     "= \"k\", operator = \"In\", values = [\"v\"] }], match_fields = [{ key = \"k\", operator = \"In\" }] }] }, "
     "preferred_during_scheduling_ignored_during_execution = [{ weight = 1, preference = { match_expressions = [] } }] "
     "}"},
    {"runners.kubernetes.affinity", "pod_affinity",
     "{ required_during_scheduling_ignored_during_execution = [{ label_selector = { match_labels = { a = \"b\" }, "
     "match_expressions = [] }, namespaces = [\"n\"], topology_key = \"t\", namespace_selector = {}, "
     "match_label_keys = [\"a\"], mismatch_label_keys = [\"b\"] }], "
     "preferred_during_scheduling_ignored_during_execution = [{ weight = 1, pod_affinity_term = { topology_key = "
     "\"t\" } }] }"},
    {"runners.kubernetes.affinity", "pod_anti_affinity",
     "{ required_during_scheduling_ignored_during_execution = [{ topology_key = \"t\" }] }"},
    {"runners.kubernetes.container_lifecycle", "post_start", "{ exec = { command = [\"x\"] } }"},
    {"runners.kubernetes.container_lifecycle", "pre_stop",
     "{ http_get = { host = \"h\", port = 1, path = \"/\", scheme = \"HTTP\", http_headers = [{ name = \"n\", value "
     "= \"v\" }] }, tcp_socket = { host = \"h\", port = 1 } }"},
};

TEST(ConfigKeysTest, EverySubKeyOfTheTablesKexsimReadsIsUsed) {
  for (const UpstreamKey& key : kSubTableKeys) {
    SCOPED_TRACE(std::string(key.table) + "." + key.name);
    const std::string text =
        std::string(kRunner) + "[runners.kubernetes]\n[" + key.table + "]\n" + key.name + " = " + key.value + "\n";
    auto config = parse_config(text, "config.toml");
    ASSERT_TRUE(config.ok()) << config.error().describe() << "\n" << text;
    EXPECT_TRUE(config->warnings.empty()) << config->warnings.front().where << ": " << config->warnings.front().message;
  }
}

TEST(ConfigKeysTest, ThePodSpecKeysAreReadWithoutWarnings) {
  auto config = parse_config(std::string(kRunner) + R"([runners.kubernetes]
cap_add = ["SYS_TIME"]
cap_drop = ["ALL"]
dns_policy = "none"
scheduler_name = "s"
priority_class_name = "p"
runtime_class_name = "r"
helper_image_flavor = "ubuntu"
scripts_base_dir = "/tmp"
logs_base_dir = "/tmp"
cleanup_resources_timeout = "2m"
resource_availability_check_max_attempts = -1
)",
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_TRUE(config->warnings.empty()) << config->warnings.front().message;
  const KubernetesConfig& k = config->runners[0].kubernetes;
  EXPECT_EQ(k.security.cap_add, std::vector<std::string>{"SYS_TIME"});
  EXPECT_EQ(k.extras.cleanup_resources_timeout, std::optional<Duration>(std::chrono::minutes(2)));
  EXPECT_EQ(k.extras.resource_availability_check_max_attempts, 5);  // < 0: upstream's default
  EXPECT_EQ(k.extras.runtime_class_name, std::optional<std::string>("r"));
}

TEST(ConfigKeysTest, CleanupResourcesTimeoutMustBeADuration) {
  auto config = parse_config(std::string(kRunner) + "[runners.kubernetes]\ncleanup_resources_timeout = \"soon\"\n",
                             "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("runners.kubernetes.cleanup_resources_timeout: expected a duration"),
            std::string::npos)
      << config.error().message;
}

TEST(ConfigKeysTest, ConcurrentOneIsHonouredSilently) {
  auto config = parse_config(std::string("concurrent = 1\n") + kRunner, "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_TRUE(config->warnings.empty());
}

TEST(ConfigKeysTest, TheRunLoopKeysAreReadWithoutWarnings) {
  // The runner loop acts on them (executor/runner.h): no "not supported" warning.
  auto config = parse_config(std::string("concurrent = 4\ncheck_interval = 10\n") + kRunner +
                                 "  limit = 2\n  request_concurrency = 3\n  unhealthy_requests_limit = 5\n",
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_TRUE(config->warnings.empty()) << config->warnings.front().message;
  EXPECT_EQ(config->concurrent, 4);
  EXPECT_EQ(config->check_interval, 10);
  ASSERT_EQ(config->runners.size(), 1u);
  EXPECT_EQ(config->runners[0].limit, 2);
  EXPECT_EQ(config->runners[0].request_concurrency, 3);
  EXPECT_EQ(config->runners[0].unhealthy_requests_limit, 5);
}

TEST(ConfigKeysTest, ConcurrentBelowOneIsRefusedAsUpstreamDoes) {
  auto config = parse_config(std::string("concurrent = 0\n") + kRunner, "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("Current configuration 'concurrent = 0' means that no jobs will be processed"),
            std::string::npos)
      << config.error().message;
}

TEST(ConfigKeysTest, ARealKeyInTheWrongTableIsStillUnknownThere) {
  // namespace is a [runners.kubernetes] key: at the top level it is not a config.toml key at all.
  auto config = parse_config(std::string("namespace = \"ci\"\n") + kRunner, "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0].message.rfind("unknown key \"namespace\"", 0), 0u) << config->warnings[0].message;
}

}  // namespace
}  // namespace kexsim::executor

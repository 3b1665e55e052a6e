#include "executor/config.h"

#include <gtest/gtest.h>

#include "base/toml_reader.h"

namespace kexsim::executor {
namespace {

// Two runner entries as they appear in field reports; they must load unchanged.
const char kFieldConfig[] = R"(concurrent = 10
check_interval = 15
[[runners]]
  name = "myrunners3"
  url = "https://gitlab.mylab.com"
  token = "ngzTY4ehT3U63q5nhS_3"
  executor = "kubernetes"
  [runners.kubernetes]
    image = "ubuntu:18.04"
    [[runners.kubernetes.host_aliases]]
      ip = "10.0.0.216"
      hostnames = ["gitlab.mylab.com", "minio.mylab.com", "registry.mylab.com"]
[[runners]]
  name = "dind"
  url = "https://gitlab.mylab.com"
  token = "glrt-aaa_cccbbbdddooo2222"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = "gitlab-runner"
    image = "google/cloud-sdk:447.0.0-alpine"
    privileged = true
  [[runners.kubernetes.services]]
    name = "docker:24.0.6-dind-alpine3.18"
  [[runners.kubernetes.volumes.empty_dir]]
    name = "docker-certs"
    mount_path = "/certs/client"
    medium = "Memory"
)";

// A minimal valid runner entry, followed by whatever a test adds to [runners.kubernetes].
std::string with_kubernetes(const std::string& extra) {
  return "[[runners]]\n"
         "  url = \"https://gitlab.example.com\"\n"
         "  token = \"glrt-x\"\n"
         "  executor = \"kubernetes\"\n"
         "  [runners.kubernetes]\n" +
         extra;
}

TEST(ConfigTest, FieldConfigLoadsUnchanged) {
  auto config = parse_config(kFieldConfig, "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->concurrent, 10);
  EXPECT_EQ(config->check_interval, 15);
  // Both drive the runner loop (executor/runner.h): no warning.
  EXPECT_TRUE(config->warnings.empty());
  ASSERT_EQ(config->runners.size(), 2u);

  const RunnerConfig& first = config->runners[0];
  EXPECT_EQ(first.name, "myrunners3");
  EXPECT_EQ(first.url, "https://gitlab.mylab.com");
  EXPECT_EQ(first.token, "ngzTY4ehT3U63q5nhS_3");
  EXPECT_EQ(first.executor, "kubernetes");
  EXPECT_EQ(first.line, 3);
  EXPECT_EQ(first.kubernetes.image, "ubuntu:18.04");
  EXPECT_FALSE(first.kubernetes.privileged.has_value());
  EXPECT_EQ(first.kubernetes.poll_interval, 3);
  EXPECT_EQ(first.kubernetes.poll_timeout, 180);
  ASSERT_EQ(first.kubernetes.host_aliases.size(), 1u);
  EXPECT_EQ(first.kubernetes.host_aliases[0].ip, "10.0.0.216");
  EXPECT_EQ(first.kubernetes.host_aliases[0].hostnames,
            (std::vector<std::string>{"gitlab.mylab.com", "minio.mylab.com", "registry.mylab.com"}));

  const RunnerConfig& dind = config->runners[1];
  EXPECT_EQ(dind.name, "dind");
  EXPECT_EQ(dind.token, "glrt-aaa_cccbbbdddooo2222");
  EXPECT_EQ(dind.line, 13);
  EXPECT_EQ(dind.kubernetes.namespace_, "gitlab-runner");
  EXPECT_EQ(dind.kubernetes.image, "google/cloud-sdk:447.0.0-alpine");
  EXPECT_EQ(dind.kubernetes.privileged, std::optional<bool>(true));
  ASSERT_EQ(dind.kubernetes.services.size(), 1u);
  EXPECT_EQ(dind.kubernetes.services[0].name, "docker:24.0.6-dind-alpine3.18");
  ASSERT_EQ(dind.kubernetes.volumes.size(), 1u);
  EXPECT_EQ(dind.kubernetes.volumes[0].kind, "empty_dir");
  EXPECT_EQ(dind.kubernetes.volumes[0].name, "docker-certs");
  EXPECT_EQ(dind.kubernetes.volumes[0].mount_path, "/certs/client");
  EXPECT_EQ(dind.kubernetes.volumes[0].medium, "Memory");
}

TEST(ConfigTest, UnterminatedStringReportsItsPosition) {
  auto config = parse_config("concurrent = 1\n[[runners]]\n  name = \"abc\n", "broken.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "broken.toml:3:14");
  EXPECT_EQ(config.error().message,
            "Error while parsing string: unescaped control characters other than TAB (U+0009) are "
            "explicitly prohibited");
  EXPECT_EQ(config.error().hint,
            "config.toml must be valid TOML; see "
            "https://docs.gitlab.com/runner/configuration/advanced-configuration/");
}

TEST(ConfigTest, DoubleEqualsReportsItsPosition) {
  auto config = parse_config("concurrent = = 4\n", "broken.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "broken.toml:1:14");
  EXPECT_EQ(config.error().message, "Error while parsing value: could not determine value type");
}

TEST(ConfigTest, LineOffsetShiftsSyntaxErrorsAndRunnerLines) {
  auto broken = parse_config("concurrent = = 4\n", "scenario.toml", 10);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().where, "scenario.toml:11:14");

  auto config = parse_config(kFieldConfig, "scenario.toml", 10);
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->runners[1].line, 23);
}

TEST(ConfigTest, WrongTypeNamesKeyAndValuePosition) {
  auto config = parse_config("concurrent = \"ten\"\n", "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "config.toml:1:14");
  EXPECT_EQ(config.error().message, "concurrent: expected an integer, got a string");
  EXPECT_FALSE(config.error().hint.empty());

  auto nested = parse_config(with_kubernetes("    privileged = \"yes\"\n"), "config.toml");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().where, "config.toml:6:18");
  EXPECT_EQ(nested.error().message, "runners.kubernetes.privileged: expected a boolean (true or false), got a string");

  auto element = parse_config(with_kubernetes("    image_pull_secrets = [\"a\", 3]\n"), "config.toml");
  ASSERT_FALSE(element.ok());
  EXPECT_EQ(element.error().where, "config.toml:6:32");
  EXPECT_EQ(element.error().message, "runners.kubernetes.image_pull_secrets[1]: expected a string, got an integer");
}

TEST(ConfigTest, MissingRequiredKeyPointsAtTheRunner) {
  auto config = parse_config(
      "concurrent = 1\n\n[[runners]]\n  name = \"k8s\"\n  url = \"https://gitlab.example.com\"\n"
      "  executor = \"kubernetes\"\n",
      "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "config.toml:3:1");
  EXPECT_EQ(config.error().message, "runner \"k8s\": missing required key \"token\"");

  auto typo =
      parse_config("[[runners]]\n  url = \"https://g\"\n  tokne = \"t\"\n  executor = \"kubernetes\"\n", "config.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().where, "config.toml:3:3");
  EXPECT_EQ(typo.error().message,
            "runner #1: missing required key \"token\" (\"tokne\" looks like a misspelling of it)");
}

TEST(ConfigTest, OtherExecutorsAreRejected) {
  auto config =
      parse_config("[[runners]]\n  url = \"https://g\"\n  token = \"t\"\n  executor = \"docker\"\n", "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "config.toml:4:14");
  EXPECT_EQ(config.error().message,
            "runner #1: executor \"docker\" is not supported: kexsim only simulates the Kubernetes "
            "executor");
  EXPECT_EQ(config.error().hint, "set executor = \"kubernetes\"");
}

TEST(ConfigTest, UnsupportedKeysAreWarnedInFileOrder) {
  auto config = parse_config(
      "listen_address = \":9252\"\nlog_level = \"debug\"\n[session_server]\n  session_timeout = "
      "1800\n" +
          with_kubernetes("    suspend_pvc_size = \"1Gi\"\n"
                          "    [runners.kubernetes.autoscaler]\n"
                          "      max_pause_pods = 1\n"
                          "  [runners.cache]\n"
                          "    Type = \"s3\"\n"),
      "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  ASSERT_EQ(config->warnings.size(), 6u);
  auto text = [&](size_t i) { return config->warnings[i].where + ": " + config->warnings[i].message; };
  EXPECT_EQ(text(0), "config.toml:1:1: key \"listen_address\" is not supported by kexsim yet and is ignored");
  EXPECT_EQ(text(1), "config.toml:2:1: key \"log_level\" is not supported by kexsim yet and is ignored");
  EXPECT_EQ(text(2), "config.toml:3:2: key \"session_server\" is not supported by kexsim yet and is ignored");
  EXPECT_EQ(text(3),
            "config.toml:10:5: key \"runners.kubernetes.suspend_pvc_size\" is not supported by kexsim yet "
            "and is ignored");
  EXPECT_EQ(text(4),
            "config.toml:11:25: key \"runners.kubernetes.autoscaler\" is not supported by kexsim yet and "
            "is ignored");
  EXPECT_EQ(text(5), "config.toml:13:12: key \"runners.cache\" is not supported by kexsim yet and is ignored");
}

TEST(ConfigTest, TyposGetADidYouMean) {
  auto config = parse_config(with_kubernetes("    namepsace = \"ci\"\n    colour = \"red\"\n"
                                             "  [[runners.kubernetes.volumes.emptydir]]\n"
                                             "    name = \"x\"\n"),
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  ASSERT_EQ(config->warnings.size(), 3u);
  EXPECT_EQ(config->warnings[0].where, "config.toml:6:5");
  EXPECT_EQ(config->warnings[0].message, "unknown key \"runners.kubernetes.namepsace\" (did you mean \"namespace\"?)");
  EXPECT_EQ(config->warnings[1].message, "unknown key \"runners.kubernetes.colour\"");
  EXPECT_EQ(config->warnings[2].message,
            "unknown key \"runners.kubernetes.volumes.emptydir\" (did you mean \"empty_dir\"?)");
  EXPECT_TRUE(config->runners[0].kubernetes.volumes.empty());
}

TEST(ConfigTest, ReadsEveryVolumeKind) {
  auto config = parse_config(with_kubernetes(R"(
    [[runners.kubernetes.volumes.host_path]]
      name = "hp"
      mount_path = "/var/run/docker.sock"
      host_path = "/var/run/docker.sock"
      read_only = true
    [[runners.kubernetes.volumes.pvc]]
      name = "cache-$CI_PROJECT_ID"
      mount_path = "/cache"
    [[runners.kubernetes.volumes.config_map]]
      name = "cm"
      mount_path = "/etc/cm"
      [runners.kubernetes.volumes.config_map.items]
        "settings.xml" = "m2/settings.xml"
    [[runners.kubernetes.volumes.secret]]
      name = "sec"
      mount_path = "/etc/sec"
      sub_path = "token"
    [[runners.kubernetes.volumes.empty_dir]]
      name = "scratch"
      mount_path = "/scratch"
      size_limit = "1Gi"
    [[runners.kubernetes.volumes.csi]]
      name = "csi"
      mount_path = "/csi"
      driver = "secrets-store.csi.k8s.io"
      fs_type = "ext4"
    [[runners.kubernetes.volumes.nfs]]
      name = "nfs"
      mount_path = "/nfs"
      server = "10.0.0.5"
      path = "/export"
)"),
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  const auto& v = config->runners[0].kubernetes.volumes;
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v[0].kind, "host_path");
  EXPECT_EQ(v[0].host_path, "/var/run/docker.sock");
  EXPECT_TRUE(v[0].read_only);
  EXPECT_EQ(v[1].kind, "pvc");
  EXPECT_EQ(v[1].name, "cache-$CI_PROJECT_ID");
  EXPECT_EQ(v[2].kind, "config_map");
  EXPECT_EQ(v[2].items.at("settings.xml"), "m2/settings.xml");
  EXPECT_EQ(v[3].kind, "secret");
  EXPECT_EQ(v[3].sub_path, "token");
  EXPECT_EQ(v[4].kind, "empty_dir");
  EXPECT_EQ(v[4].size_limit, "1Gi");
  EXPECT_EQ(v[5].kind, "csi");
  EXPECT_EQ(v[5].driver, "secrets-store.csi.k8s.io");
  EXPECT_EQ(v[6].kind, "nfs");
  EXPECT_EQ(v[6].server, "10.0.0.5");
  EXPECT_EQ(v[6].path, "/export");
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0].message,
            "key \"runners.kubernetes.volumes.csi.fs_type\" is not supported by kexsim yet and is "
            "ignored");
}

TEST(ConfigTest, FeatureFlagsPollDefaultsAndConnection) {
  auto config = parse_config(R"(check_interval = 0
[[runners]]
  url = "https://gitlab.example.com"
  token = "glrt-x"
  executor = "kubernetes"
  tls-ca-file = "/etc/gitlab-runner/certs/ca.crt"
  builds_dir = "/builds"
  environment = ["GIT_SSL_NO_VERIFY=1"]
  [runners.feature_flags]
    FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY = true
    FF_USE_FASTZIP = false
  [runners.kubernetes]
    host = "https://10.0.0.1:6443"
    bearer_token = "tok"
    ca_file = "/ca.crt"
    namespace = "ci"
    service_account = "runner"
    helper_image = "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v16.0.0"
    privileged = false
    poll_interval = -1
    poll_timeout = 0
    cpu_limit = "1"
    memory_request = "256Mi"
    cleanup_grace_period_seconds = 5
    image_pull_secrets = ["regcred"]
    [runners.kubernetes.node_selector]
      "kubernetes.io/os" = "linux"
)",
                             "config.toml");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  // FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY picks the strategy, so only the other flag warns.
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0].message,
            "key \"runners.feature_flags.FF_USE_FASTZIP\" is not acted on by kexsim yet: the flag only shows "
            "in the \"feature flags:\" header line");
  EXPECT_EQ(config->check_interval, 3);
  const RunnerConfig& r = config->runners[0];
  EXPECT_EQ(r.tls_ca_file, "/etc/gitlab-runner/certs/ca.crt");
  EXPECT_EQ(r.builds_dir, "/builds");
  EXPECT_EQ(r.environment, std::vector<std::string>{"GIT_SSL_NO_VERIFY=1"});
  EXPECT_EQ(r.feature_flags, (std::map<std::string, bool>{{"FF_USE_FASTZIP", false},
                                                          {"FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", true}}));
  EXPECT_EQ(r.kubernetes.host, "https://10.0.0.1:6443");
  EXPECT_EQ(r.kubernetes.bearer_token, "tok");
  EXPECT_EQ(r.kubernetes.ca_file, "/ca.crt");
  EXPECT_EQ(r.kubernetes.service_account, "runner");
  EXPECT_EQ(r.kubernetes.privileged, std::optional<bool>(false));
  EXPECT_EQ(r.kubernetes.poll_interval, 3);
  EXPECT_EQ(r.kubernetes.poll_timeout, 180);
  EXPECT_EQ(r.kubernetes.cpu_limit, "1");
  EXPECT_EQ(r.kubernetes.memory_request, "256Mi");
  EXPECT_EQ(r.kubernetes.cleanup_grace_period_seconds, std::optional<int64_t>(5));
  EXPECT_EQ(r.kubernetes.image_pull_secrets, std::vector<std::string>{"regcred"});
  EXPECT_EQ(r.kubernetes.node_selector.at("kubernetes.io/os"), "linux");
}

TEST(ConfigTest, FeatureFlagsMustBeBooleans) {
  auto config = parse_config(
      "[[runners]]\n  url = \"https://g\"\n  token = \"t\"\n  executor = \"kubernetes\"\n"
      "  feature_flags = { FF_TIMESTAMPS = \"false\" }\n",
      "config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "config.toml:5:37");
  EXPECT_EQ(config.error().message,
            "runners.feature_flags.FF_TIMESTAMPS: expected a boolean (true or false), got a string");
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto config = load_config("/nonexistent/kexsim/config.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, "/nonexistent/kexsim/config.toml");
  EXPECT_EQ(config.error().message,
            "cannot read config file: open /nonexistent/kexsim/config.toml: no such file or directory");
}

TEST(TomlReaderTest, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("namepsace", "namespace"), 1);
  EXPECT_EQ(edit_distance("image", "imgae"), 1);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(closest_match("namepsace", {"image", "namespace"}), "namespace");
  EXPECT_EQ(closest_match("colour", {"image", "namespace"}), "");
  EXPECT_EQ(closest_match("ab", {"ip"}), "");
}

}  // namespace
}  // namespace kexsim::executor

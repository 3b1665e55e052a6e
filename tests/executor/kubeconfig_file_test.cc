// The kubeconfig loader (executor/kubeconfig_file.h) against client-go's clientcmd rules: the
// KUBECONFIG chain and its merge, context choice, relative paths, and each validation error.

#include "executor/kubeconfig_file.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "executor/kube_config.h"
#include "tests/support/temp_dir.h"

namespace kexsim::executor {
namespace {

const char kEmpty[] =
    "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable";
const char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/// A runner host rooted in a test directory.
class Host {
 public:
  Host() {
    host_.root = dir_.path().string();
    host_.env = &env_;
  }
  void put(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(host_.root + path).parent_path());
    ASSERT_TRUE(write_file(host_.root + path, text));
  }
  std::map<std::string, std::string>& env() { return env_; }
  const RunnerHostFiles& files() const { return host_; }
  Result<KubeconfigClientConfig> client(const std::string& context = {}) {
    auto loaded = load_kubeconfig(host_);
    if (!loaded) return loaded.error();
    return kubeconfig_client_config(*loaded, context, host_, kEmpty);
  }

 private:
  testing::TestDir dir_;
  std::map<std::string, std::string> env_ = {{"HOME", "/root"}};
  RunnerHostFiles host_;
};

const char kTwoContexts[] = R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example.com:6443
    certificate-authority: certs/prod-ca.crt
- name: staging
  cluster:
    server: https://staging.example.com
    insecure-skip-tls-verify: true
    tls-server-name: api.staging.internal
users:
- name: prod-runner
  user:
    tokenFile: ../tokens/prod
- name: staging-runner
  user:
    token: staging-token
contexts:
- name: prod
  context: {cluster: prod, user: prod-runner}
- name: staging
  context: {cluster: staging, user: staging-runner, namespace: ci}
current-context: staging
)";

TEST(KubeconfigFileTest, CurrentContextIsTheDefault) {
  Host host;
  host.put("/root/.kube/config", kTwoContexts);
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "https://staging.example.com");
  EXPECT_EQ(c->token, "staging-token");
  EXPECT_TRUE(c->insecure);
  EXPECT_EQ(c->server_name, "api.staging.internal");
  EXPECT_EQ(c->ca_pem, "");
}

TEST(KubeconfigFileTest, ANamedContextWinsAndRelativePathsFollowTheFile) {
  Host host;
  host.put("/root/.kube/config", kTwoContexts);
  host.put("/root/.kube/certs/prod-ca.crt", kPem);
  host.put("/root/tokens/prod", "  prod-token\n");  // the transport's file token source trims it
  auto c = host.client("prod");
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "https://prod.example.com:6443");
  EXPECT_EQ(c->token, "prod-token");
  EXPECT_EQ(c->ca_pem, kPem);
  EXPECT_FALSE(c->insecure);
}

TEST(KubeconfigFileTest, RelativePathsResolveAgainstTheirOwnFile) {
  auto parsed = parse_kubeconfig(kTwoContexts, "/etc/kube/a/config");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->clusters.at("prod").certificate_authority, "/etc/kube/a/certs/prod-ca.crt");
  EXPECT_EQ(parsed->users.at("prod-runner").token_file, "/etc/kube/tokens/prod");
  EXPECT_EQ(parsed->clusters.at("prod").origin, "/etc/kube/a/config");
}

TEST(KubeconfigFileTest, AMissingContextIsClientGosAggregate) {
  Host host;
  host.put("/root/.kube/config", kTwoContexts);
  auto c = host.client("production");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "invalid configuration: [context was not found for specified context: production, cluster has no server "
            "defined]");
  EXPECT_NE(c.error().hint.find("get-contexts"), std::string::npos);
}

TEST(KubeconfigFileTest, NoFileAtAllIsTheEmptyConfigError) {
  Host host;
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, kEmpty);
}

TEST(KubeconfigFileTest, KubeconfigEnvMergesFirstFileWinsPerKey) {
  Host host;
  host.env()["KUBECONFIG"] = "/a/config:/missing:/b/config:/a/config";
  host.put("/a/config", R"(clusters:
- name: shared
  cluster: {server: "https://from-a"}
users:
- name: u
  user: {token: a-token}
)");
  host.put("/b/config", R"(clusters:
- name: shared
  cluster: {server: "https://from-b"}
- name: only-b
  cluster: {server: "https://only-b"}
users:
- name: u
  user: {token: b-token}
contexts:
- name: c
  context: {cluster: shared, user: u}
- name: d
  context: {cluster: only-b, user: u}
current-context: c
)");
  EXPECT_EQ(kubeconfig_precedence(host.env()), (std::vector<std::string>{"/a/config", "/missing", "/b/config"}));
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "https://from-a");  // a's cluster, b's current-context
  EXPECT_EQ(c->token, "a-token");
  auto d = host.client("d");
  ASSERT_TRUE(d) << d.error().describe();
  EXPECT_EQ(d->host, "https://only-b");
}

TEST(KubeconfigFileTest, TheFirstCurrentContextSetWins) {
  Host host;
  host.env()["KUBECONFIG"] = "/a:/b:/c";
  host.put("/a", "clusters: []\n");
  host.put("/b", "current-context: from-b\n");
  host.put("/c", "current-context: from-c\n");
  auto loaded = load_kubeconfig(host.files());
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(loaded->current_context, "from-b");
}

TEST(KubeconfigFileTest, WithoutKubeconfigHomeIsUsed) {
  EXPECT_EQ(kubeconfig_precedence({{"HOME", "/home/gitlab-runner"}}),
            std::vector<std::string>{"/home/gitlab-runner/.kube/config"});
  EXPECT_EQ(kubeconfig_precedence({{"KUBECONFIG", ""}, {"HOME", "/root/"}}),
            std::vector<std::string>{"/root/.kube/config"});
}

TEST(KubeconfigFileTest, AnUnreadableClientCertificateNamesTheHostPath) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "https://k"}
users:
- name: me
  user: {client-certificate: me.crt}
contexts:
- name: k
  context: {cluster: k, user: me}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "invalid configuration: [client-key-data or client-key must be specified for me to use the clientCert "
            "authentication method., unable to read client-cert /root/.kube/me.crt for me due to open "
            "/root/.kube/me.crt: no such file or directory]");
}

TEST(KubeconfigFileTest, AMissingCertificateAuthorityFileIsOneError) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "https://k", certificate-authority: /etc/ca.pem}
contexts:
- name: k
  context: {cluster: k}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "invalid configuration: unable to read certificate-authority /etc/ca.pem for k due to open /etc/ca.pem: no "
            "such file or directory");
}

TEST(KubeconfigFileTest, AContextWhoseClusterHasNoServer) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {insecure-skip-tls-verify: true}
contexts:
- name: k
  context: {cluster: k}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "invalid configuration: no server found for cluster \"k\"");
}

TEST(KubeconfigFileTest, TwoAuthenticationMethodsAreRefused) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "https://k"}
users:
- name: me
  user: {token: t, username: u, password: p}
contexts:
- name: k
  context: {cluster: k, user: me}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "invalid configuration: more than one authentication method found for me; found [token basicAuth], only "
            "one is allowed");
}

TEST(KubeconfigFileTest, AnExecPluginIsNotSupportedByKexsim) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: eks
  cluster: {server: "https://eks"}
users:
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
contexts:
- name: eks
  context: {cluster: eks, user: aws}
current-context: eks
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("exec credential plugin (aws) of user \"aws\" is not supported by kexsim"),
            std::string::npos)
      << c.error().message;
}

TEST(KubeconfigFileTest, AnExecPluginWithoutApiVersionFailsValidationFirst) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "https://k"}
users:
- name: x
  user: {exec: {command: get-token}}
contexts:
- name: k
  context: {cluster: k, user: x}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "invalid configuration: [apiVersion must be specified for x to use exec authentication plugin, "
            "interactiveMode must be specified for x to use exec authentication plugin]");
}

TEST(KubeconfigFileTest, AMissingTokenFileIsTheReadError) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "https://k"}
users:
- name: me
  user: {tokenFile: /var/run/token}
contexts:
- name: k
  context: {cluster: k, user: me}
current-context: k
)");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "open /var/run/token: no such file or directory");
}

TEST(KubeconfigFileTest, CertificateDataIsDecodedAndWins) {
  Host host;
  host.put("/root/.kube/config",
           "clusters:\n- name: k\n  cluster:\n    server: https://k\n"
           "    certificate-authority-data: " +
               base64_encode(kPem) + "\nusers:\n- name: me\n  user:\n    client-certificate-data: " +
               base64_encode("CERT") + "\n    client-key-data: " + base64_encode("KEY") +
               "\ncontexts:\n- name: k\n  context: {cluster: k, user: me}\ncurrent-context: k\n");
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->ca_pem, kPem);
  EXPECT_EQ(c->cert_pem, "CERT");
  EXPECT_EQ(c->key_pem, "KEY");
}

TEST(KubeconfigFileTest, AServerWithoutSchemeIsPlainHttpWithoutCredentials) {
  Host host;
  host.put("/root/.kube/config", R"(clusters:
- name: k
  cluster: {server: "10.0.0.1:8080"}
users:
- name: me
  user: {token: secret}
contexts:
- name: k
  context: {cluster: k, user: me}
current-context: k
)");
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "http://10.0.0.1:8080");
  EXPECT_EQ(c->token, "");
}

TEST(KubeconfigFileTest, ABrokenFileIsAnErrorLoadingIt) {
  Host host;
  host.put("/root/.kube/config", "clusters: [\n");
  auto c = host.client();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.rfind("error loading config file \"/root/.kube/config\": yaml: line ", 0), 0u)
      << c.error().message;
}

TEST(KubeconfigFileTest, ADuplicateNameIsAConversionError) {
  auto parsed = parse_kubeconfig("contexts:\n- name: a\n  context: {}\n- name: a\n  context: {}\n", "/k");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "error converting *[]NamedContext into *map[string]*api.Context: duplicate name \"a\" in list");
}

// connect_to_cluster: the kubeconfig is the fallback of a runner outside the cluster.
TEST(KubeconfigFileTest, ConnectFallsBackToTheKubeconfigAndAppliesTheContextFrom18_5) {
  Host host;
  host.put("/root/.kube/config", kTwoContexts);
  host.put("/root/.kube/certs/prod-ca.crt", kPem);
  host.put("/root/tokens/prod", "prod-token");
  InClusterSource source;
  source.env = host.env();
  source.host_root = host.files().root;
  KubernetesConfig config;
  config.context = "prod";
  auto v19 = connect_to_cluster(config, source, Profile::kV19_4);
  ASSERT_TRUE(v19) << v19.error().describe();
  EXPECT_EQ(v19->base_url, "https://prod.example.com:6443");
  EXPECT_EQ(v19->token, "prod-token");
  EXPECT_EQ(v19->tls.ca_pem, kPem);
  // 17.11 has no context key: current-context (staging) it is.
  auto v17 = connect_to_cluster(config, source, Profile(17, 11));
  ASSERT_TRUE(v17) << v17.error().describe();
  EXPECT_EQ(v17->base_url, "https://staging.example.com");
  EXPECT_EQ(v17->tls.server_name, "api.staging.internal");
  EXPECT_TRUE(v17->tls.insecure_skip_verify);
}

TEST(KubeconfigFileTest, InsecureWithACertificateAuthorityFailsCreatingTheClient) {
  Host host;
  host.put("/root/.kube/config",
           "clusters:\n- name: k\n  cluster:\n    server: https://k\n"
           "    insecure-skip-tls-verify: true\n    certificate-authority-data: " +
               base64_encode(kPem) +
               "\ncontexts:\n- name: k\n  context: {cluster: k}\n"
               "current-context: k\n");
  InClusterSource source;
  source.env = host.env();
  source.host_root = host.files().root;
  auto c = connect_to_cluster(KubernetesConfig{}, source, Profile::kV19_4);
  ASSERT_FALSE(c);
  EXPECT_EQ(kube_connection_failure(c.error()),
            "creating Kubernetes client: specifying a root certificates file with the insecure flag is not allowed");
}

}  // namespace
}  // namespace kexsim::executor

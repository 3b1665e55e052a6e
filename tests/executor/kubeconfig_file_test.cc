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

/// A kubeconfig whose current context `k` joins cluster `k` (its `cluster:` map in YAML flow style) and,
/// when `user` is given, user `me` (its `user:` map).
std::string one_context(const std::string& cluster, const std::string& user = {}) {
  std::string out = "clusters:\n- name: k\n  cluster: " + cluster + "\n";
  if (!user.empty()) out += "users:\n- name: me\n  user: " + user + "\n";
  out += "contexts:\n- name: k\n  context: {cluster: k" + std::string(user.empty() ? "" : ", user: me") + "}\n";
  return out + "current-context: k\n";
}

/// A runner host whose home kubeconfig is `config`.
struct HomeConfig : Host {
  explicit HomeConfig(const std::string& config) { put("/root/.kube/config", config); }
  /// The loader's error message ("" when the client config resolves).
  std::string failure(const std::string& context = {}) {
    auto c = client(context);
    return c ? std::string() : c.error().message;
  }
  /// connect_to_cluster from this host, a runner outside the cluster.
  Result<KubeConnection> connect(const KubernetesConfig& config, Profile profile) {
    InClusterSource source;
    source.env = env();
    source.host_root = files().root;
    return connect_to_cluster(config, source, profile);
  }
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
  HomeConfig host(kTwoContexts);
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "https://staging.example.com");
  EXPECT_EQ(c->token, "staging-token");
  EXPECT_TRUE(c->insecure);
  EXPECT_EQ(c->server_name, "api.staging.internal");
  EXPECT_EQ(c->ca_pem, "");
}

TEST(KubeconfigFileTest, ANamedContextWinsAndRelativePathsFollowTheFile) {
  HomeConfig host(kTwoContexts);
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
  HomeConfig host(kTwoContexts);
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
  EXPECT_EQ(HomeConfig(one_context(R"({server: "https://k"})", "{client-certificate: me.crt}")).failure(),
            "invalid configuration: [client-key-data or client-key must be specified for me to use the clientCert "
            "authentication method., unable to read client-cert /root/.kube/me.crt for me due to open "
            "/root/.kube/me.crt: no such file or directory]");
}

TEST(KubeconfigFileTest, AMissingCertificateAuthorityFileIsOneError) {
  EXPECT_EQ(HomeConfig(one_context(R"({server: "https://k", certificate-authority: /etc/ca.pem})")).failure(),
            "invalid configuration: unable to read certificate-authority /etc/ca.pem for k due to open /etc/ca.pem: no "
            "such file or directory");
}

TEST(KubeconfigFileTest, AContextWhoseClusterHasNoServer) {
  EXPECT_EQ(HomeConfig(one_context("{insecure-skip-tls-verify: true}")).failure(),
            "invalid configuration: no server found for cluster \"k\"");
}

TEST(KubeconfigFileTest, TwoAuthenticationMethodsAreRefused) {
  EXPECT_EQ(HomeConfig(one_context(R"({server: "https://k"})", "{token: t, username: u, password: p}")).failure(),
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
  EXPECT_EQ(HomeConfig(one_context(R"({server: "https://k"})", "{exec: {command: get-token}}")).failure(),
            "invalid configuration: [apiVersion must be specified for me to use exec authentication plugin, "
            "interactiveMode must be specified for me to use exec authentication plugin]");
}

TEST(KubeconfigFileTest, AMissingTokenFileIsTheReadError) {
  EXPECT_EQ(HomeConfig(one_context(R"({server: "https://k"})", "{tokenFile: /var/run/token}")).failure(),
            "open /var/run/token: no such file or directory");
}

TEST(KubeconfigFileTest, CertificateDataIsDecodedAndWins) {
  HomeConfig host(one_context("{server: https://k, certificate-authority-data: " + base64_encode(kPem) + "}",
                              "{client-certificate-data: " + base64_encode("CERT") +
                                  ", client-key-data: " + base64_encode("KEY") + "}"));
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->ca_pem, kPem);
  EXPECT_EQ(c->cert_pem, "CERT");
  EXPECT_EQ(c->key_pem, "KEY");
}

// client-go's encoding/json decode of a []byte field: Go's CorruptInputError, after the file's name.
TEST(KubeconfigFileTest, BadCertificateAuthorityDataIsGosBase64Error) {
  EXPECT_EQ(HomeConfig(one_context("{server: https://k, certificate-authority-data: LS0t!S1C}")).failure(),
            "error loading config file \"/root/.kube/config\": illegal base64 data at input byte 4");
  // StdEncoding wants its padding: the unpadded form of a valid PEM is refused at its end.
  std::string unpadded = base64_encode("CA");
  unpadded.pop_back();
  EXPECT_EQ(HomeConfig(one_context("{server: https://k, certificate-authority-data: " + unpadded + "}")).failure(),
            "error loading config file \"/root/.kube/config\": illegal base64 data at input byte 0");
}

TEST(KubeconfigFileTest, AServerWithoutSchemeIsPlainHttpWithoutCredentials) {
  HomeConfig host(one_context(R"({server: "10.0.0.1:8080"})", "{token: secret}"));
  auto c = host.client();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->host, "http://10.0.0.1:8080");
  EXPECT_EQ(c->token, "");
}

TEST(KubeconfigFileTest, ABrokenFileIsAnErrorLoadingIt) {
  const std::string failure = HomeConfig("clusters: [\n").failure();
  EXPECT_EQ(failure.rfind("error loading config file \"/root/.kube/config\": yaml: line ", 0), 0u) << failure;
}

TEST(KubeconfigFileTest, ADuplicateNameIsAConversionError) {
  auto parsed = parse_kubeconfig("contexts:\n- name: a\n  context: {}\n- name: a\n  context: {}\n", "/k");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "error converting *[]NamedContext into *map[string]*api.Context: duplicate name \"a\" in list");
}

// connect_to_cluster: the kubeconfig is the fallback of a runner outside the cluster.
TEST(KubeconfigFileTest, ConnectFallsBackToTheKubeconfigAndAppliesTheContextFrom18_5) {
  HomeConfig host(kTwoContexts);
  host.put("/root/.kube/certs/prod-ca.crt", kPem);
  host.put("/root/tokens/prod", "prod-token");
  KubernetesConfig config;
  config.context = "prod";
  auto v19 = host.connect(config, Profile::kV19_4);
  ASSERT_TRUE(v19) << v19.error().describe();
  EXPECT_EQ(v19->base_url, "https://prod.example.com:6443");
  EXPECT_EQ(v19->token, "prod-token");
  EXPECT_EQ(v19->tls.ca_pem, kPem);
  // 17.11 has no context key: current-context (staging) it is.
  auto v17 = host.connect(config, Profile(17, 11));
  ASSERT_TRUE(v17) << v17.error().describe();
  EXPECT_EQ(v17->base_url, "https://staging.example.com");
  EXPECT_EQ(v17->tls.server_name, "api.staging.internal");
  EXPECT_TRUE(v17->tls.insecure_skip_verify);
}

TEST(KubeconfigFileTest, InsecureWithACertificateAuthorityFailsCreatingTheClient) {
  HomeConfig host(
      one_context("{server: https://k, insecure-skip-tls-verify: true, certificate-authority-data: " +
                  base64_encode(kPem) + "}"));
  auto c = host.connect(KubernetesConfig{}, Profile::kV19_4);
  ASSERT_FALSE(c);
  EXPECT_EQ(kube_connection_failure(c.error()),
            "creating Kubernetes client: specifying a root certificates file with the insecure flag is not allowed");
}

TEST(KubeconfigFileTest, ABasicAuthUserIsSentAsBasicAuthentication) {
  // client-go still sends username/password (basicAuthRoundTripper); only the API server dropped them (1.19).
  HomeConfig host(
      one_context("{server: https://k, insecure-skip-tls-verify: true}", "{username: ci, password: s3cret}"));
  auto c = host.connect(KubernetesConfig{}, Profile::kV19_4);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->username, "ci");
  EXPECT_EQ(c->password, "s3cret");
  // A bearer token from config.toml as well: transport.HTTPWrappersForConfig refuses the pair.
  KubernetesConfig with_token;
  with_token.bearer_token = "t";
  auto both = host.connect(with_token, Profile::kV19_4);
  ASSERT_FALSE(both);
  EXPECT_EQ(kube_connection_failure(both.error()),
            "creating Kubernetes client: username/password or bearer token may be set, but not both");
}

}  // namespace
}  // namespace kexsim::executor

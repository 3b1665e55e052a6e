#include "executor/kube_config.h"

#include "base/files.h"
#include "executor/kubeconfig_file.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// client-go tools/clientcmd: ErrEmptyConfig, what the kubeconfig fallback returns with no file. The
// KUBERNETES_MASTER hint came with client-go 1.19 (commit 3eda474f); 13.12 vendors a 1.16-era client-go.
constexpr const char* kNoConfiguration =
    "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable";
constexpr const char* kNoConfiguration13 = "invalid configuration: no configuration has been provided";

std::string user_agent(Profile profile) {
  // common/version.go: AppVersionInfo.UserAgent().
  return "gitlab-runner " + std::string(runner_version(profile)) + " (main; go1.24.6; linux/amd64)";
}

// client-go rest.InClusterConfig: the service env, then the token file (read verbatim), and
// the CA file beside it.
Result<KubeConnection> in_cluster_config(const InClusterSource& source) {
  auto host = source.env.find("KUBERNETES_SERVICE_HOST");
  auto port = source.env.find("KUBERNETES_SERVICE_PORT");
  if (host == source.env.end() || port == source.env.end() || host->second.empty() || port->second.empty())
    return make_error(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
        "must be defined");
  auto token = read_file(source.service_account_dir + "/token");
  if (!token) return make_error(token.error().message);
  KubeConnection out;
  const bool ipv6 = host->second.find(':') != std::string::npos;
  out.base_url = "https://" + (ipv6 ? "[" + host->second + "]" : host->second) + ":" + port->second;
  out.token = std::move(*token);
  out.tls.ca_file = source.service_account_dir + "/ca.crt";
  return out;
}

// Error::where of what kubernetes.NewForConfig refuses (kube_connection_failure wraps it apart).
constexpr const char* kNewForConfig = "kubernetes.NewForConfig";

// loadDefaultKubectlConfig: clientcmd's default loading rules, then the context (18.5+: the
// configured one; before, and when empty, current-context).
Result<KubeConnection> kubectl_config(const KubernetesConfig& config, const InClusterSource& host_source,
                                      Profile profile, const std::string& in_cluster_failure) {
  RunnerHostFiles host{&host_source.env, host_source.host_root};
  auto loaded = load_kubeconfig(host);
  if (!loaded) return loaded.error();
  const std::string context = reads_kube_context(profile) ? config.context : std::string();
  const std::string empty = empty_config_names_kubernetes_master(profile) ? kNoConfiguration : kNoConfiguration13;
  auto client = kubeconfig_client_config(*loaded, context, host, empty);
  if (!client) {
    Error e = client.error();
    if (e.message == empty) {
      const auto chain = kubeconfig_precedence(host_source.env);
      std::string files;
      for (const auto& f : chain) files += (files.empty() ? "" : ":") + f;
      e.hint = "in-cluster discovery failed (" + in_cluster_failure + ") and the kubeconfig (" + files +
               ") names no usable cluster: set [runners.kubernetes] host, run the runner in the cluster, or give it a "
               "kubeconfig (KUBECONFIG or ~/.kube/config)";
    }
    return e;
  }
  // transport.TLSConfigFor, met when the client is made.
  if (client->insecure && !client->ca_pem.empty())
    return make_error("specifying a root certificates file with the insecure flag is not allowed",
                      "drop insecure-skip-tls-verify or the certificate-authority of the kubeconfig's cluster",
                      kNewForConfig);
  if (!client->ca_pem.empty() && client->ca_pem.find("-----BEGIN") == std::string::npos)
    return make_error("unable to load root certificates: unable to parse bytes as PEM block",
                      "the kubeconfig's certificate-authority(-data) must hold PEM certificates", kNewForConfig);
  KubeConnection out;
  out.base_url = client->host;
  out.token = client->token;
  out.username = client->username;
  out.password = client->password;
  out.tls.ca_pem = client->ca_pem;
  out.tls.cert_file = client->cert_file;
  out.tls.key_file = client->key_file;
  out.tls.cert_pem = client->cert_pem;
  out.tls.key_pem = client->key_pem;
  out.tls.insecure_skip_verify = client->insecure;
  out.tls.server_name = client->server_name;
  // getKubeClientConfig: the overwrites' bearer token (bearer_token, or KUBERNETES_BEARER_TOKEN) wins.
  if (!config.bearer_token.empty()) out.token = config.bearer_token;
  // transport.HTTPWrappersForConfig, met when kubernetes.NewForConfig makes the client.
  if (!out.token.empty() && (!out.username.empty() || !out.password.empty()))
    return make_error("username/password or bearer token may be set, but not both",
                      "the bearer token (bearer_token or KUBERNETES_BEARER_TOKEN) and the kubeconfig user's "
                      "username/password cannot both be used: drop one",
                      kNewForConfig);
  return out;
}

}  // namespace

// executors/kubernetes/kubernetes.go prepareConnections: "getting Kubernetes config: %w" / "creating Kubernetes
// client: %w".
std::string kube_connection_failure(const Error& error) {
  return (error.where == kNewForConfig ? "creating Kubernetes client: " : "getting Kubernetes config: ") +
         error.message;
}

Result<KubeConnection> connect_to_cluster(const KubernetesConfig& config, const InClusterSource& in_cluster,
                                          Profile profile) {
  KubeConnection out;
  if (!config.host.empty()) {
    out.base_url = config.host;
    if (out.base_url.find("://") == std::string::npos) out.base_url = "https://" + out.base_url;
    out.token = config.bearer_token;
    out.tls.ca_file = config.ca_file;
    out.tls.cert_file = config.cert_file;
    out.tls.key_file = config.key_file;
  } else {
    auto discovered = in_cluster_config(in_cluster);
    if (!discovered) {
      auto kubectl = kubectl_config(config, in_cluster, profile, discovered.error().message);
      if (!kubectl) return kubectl.error();
      out = std::move(*kubectl);
      out.user_agent = user_agent(profile);
      out.profile = profile;
      return out;
    }
    out = std::move(*discovered);
    // kexsim keeps its historical behaviour here: a configured bearer_token wins over the file.
    if (!config.bearer_token.empty()) out.token = config.bearer_token;
    if (!config.ca_file.empty()) out.tls.ca_file = config.ca_file;
    out.tls.cert_file = config.cert_file;
    out.tls.key_file = config.key_file;
  }
  out.user_agent = user_agent(profile);
  out.profile = profile;
  return out;
}

}  // namespace kexsim::executor

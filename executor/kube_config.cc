#include "executor/kube_config.h"

#include "base/files.h"
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

}  // namespace

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
      return make_error(empty_config_names_kubernetes_master(profile) ? kNoConfiguration : kNoConfiguration13,
                        "in-cluster discovery failed (" + discovered.error().message +
                            ") and kexsim reads no kubeconfig: set [runners.kubernetes] host, or run where "
                            "the service-account token and KUBERNETES_SERVICE_HOST/PORT exist");
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

#pragma once
// Where the Kubernetes API server is and who the executor is to it: [runners.kubernetes] host and
// credentials, or client-go's in-cluster discovery (service env, service-account token and CA).

#include <map>
#include <string>

#include "base/result.h"
#include "executor/config.h"
#include "executor/http/tls_contexts.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Where the executor finds in-cluster credentials when [runners.kubernetes] has no host.
struct InClusterSource {
  std::map<std::string, std::string> env;  ///< KUBERNETES_SERVICE_HOST / _PORT
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

/// A resolved connection: what KubeClient and its HttpClient need.
struct KubeConnection {
  std::string base_url;  ///< e.g. https://10.96.0.1:443
  std::string token;     ///< bearer token; empty: none
  TlsSettings tls;
  std::string user_agent;             ///< GitLab Runner's AppVersion.UserAgent()
  Profile profile = Profile::kV19_4;  ///< the runner release, for what its client-go offers (exec protocols)
};

/// GitLab Runner's getKubeClientConfig: host set -> out-of-cluster config from the file; otherwise
/// rest.InClusterConfig, and when that fails the kubeconfig fallback (which kexsim does not
/// read, so it fails as client-go does with no kubeconfig). The error is the inner text that
/// follows "getting Kubernetes config: "; its hint says why in-cluster discovery failed.
Result<KubeConnection> connect_to_cluster(const KubernetesConfig& config, const InClusterSource& in_cluster,
                                          Profile profile);

}  // namespace kexsim::executor

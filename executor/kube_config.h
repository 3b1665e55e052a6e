#pragma once
// Where the Kubernetes API server is and who the executor is to it: [runners.kubernetes] host and
// credentials, or client-go's in-cluster discovery (service env, service-account token and CA), or
// the default kubectl config (KUBECONFIG or ~/.kube/config, executor/kubeconfig_file.h).

#include <map>
#include <string>

#include "base/result.h"
#include "executor/config.h"
#include "executor/http/tls_contexts.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Where the executor finds in-cluster credentials, or its kubeconfig, when [runners.kubernetes] has no host.
struct InClusterSource {
  std::map<std::string, std::string> env;  ///< the process env: KUBERNETES_SERVICE_HOST / _PORT, KUBECONFIG, HOME
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";  ///< a path on this machine
  /// Where the runner host's absolute paths (the kubeconfig files and the files they name) are on
  /// this machine: empty in production; the harness's directory holding the simulated host's files.
  std::string host_root;
};

/// A resolved connection: what KubeClient and its HttpClient need.
struct KubeConnection {
  std::string base_url;  ///< e.g. https://10.96.0.1:443
  std::string token;     ///< bearer token; empty: none
  TlsSettings tls;
  std::string user_agent;             ///< GitLab Runner's AppVersion.UserAgent()
  Profile profile = Profile::kV19_4;  ///< the runner release, for what its client-go offers (exec protocols)
  /// kubeconfig username/password: client-go's basicAuthRoundTripper sends them when there is no token.
  std::string username, password;
};

/// GitLab Runner's getKubeClientConfig: host set -> out-of-cluster config from the file; otherwise
/// rest.InClusterConfig, and when that fails the default kubectl config (loadDefaultKubectlConfig,
/// with [runners.kubernetes] context from 18.5). The error is the inner text that follows
/// "getting Kubernetes config: " (or "creating Kubernetes client: ", see kube_connection_failure);
/// its hint says why in-cluster discovery failed when that matters.
Result<KubeConnection> connect_to_cluster(const KubernetesConfig& config, const InClusterSource& in_cluster,
                                          Profile profile);

/// The job's failure text for an error of connect_to_cluster, as kubernetes.go Prepare wraps it:
/// "getting Kubernetes config: ..." or, for what kubernetes.NewForConfig refuses, "creating Kubernetes client: ...".
std::string kube_connection_failure(const Error& error);

}  // namespace kexsim::executor

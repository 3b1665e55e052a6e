#pragma once
// client-go's kubeconfig (tools/clientcmd): the v1 Config files read with yaml-cpp, the KUBECONFIG
// chain merged by clientcmd's loading rules, and one context turned into what a rest.Config holds.
// Files are read on the runner host: absolute paths under a root (empty in production).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace kexsim::executor {

/// A kubeconfig `clusters[].cluster` entry (clientcmd/api Cluster).
struct KubeconfigCluster {
  std::string server;
  std::string certificate_authority;       ///< a path, resolved against the file's directory
  std::string certificate_authority_data;  ///< PEM (base64-decoded from the file)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
  std::string origin;  ///< the file it came from (LocationOfOrigin)
};

/// A kubeconfig `users[].user` entry (clientcmd/api AuthInfo).
struct KubeconfigUser {
  std::string client_certificate, client_certificate_data;  ///< path (resolved) or PEM
  std::string client_key, client_key_data;                  ///< path (resolved) or PEM
  std::string token, token_file;
  std::string username, password;
  bool exec = false;         ///< an `exec` credential plugin is configured
  std::string exec_command;  ///< its command
  std::string exec_api_version;
  std::string exec_interactive_mode;
  std::string auth_provider;  ///< `auth-provider.name`, when one is configured
  bool has_auth_provider = false;
  std::string origin;
};

/// A kubeconfig `contexts[].context` entry.
struct KubeconfigContext {
  std::string cluster, user, namespace_;
  std::string origin;
};

/// A kubeconfig, one file's or the merge of the KUBECONFIG chain (clientcmd/api Config).
struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;
};

/// What the runner host offers the loader: its environment (HOME, KUBECONFIG) and where its
/// absolute paths are on this machine.
struct RunnerHostFiles {
  const std::map<std::string, std::string>* env = nullptr;
  std::string root;  ///< prefix of every absolute path read; empty: the real file system
};

/// What clientcmd's ClientConfig() gives the runner (the rest.Config fields kexsim uses).
struct KubeconfigClientConfig {
  std::string host;  ///< with a scheme (rest.DefaultServerURL's https/http default applied)
  std::string token;
  std::string username, password;   ///< basic authentication
  std::string ca_pem;               ///< certificate-authority-data or the file's content
  std::string cert_file, key_file;  ///< on this machine (root applied)
  std::string cert_pem, key_pem;    ///< client-certificate-data / client-key-data
  bool insecure = false;
  std::string server_name;  ///< tls-server-name
};

/// Parses one kubeconfig file's text; origin is the file's path on the runner host (relative
/// paths inside resolve against its directory, as clientcmd.ResolveLocalPaths does).
Result<Kubeconfig> parse_kubeconfig(std::string_view yaml, const std::string& origin);

/// clientcmd.NewDefaultClientConfigLoadingRules: KUBECONFIG split on ':' (duplicates dropped), or
/// $HOME/.kube/config.
std::vector<std::string> kubeconfig_precedence(const std::map<std::string, std::string>& env);

/// ClientConfigLoadingRules.Load: every file of the chain that exists, merged (the first file to
/// set a map key or current-context wins). No file at all is an empty config, not an error.
Result<Kubeconfig> load_kubeconfig(const RunnerHostFiles& host);

/// NewNonInteractiveClientConfig(config, context).ClientConfig(); an empty context means
/// current-context. Errors carry client-go's wording and a kexsim hint.
/// empty_config_message: ErrEmptyConfig's text in this release's client-go.
Result<KubeconfigClientConfig> kubeconfig_client_config(const Kubeconfig& config, const std::string& context,
                                                        const RunnerHostFiles& host,
                                                        const std::string& empty_config_message);

}  // namespace kexsim::executor

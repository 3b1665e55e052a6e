#include "executor/kubeconfig_file.h"

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

#include "base/base64.h"
#include "base/files.h"
#include "base/strings.h"

namespace kexsim::executor {
namespace {

constexpr const char* kLoadHint =
    "fix the kubeconfig file (kubectl --kubeconfig FILE config view shows what client-go reads), or remove it "
    "from KUBECONFIG";
constexpr const char* kContextHint =
    "name a context of the kubeconfig in [runners.kubernetes] context (kubectl config get-contexts lists them), "
    "or set current-context";

std::string scalar(const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  return n && n.IsScalar() ? n.as<std::string>() : std::string();
}

bool boolean(const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  return n && n.IsScalar() && n.as<bool>(false);
}

// clientcmd.ResolveLocalPaths: a relative path is joined to the directory of the file it came from.
std::string resolve(const std::string& path, const std::string& origin) {
  if (path.empty() || path[0] == '/') return path;
  const auto slash = origin.rfind('/');
  std::string dir = slash == std::string::npos ? "/" : origin.substr(0, slash);
  if (dir.empty() || dir[0] != '/') dir = "/" + dir;  // kexsim: the runner's working directory is /
  std::string joined = dir == "/" ? "/" + path : dir + "/" + path;
  // filepath.Join cleans the result: "a/./b" -> "a/b", "a/x/../b" -> "a/b".
  std::vector<std::string> parts;
  for (const auto& part : split(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

// A base64 []byte field, as encoding/json decodes it (clientcmd's YAML serializer turns the file into
// JSON first): Go's "illegal base64 data at input byte N", which the loader prefixes with the file.
Result<std::string> data_field(const YAML::Node& map, const char* key) {
  const std::string text = scalar(map, key);
  if (text.empty()) return std::string();
  auto decoded = go_base64_decode(text);
  if (!decoded)
    return make_error(decoded.error().message, std::string("the ") + key +
                                                   " field is not padded standard base64: encode the PEM again "
                                                   "(base64 -w0 FILE)");
  return *decoded;
}

// The "name" + inner map pairs of a named list (clusters, users, contexts); v1 conversion refuses a
// name given twice.
template <class Read>
Status read_named(const YAML::Node& root, const char* list, const char* inner, const char* go_types, Read read) {
  const YAML::Node items = root[list];
  if (!items || items.IsNull()) return {};
  if (!items.IsSequence()) return make_error(std::string("\"") + list + "\" must be a list", kLoadHint);
  std::set<std::string> seen;
  for (const auto& item : items) {
    if (!item.IsMap()) return make_error(std::string("an entry of \"") + list + "\" must be a map", kLoadHint);
    const std::string name = scalar(item, "name");
    if (!seen.insert(name).second)
      // tools/clientcmd/api/v1/conversion.go (the list itself follows in Go's %v form; kexsim leaves it out).
      return make_error(std::string("error converting *[]") + go_types + ": duplicate name \"" + name + "\" in list",
                        kLoadHint);
    const YAML::Node body = item[inner];
    if (auto ok = read(name, body && body.IsMap() ? body : YAML::Node(YAML::NodeType::Map)); !ok) return ok;
  }
  return {};
}

// utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated inside [...].
std::string aggregate(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors.front();
  std::set<std::string> seen;
  std::string out;
  for (const auto& e : errors) {
    if (!seen.insert(e).second) continue;
    out += (out.empty() ? "" : ", ") + e;
  }
  return seen.size() == 1 ? out : "[" + out + "]";
}

// A path of the runner host, on this machine. Relative paths start at the runner's working directory (/).
std::string on_host(const RunnerHostFiles& host, const std::string& path) {
  if (host.root.empty()) return path;  // production: the real file system, relative to the working directory
  return host.root + (path.empty() || path[0] != '/' ? "/" : "") + path;
}

// read_file on the host, its error naming the host's path ("open /x: no such file or directory").
Result<std::string> read_host_file(const RunnerHostFiles& host, const std::string& path) {
  auto text = read_file(on_host(host, path));
  if (!text) {
    Error e = text.error();
    if (!host.root.empty())
      if (auto at = e.message.find(on_host(host, path)); at != std::string::npos)
        e.message.replace(at, on_host(host, path).size(), path);
    e.where = path;
    return e;
  }
  return text;
}

bool host_file_opens(const RunnerHostFiles& host, const std::string& path, std::string& why) {
  auto text = read_host_file(host, path);
  if (text) return true;
  why = text.error().message;
  return false;
}

// validation.go validateAuthInfo (usingAuthPath is always false there).
void validate_user(const std::string& name, const KubeconfigUser& u, const RunnerHostFiles& host,
                   std::vector<std::string>& errors) {
  std::vector<std::string> methods;
  if (!u.token.empty()) methods.push_back("token");
  if (!u.username.empty() || !u.password.empty()) methods.push_back("basicAuth");
  if (!u.client_certificate.empty() || !u.client_certificate_data.empty()) {
    if (!u.client_certificate.empty() && !u.client_certificate_data.empty())
      errors.push_back("client-cert-data and client-cert are both specified for " + name +
                       ". client-cert-data will override.");
    if (!u.client_key.empty() && !u.client_key_data.empty())
      errors.push_back("client-key-data and client-key are both specified for " + name +
                       "; client-key-data will override");
    if (u.client_key.empty() && u.client_key_data.empty())
      errors.push_back("client-key-data or client-key must be specified for " + name +
                       " to use the clientCert authentication method.");
    std::string why;
    if (!u.client_certificate.empty() && !host_file_opens(host, u.client_certificate, why))
      errors.push_back("unable to read client-cert " + u.client_certificate + " for " + name + " due to " + why);
    if (!u.client_key.empty() && !host_file_opens(host, u.client_key, why))
      errors.push_back("unable to read client-key " + u.client_key + " for " + name + " due to " + why);
  }
  if (u.exec) {
    if (u.has_auth_provider)
      errors.push_back("authProvider cannot be provided in combination with an exec plugin for " + name);
    if (u.exec_command.empty())
      errors.push_back("command must be specified for " + name + " to use exec authentication plugin");
    if (u.exec_api_version.empty())
      errors.push_back("apiVersion must be specified for " + name + " to use exec authentication plugin");
    const std::string& mode = u.exec_interactive_mode;
    if (mode.empty())
      errors.push_back("interactiveMode must be specified for " + name + " to use exec authentication plugin");
    else if (mode != "Never" && mode != "IfAvailable" && mode != "Always")
      errors.push_back("invalid interactiveMode for " + name + ": \"" + mode + "\"");
  }
  if (methods.size() > 1) {
    std::string found;
    for (const auto& m : methods) found += (found.empty() ? "" : " ") + m;
    errors.push_back("more than one authentication method found for " + name + "; found [" + found +
                     "], only one is allowed");
  }
}

// validation.go validateClusterInfo; found: the context named a cluster that exists.
void validate_cluster(const std::string& name, const KubeconfigCluster& c, bool found, const RunnerHostFiles& host,
                      std::vector<std::string>& errors) {
  if (!found) {
    errors.push_back("cluster has no server defined");  // ErrEmptyCluster
    return;
  }
  if (c.server.empty())
    errors.push_back(name.empty() ? "default cluster has no server defined"
                                  : "no server found for cluster \"" + name + "\"");
  if (!c.certificate_authority.empty() && !c.certificate_authority_data.empty())
    errors.push_back("certificate-authority-data and certificate-authority are both specified for " + name +
                     ". certificate-authority-data will override.");
  std::string why;
  if (!c.certificate_authority.empty() && !host_file_opens(host, c.certificate_authority, why))
    errors.push_back("unable to read certificate-authority " + c.certificate_authority + " for " + name + " due to " +
                     why);
}

}  // namespace

Result<Kubeconfig> parse_kubeconfig(std::string_view yaml, const std::string& origin) {
  Kubeconfig out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    // Go reports "yaml: line N: <what>"; the <what> here is yaml-cpp's wording, not go-yaml's.
    return make_error("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg, kLoadHint);
  }
  if (!root || root.IsNull()) return out;  // an empty file is an empty config
  if (!root.IsMap()) return make_error("the kubeconfig is not a YAML map", kLoadHint);
  try {
    out.current_context = scalar(root, "current-context");
    auto clusters = read_named(root, "clusters", "cluster", "NamedCluster into *map[string]*api.Cluster",
                               [&](const std::string& name, const YAML::Node& c) -> Status {
                                 KubeconfigCluster cluster;
                                 cluster.server = scalar(c, "server");
                                 cluster.certificate_authority = resolve(scalar(c, "certificate-authority"), origin);
                                 auto data = data_field(c, "certificate-authority-data");
                                 if (!data) return data.error();
                                 cluster.certificate_authority_data = *data;
                                 cluster.insecure_skip_tls_verify = boolean(c, "insecure-skip-tls-verify");
                                 cluster.tls_server_name = scalar(c, "tls-server-name");
                                 cluster.proxy_url = scalar(c, "proxy-url");
                                 cluster.origin = origin;
                                 out.clusters[name] = std::move(cluster);
                                 return {};
                               });
    if (!clusters) return clusters.error();
    auto users = read_named(root, "users", "user", "NamedAuthInfo into *map[string]*api.AuthInfo",
                            [&](const std::string& name, const YAML::Node& u) -> Status {
                              KubeconfigUser user;
                              user.client_certificate = resolve(scalar(u, "client-certificate"), origin);
                              user.client_key = resolve(scalar(u, "client-key"), origin);
                              auto cert = data_field(u, "client-certificate-data");
                              if (!cert) return cert.error();
                              auto key = data_field(u, "client-key-data");
                              if (!key) return key.error();
                              user.client_certificate_data = *cert;
                              user.client_key_data = *key;
                              user.token = scalar(u, "token");
                              user.token_file = resolve(scalar(u, "tokenFile"), origin);
                              user.username = scalar(u, "username");
                              user.password = scalar(u, "password");
                              if (const YAML::Node exec = u["exec"]; exec && exec.IsMap()) {
                                user.exec = true;
                                user.exec_command = scalar(exec, "command");
                                user.exec_api_version = scalar(exec, "apiVersion");
                                user.exec_interactive_mode = scalar(exec, "interactiveMode");
                                // api/v1 defaults.go SetDefaults_ExecConfig: the beta and alpha protocols default to
                                // IfAvailable.
                                if (user.exec_interactive_mode.empty() &&
                                    (user.exec_api_version == "client.authentication.k8s.io/v1beta1" ||
                                     user.exec_api_version == "client.authentication.k8s.io/v1alpha1"))
                                  user.exec_interactive_mode = "IfAvailable";
                              }
                              if (const YAML::Node provider = u["auth-provider"]; provider && provider.IsMap()) {
                                user.has_auth_provider = true;
                                user.auth_provider = scalar(provider, "name");
                              }
                              user.origin = origin;
                              out.users[name] = std::move(user);
                              return {};
                            });
    if (!users) return users.error();
    auto contexts = read_named(root, "contexts", "context", "NamedContext into *map[string]*api.Context",
                               [&](const std::string& name, const YAML::Node& c) -> Status {
                                 KubeconfigContext context;
                                 context.cluster = scalar(c, "cluster");
                                 context.user = scalar(c, "user");
                                 context.namespace_ = scalar(c, "namespace");
                                 context.origin = origin;
                                 out.contexts[name] = std::move(context);
                                 return {};
                               });
    if (!contexts) return contexts.error();
  } catch (const YAML::Exception& e) {
    return make_error(std::string("yaml: ") + e.what(), kLoadHint);
  }
  return out;
}

std::vector<std::string> kubeconfig_precedence(const std::map<std::string, std::string>& env) {
  std::vector<std::string> chain;
  if (auto it = env.find("KUBECONFIG"); it != env.end() && !it->second.empty()) {
    // filepath.SplitList, then deduplicate (the first of each path stays).
    for (const auto& path : split(it->second, ':'))
      if (std::find(chain.begin(), chain.end(), path) == chain.end()) chain.push_back(path);
    return chain;
  }
  // clientcmd.RecommendedHomeFile: filepath.Join(homedir.HomeDir(), ".kube", "config").
  auto home = env.find("HOME");
  const std::string dir = home == env.end() ? std::string() : home->second;
  chain.push_back(dir.empty() ? ".kube/config" : (ends_with(dir, "/") ? dir : dir + "/") + ".kube/config");
  return chain;
}

Result<Kubeconfig> load_kubeconfig(const RunnerHostFiles& host) {
  static const std::map<std::string, std::string> kNoEnv;
  Kubeconfig merged;
  std::vector<std::string> errors;
  for (const auto& path : kubeconfig_precedence(host.env ? *host.env : kNoEnv)) {
    if (path.empty()) continue;
    auto text = read_host_file(host, path);
    if (!text) {
      // A missing file is skipped (loader.go: os.IsNotExist); any other failure is reported.
      if (text.error().message.find("no such file or directory") != std::string::npos) continue;
      errors.push_back("error loading config file \"" + path + "\": " + text.error().message);
      continue;
    }
    auto file = parse_kubeconfig(*text, path);
    if (!file) {
      errors.push_back("error loading config file \"" + path + "\": " + file.error().message);
      continue;
    }
    // The first file to set a map key wins, and so does the first to set current-context.
    merged.clusters.insert(file->clusters.begin(), file->clusters.end());
    merged.users.insert(file->users.begin(), file->users.end());
    merged.contexts.insert(file->contexts.begin(), file->contexts.end());
    if (merged.current_context.empty()) merged.current_context = file->current_context;
  }
  if (!errors.empty()) return make_error(aggregate(errors), kLoadHint);
  return merged;
}

Result<KubeconfigClientConfig> kubeconfig_client_config(const Kubeconfig& config, const std::string& context,
                                                        const RunnerHostFiles& host,
                                                        const std::string& empty_config_message) {
  // getContextName: the asked-for context, else current-context (neither is "required": a missing
  // one is reported by ConfirmUsable, with the empty cluster it leads to).
  const std::string context_name = context.empty() ? config.current_context : context;
  const auto ctx = config.contexts.find(context_name);
  const KubeconfigContext chosen = ctx == config.contexts.end() ? KubeconfigContext{} : ctx->second;
  const auto user_it = config.users.find(chosen.user);
  const KubeconfigUser user = user_it == config.users.end() ? KubeconfigUser{} : user_it->second;
  const auto cluster_it = config.clusters.find(chosen.cluster);
  const bool cluster_found = cluster_it != config.clusters.end();
  const KubeconfigCluster cluster = cluster_found ? cluster_it->second : KubeconfigCluster{};

  // client_config.go ConfirmUsable.
  std::vector<std::string> errors;
  if (!context_name.empty() && ctx == config.contexts.end())
    errors.push_back("context was not found for specified context: " + context_name);
  validate_user(chosen.user, user, host, errors);
  validate_cluster(chosen.cluster, cluster, cluster_found, host, errors);
  if (errors.size() == 1 && errors.front() == "cluster has no server defined")
    return make_error(empty_config_message,
                      "the kubeconfig names no cluster with a server: set current-context (or [runners.kubernetes] "
                      "context) to a context whose cluster has a server, or set [runners.kubernetes] host");
  if (!errors.empty()) {
    const bool context_missing = !context_name.empty() && ctx == config.contexts.end();
    return make_error("invalid configuration: " + aggregate(errors),
                      context_missing ? kContextHint : "fix the kubeconfig entries named in the message");
  }

  KubeconfigClientConfig out;
  // rest.DefaultServerURL: a server without a scheme is plain http when nothing asks for TLS yet
  // (IsConfigTransportTLS looks at the host alone here), and then no credentials are sent.
  out.host = cluster.server;
  if (out.host.find("://") == std::string::npos) out.host = "http://" + out.host;
  if (!starts_with(out.host, "https://")) return out;

  // getUserIdentificationPartialConfig.
  if (!user.token.empty()) {
    out.token = user.token;
  } else if (!user.token_file.empty()) {
    auto token = read_host_file(host, user.token_file);
    if (!token) return make_error(token.error().message, "check the user's tokenFile path in the kubeconfig");
    // The transport reads the file through NewCachedFileTokenSource, which trims it.
    out.token = std::string(trim_view(*token));
  }
  if (!user.client_certificate_data.empty()) {
    out.cert_pem = user.client_certificate_data;
  } else if (!user.client_certificate.empty()) {
    out.cert_file = on_host(host, user.client_certificate);
  }
  if (!user.client_key_data.empty()) {
    out.key_pem = user.client_key_data;
  } else if (!user.client_key.empty()) {
    out.key_file = on_host(host, user.client_key);
  }
  // Sent as basic authentication; API servers since 1.19 treat it as no credential (system:anonymous).
  out.username = user.username;
  out.password = user.password;
  if (user.exec)
    return make_error("kexsim: the exec credential plugin (" + user.exec_command + ") of user \"" + chosen.user +
                          "\" is not supported by kexsim",
                      "kexsim runs no host commands: give the user a token, tokenFile or client certificate");
  if (user.has_auth_provider)
    return make_error("kexsim: the auth-provider \"" + user.auth_provider + "\" of user \"" + chosen.user +
                          "\" is not supported by kexsim",
                      "give the user a token, tokenFile or client certificate");

  // getServerIdentificationPartialConfig; the transport prefers CAData over CAFile.
  if (!cluster.certificate_authority_data.empty()) {
    out.ca_pem = cluster.certificate_authority_data;
  } else if (!cluster.certificate_authority.empty()) {
    auto ca = read_host_file(host, cluster.certificate_authority);
    if (!ca) return make_error(ca.error().message, "check the cluster's certificate-authority path");
    out.ca_pem = std::move(*ca);
  }
  out.insecure = cluster.insecure_skip_tls_verify;
  out.server_name = cluster.tls_server_name;
  return out;
}

}  // namespace kexsim::executor

#include "sim/world.h"

#include <algorithm>
#include <charconv>

#include "base/random.h"
#include "sim/scenario_jobs.h"

namespace kexsim::sim {
namespace {

/// Where a URL points: its host and port (the scheme's default when it names none).
struct HostPort {
  std::string host;
  int port = 443;
};

/// Splits scheme://host[:port]/... ([v6]:port too); a port that is not a number in 1-65535 is an
/// error, not port 0.
Result<HostPort> split_url(const std::string& url) {
  HostPort out;
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) {
    if (rest.substr(0, p) == "http") out.port = 80;
    rest = rest.substr(p + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t colon = std::string::npos;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return make_error("invalid URL " + url + ": unterminated [ in the host");
    out.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') colon = close + 1;
  } else {
    colon = rest.find(':');
    out.host = rest.substr(0, colon);
  }
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
      return make_error("invalid URL " + url + ": port \"" + port + "\" is not a number from 1 to 65535");
    out.port = value;
  }
  if (out.host.empty()) return make_error("invalid URL " + url + ": no host");
  return out;
}

fakes::TlsBehaviour tls_behaviour(const std::string& s) {
  if (s == "none") return fakes::TlsBehaviour::kNone;
  if (s == "reset") return fakes::TlsBehaviour::kReset;
  if (s == "untrusted") return fakes::TlsBehaviour::kUntrusted;
  if (s == "wrong-name") return fakes::TlsBehaviour::kWrongName;
  if (s == "expired") return fakes::TlsBehaviour::kExpired;
  return fakes::TlsBehaviour::kOk;
}

constexpr const char* kSimulationCa = "kexsim simulation CA";
constexpr const char* kRogueCa = "untrusted CA";

/// The names a server of host answers to: every host serving the same, the API server's
/// in-cluster names, and loopback (kexsim serve: kubectl and git reach the fakes there).
std::vector<std::string> server_names(const fakes::Network& network, const fakes::HostEntry& host) {
  std::vector<std::string> names;
  for (const auto& other : network.hosts())
    if (other.serves == host.serves) names.push_back(other.name);
  if (host.serves == "kubernetes") {
    names.push_back(kKubeName);
    names.push_back("kubernetes.default.svc.cluster.local");
    names.push_back(kKubeAddress);
  }
  names.push_back("localhost");
  names.push_back("127.0.0.1");
  names.push_back(host.address);
  return names;
}

/// The certificate of one served host, as the scenario wants it to look; cached for the process.
Result<std::shared_ptr<const TlsIdentity>> server_identity(const fakes::HostEntry& host,
                                                           const std::vector<std::string>& names) {
  IdentityCache& cache = IdentityCache::process();
  switch (host.tls) {
    case fakes::TlsBehaviour::kUntrusted: return cache.leaf(kRogueCa, names);
    case fakes::TlsBehaviour::kWrongName: return cache.leaf(kSimulationCa, {"wrong-name.invalid"});
    case fakes::TlsBehaviour::kExpired: return cache.leaf(kSimulationCa, names, true);
    default: return cache.leaf(kSimulationCa, names);
  }
}

/// Every host's identity (null where it serves nothing or plain HTTP), by host index.
Result<std::vector<std::shared_ptr<const TlsIdentity>>> make_identities(const fakes::Network& network) {
  std::vector<std::shared_ptr<const TlsIdentity>> identities(network.hosts().size());
  for (size_t i = 0; i < network.hosts().size(); ++i) {
    const fakes::HostEntry& h = network.hosts()[i];
    if (h.serves.empty() || h.tls == fakes::TlsBehaviour::kNone || h.tls == fakes::TlsBehaviour::kReset) continue;
    auto identity = server_identity(h, server_names(network, h));
    if (!identity) return identity.error();
    identities[i] = *identity;
  }
  return identities;
}

}  // namespace

Result<std::string> SimWorld::untrusted_ca_pem() const {
  auto rogue = IdentityCache::process().authority(kRogueCa);
  if (!rogue) return make_error("could not create the untrusted CA: " + rogue.error().message);
  return (*rogue)->cert_pem();
}

Result<std::unique_ptr<SimWorld>> SimWorld::start(const Scenario& s, uint64_t seed, boost::asio::io_context& io,
                                                  Clock& clock, const WorldHooks& hooks) {
  std::unique_ptr<SimWorld> w(new SimWorld());
  fakes::Network& network = w->network_;
  Random root(seed);
  const executor::RunnerConfig& first = s.config.runners.front();

  // The simulated network: the scenario's hosts, plus GitLab and the API server where it names none.
  bool has_gitlab = false, has_kube = false;
  for (const auto& h : s.hosts) {
    network.add_host({h.name, h.address, h.port, h.serves, tls_behaviour(h.tls)});
    has_gitlab |= h.serves == "gitlab";
    has_kube |= h.serves == "kubernetes";
  }
  auto gitlab_at = split_url(s.gitlab_url.empty() ? first.url : s.gitlab_url);
  if (!gitlab_at) return make_error(gitlab_at.error().message, "give GitLab's URL as https://host[:port]");
  const std::string gitlab_host = gitlab_at->host;
  const int gitlab_port = gitlab_at->port;
  if (!has_gitlab) network.add_host({gitlab_host, "192.0.2.10", gitlab_port, "gitlab", fakes::TlsBehaviour::kOk});
  std::string kube_host = kKubeName;
  int kube_port = 443;
  if (!first.kubernetes.host.empty()) {
    auto kube_at = split_url(first.kubernetes.host);
    if (!kube_at) return make_error(kube_at.error().message, "give [runners.kubernetes] host as https://host[:port]");
    kube_host = kube_at->host;
    kube_port = kube_at->port;
  }
  if (!has_kube) {
    const std::string address = fakes::is_ip_literal(kube_host) ? kube_host : kKubeAddress;
    network.add_host({kube_host, address, kube_port, "kubernetes", fakes::TlsBehaviour::kOk});
  }
  network.set_runner_rules(
      {s.runner_view.dns, s.runner_view.unreachable, s.runner_view.refused, s.runner_view.timeout});
  network.set_pod_rules({s.pod_view.dns, s.pod_view.unreachable, s.pod_view.refused, s.pod_view.timeout});
  network.set_cluster_dns(s.cluster_dns);

  // TLS: one simulation CA everyone trusts (and a rogue one for "untrusted" hosts), made once per process.
  auto ca = IdentityCache::process().authority(kSimulationCa);
  if (!ca) return make_error("could not create the simulation CA: " + ca.error().message);
  w->ca_ = *ca;
  auto identities = make_identities(network);
  if (!identities) return make_error("could not create the servers' certificates: " + identities.error().message);
  w->identities_ = std::move(*identities);

  // The fakes.
  w->gitlab_ = std::make_unique<fakes::FakeGitLab>(clock, root.fork("gitlab"), "https://" + gitlab_host, first.token);
  fakes::FakeGitLab& gitlab = *w->gitlab_;
  for (const auto& runner : s.config.runners) gitlab.add_runner_token(runner.token);
  if (auto registered = register_runners(s, gitlab); !registered) return registered.error();
  for (const auto& token : s.revoked_tokens) gitlab.revoke_runner_token(token);
  for (const auto& project : s.projects)
    if (auto added = gitlab.add_project(project); !added) return added.error();
  for (const auto& job : s.jobs)
    if (auto queued = gitlab.enqueue(job); !queued) return queued.error();
  w->worlds_ = std::make_unique<fakes::PodWorldFactory>(network, gitlab, clock, s.commands);
  w->worlds_->set_trust(w->ca_->cert_pem());
  w->worlds_->set_pack_sizes(s.repository_sizes);
  w->worlds_->set_services(s.service_models);
  fakes::ContainerWorldFactory* worlds = w->worlds_.get();
  if (hooks.wrap_worlds) worlds = (w->wrapped_worlds_ = hooks.wrap_worlds(*worlds)).get();
  w->kube_ = std::make_unique<fakes::KubeApiServer>(clock, root.fork("kubernetes"), *worlds);
  fakes::KubeApiServer& kube = *w->kube_;
  kube.set_pod_timing({std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.pod_pending_seconds)),
                       s.pod_never_starts, "node-1"});
  // The cluster's release and nodes. Without declared nodes every pod goes to node-1 at once.
  if (!s.kubernetes_version.empty()) {
    std::string git = s.kubernetes_version.rfind('v', 0) == 0 ? s.kubernetes_version : "v" + s.kubernetes_version;
    if (std::count(git.begin(), git.end(), '.') == 1) git += ".0";
    kube.set_version("1", std::to_string(s.kubernetes_minor), git);
  }
  kube.scheduler().set_minor(s.kubernetes_minor);
  kube.set_oom_policy({s.cgroup_version, s.single_process_oom_kill, s.kubernetes_minor});
  if (s.run_once_deadline) kube.set_run_once_deadline(*s.run_once_deadline);
  if (s.sandbox_failure) kube.set_sandbox_failure(*s.sandbox_failure);
  for (const auto& node : s.nodes) kube.scheduler().add_node(node, clock.now());
  for (const auto& group : s.node_groups) kube.scheduler().add_group(group);
  kube.images().configure(s.images, s.kubernetes_minor);
  kube.disruptions().set_kubernetes_minor(s.kubernetes_minor);
  kube.disruptions().set_plans(s.disruptions, clock.now());
  std::vector<std::string>& namespaces = w->namespaces_;
  namespaces = s.namespaces;
  if (std::find(namespaces.begin(), namespaces.end(), "default") == namespaces.end()) namespaces.push_back("default");
  for (const auto& ns : namespaces) {
    if (auto st = kube.seed({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}); !st)
      return st.error();
    if (auto st = kube.seed(
            {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}, {"namespace", ns}}}});
        !st)
      return st.error();
  }
  for (const auto& object : s.cluster_objects) {
    if (auto st = kube.seed(object); !st) return st.error();
    const std::string kind = object.value("kind", "");
    if (kind == "Secret" || kind == "Pod")
      w->seeded_.insert((kind == "Secret" ? "secrets/" : "pods/") + object["metadata"].value("namespace", "") + "/" +
                        object["metadata"].value("name", ""));
  }
  if (auto st = kube.set_webhooks(s.webhooks); !st) return st.error();
  w->runner_token_ = "kexsim-runner-" + root.fork("token").chars(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  w->admin_token_ = "kexsim-admin-" + root.fork("admin").chars(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  kube.add_token(w->admin_token_, "kexsim-admin", {"system:masters", "system:authenticated"});
  kube.set_anonymous_auth(s.anonymous_auth);
  const std::string& runner_token = w->runner_token_;
  {
    std::vector<std::string> groups;
    const std::string& id = s.runner_identity;
    if (id.rfind("system:serviceaccount:", 0) == 0) {
      const std::string ns = id.substr(22, id.find(':', 22) - 22);
      groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"};
    } else {
      groups = {"system:authenticated"};
    }
    kube.add_token(runner_token, id, groups);
    if (!first.kubernetes.bearer_token.empty()) kube.add_token(first.kubernetes.bearer_token, id, groups);
  }

  // [[faults]]: a fault layer in front of each wire that has rules (one per wire: calls count across hosts).
  for (const char* wire : {"gitlab", "kubernetes", "git"}) {
    std::vector<fakes::FaultRule> rules;
    for (const auto& rule : s.faults)
      if (rule.wire == wire && !fakes::is_connection_fault(rule)) rules.push_back(rule);
    if (rules.empty()) continue;
    if (std::string(wire) == "git") {
      // The pods' wire to GitLab (git over HTTP): its own call counts, the same call log.
      auto log = [&gitlab](const fakes::HttpRequest& r, const std::string& verdict) {
        gitlab.record_fault(r, verdict);
      };
      w->git_faults_ = std::make_unique<fakes::FaultInjector>(clock, gitlab, std::move(rules), log);
      w->worlds_->set_gitlab_handler(w->git_faults_.get());
    } else if (std::string(wire) == "gitlab") {
      auto log = [&gitlab](const fakes::HttpRequest& r, const std::string& verdict) {
        gitlab.record_fault(r, verdict);
      };
      w->gitlab_faults_ = std::make_unique<fakes::FaultInjector>(clock, gitlab, std::move(rules), log);
    } else {
      auto log = [&kube](const fakes::HttpRequest& r, const std::string& verdict) { kube.record_fault(r, verdict); };
      w->kube_faults_ = std::make_unique<fakes::FaultInjector>(clock, kube, std::move(rules), log);
    }
  }

  // Connection-level [[faults]] (refuse, tls_alert): the runner's dialer plays them.
  bool alerts = false;
  for (const auto& rule : s.faults) alerts = alerts || rule.tls_alert;
  if (std::any_of(s.faults.begin(), s.faults.end(), fakes::is_connection_fault)) {
    auto log = [&gitlab, &kube](const std::string& wire, const fakes::HttpRequest& r, const std::string& verdict) {
      if (wire == "gitlab")
        gitlab.record_fault(r, verdict);
      else
        kube.record_fault(r, verdict);
    };
    w->dial_faults_.rules = std::make_unique<fakes::ConnectionFaults>(clock, s.faults, log);
  }
  if (alerts) {
    for (size_t i = 0; i < network.hosts().size(); ++i) {
      const fakes::HostEntry& h = network.hosts()[i];
      const bool hit = std::any_of(s.faults.begin(), s.faults.end(),
                                   [&](const fakes::FaultRule& r) { return r.tls_alert && r.wire == h.serves; });
      if (hit && !w->identities_[i])
        return make_error("faults: tls_alert on wire \"" + h.serves + "\", but " + h.name + " serves plain HTTP",
                          "a TLS alert needs a TLS listener: use refuse or reset for a plain-HTTP host");
    }
    auto server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, kube, "tls-alert",
                                                      fakes::ServerTls{.alert_handshake = true});
    auto port = server->listen();
    if (!port) return port.error();
    w->dial_faults_.alert_port = *port;
    w->servers_.push_back(std::move(server));
  }

  // Servers on loopback, each with the certificate its scenario asks for.
  auto& servers = w->servers_;
  for (size_t i = 0; i < network.hosts().size(); ++i) {
    const fakes::HostEntry& h = network.hosts()[i];
    if (h.serves.empty()) continue;
    std::optional<fakes::ServerTls> tls;
    if (h.tls == fakes::TlsBehaviour::kReset) tls = fakes::ServerTls{.reset_handshake = true};
    if (w->identities_[i]) tls = fakes::ServerTls{.identity = w->identities_[i]};
    // Pods reach this listener through the in-memory TLS pipe, with the same certificate.
    if (tls) {
      fakes::TlsPipeServer pipe{.reset_handshake = tls->reset_handshake, .identity = w->identities_[i]};
      w->worlds_->set_identity(h.address, h.port, pipe);
    }
    fakes::HttpHandler* handler = h.serves == "gitlab" ? static_cast<fakes::HttpHandler*>(&gitlab) : &kube;
    if (h.serves == "gitlab" && w->gitlab_faults_) handler = w->gitlab_faults_.get();
    if (h.serves == "kubernetes" && w->kube_faults_) handler = w->kube_faults_.get();
    if (hooks.wrap_handler)
      handler = w->wrapped_handlers_.emplace_back(hooks.wrap_handler(h.serves, *handler, clock)).get();
    auto server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, *handler, h.name, tls);
    auto port = server->listen();
    if (!port) return port.error();
    network.bind(i, *port);
    servers.push_back(std::move(server));
  }

  return w;
}

SimWorld::~SimWorld() { stop(); }

void SimWorld::stop() {
  for (auto& server : servers_) server->stop();
}

const TlsIdentity* SimWorld::identity_for(const std::string& host) const {
  const auto& hosts = network_.hosts();
  for (size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].address == host) return identities_[i].get();
  for (size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == host) return identities_[i].get();
  return nullptr;
}

}  // namespace kexsim::sim

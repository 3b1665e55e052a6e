#include "sim/world.h"

#include <algorithm>

#include "base/random.h"

namespace kexsim::sim {
namespace {

/// host[:port] of a URL, with the scheme's default port.
void split_url(const std::string& url, std::string& host, int& port) {
  std::string rest = url;
  port = 443;
  if (auto p = rest.find("://"); p != std::string::npos) {
    if (rest.substr(0, p) == "http") port = 80;
    rest = rest.substr(p + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  if (auto c = rest.find(':'); c != std::string::npos) {
    port = std::atoi(rest.c_str() + c + 1);
    rest = rest.substr(0, c);
  }
  host = rest;
}

fakes::TlsBehaviour tls_behaviour(const std::string& s) {
  if (s == "none") return fakes::TlsBehaviour::kNone;
  if (s == "reset") return fakes::TlsBehaviour::kReset;
  if (s == "untrusted") return fakes::TlsBehaviour::kUntrusted;
  if (s == "wrong-name") return fakes::TlsBehaviour::kWrongName;
  if (s == "expired") return fakes::TlsBehaviour::kExpired;
  return fakes::TlsBehaviour::kOk;
}

/// The TLS identity of one served host: a certificate as the scenario wants it to look.
Result<fakes::ServerTls> server_tls(const CertificateAuthority& ca, const CertificateAuthority& rogue,
                                    const fakes::HostEntry& host, std::vector<std::string> names) {
  fakes::ServerTls tls;
  names.push_back(host.address);
  Result<KeyPair> pair = make_error("unreachable");
  switch (host.tls) {
    case fakes::TlsBehaviour::kUntrusted: pair = rogue.issue(names); break;
    case fakes::TlsBehaviour::kWrongName: pair = ca.issue({"wrong-name.invalid"}); break;
    case fakes::TlsBehaviour::kExpired: pair = ca.issue(names, true); break;
    default: pair = ca.issue(names); break;
  }
  if (!pair) return pair.error();
  tls.cert_pem = pair->cert_pem;
  tls.key_pem = pair->key_pem;
  tls.reset_handshake = host.tls == fakes::TlsBehaviour::kReset;
  return tls;
}

}  // namespace

Result<std::unique_ptr<SimWorld>> SimWorld::start(const Scenario& s, const executor::Config& config, uint64_t seed,
                                                  boost::asio::io_context& io, Clock& clock) {
  std::unique_ptr<SimWorld> w(new SimWorld());
  fakes::Network& network = w->network_;
  Random root(seed);
  const executor::RunnerConfig& first = config.runners.front();

  // The simulated network: the scenario's hosts, plus GitLab and the API server where it names none.
  bool has_gitlab = false, has_kube = false;
  for (const auto& h : s.hosts) {
    network.add_host({h.name, h.address, h.port, h.serves, tls_behaviour(h.tls)});
    has_gitlab |= h.serves == "gitlab";
    has_kube |= h.serves == "kubernetes";
  }
  std::string gitlab_host;
  int gitlab_port = 443;
  split_url(s.gitlab_url.empty() ? first.url : s.gitlab_url, gitlab_host, gitlab_port);
  if (!has_gitlab) network.add_host({gitlab_host, "192.0.2.10", gitlab_port, "gitlab", fakes::TlsBehaviour::kOk});
  std::string kube_host = kKubeName;
  int kube_port = 443;
  if (!first.kubernetes.host.empty()) split_url(first.kubernetes.host, kube_host, kube_port);
  if (!has_kube) {
    const std::string address = fakes::is_ip_literal(kube_host) ? kube_host : kKubeAddress;
    network.add_host({kube_host, address, kube_port, "kubernetes", fakes::TlsBehaviour::kOk});
  }
  network.set_runner_rules({s.runner_view.dns, s.runner_view.unreachable, s.runner_view.refused, s.runner_view.timeout});
  network.set_pod_rules({s.pod_view.dns, s.pod_view.unreachable, s.pod_view.refused, s.pod_view.timeout});
  network.set_cluster_dns(s.cluster_dns);

  // TLS: one simulation CA everyone trusts, and a rogue one for "untrusted" hosts.
  auto ca = CertificateAuthority::create("kexsim simulation CA");
  auto rogue = CertificateAuthority::create("untrusted CA");
  if (!ca || !rogue) return make_error("could not create the simulation CA: " + (!ca ? ca.error() : rogue.error()).message);
  w->ca_.emplace(std::move(*ca));
  w->rogue_.emplace(std::move(*rogue));

  // The fakes.
  w->gitlab_ = std::make_unique<fakes::FakeGitLab>(clock, root.fork("gitlab"), "https://" + gitlab_host, first.token);
  fakes::FakeGitLab& gitlab = *w->gitlab_;
  for (const auto& job : s.jobs)
    if (auto queued = gitlab.enqueue(job); !queued) return queued.error();
  w->worlds_ = std::make_unique<fakes::PodWorldFactory>(network, gitlab, clock, s.commands);
  w->worlds_->set_trust(w->ca_->cert_pem());
  w->kube_ = std::make_unique<fakes::KubeApiServer>(clock, root.fork("kubernetes"), *w->worlds_);
  fakes::KubeApiServer& kube = *w->kube_;
  kube.set_pod_timing({std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.pod_pending_seconds)),
                       s.pod_never_starts, "node-1"});
  std::vector<std::string>& namespaces = w->namespaces_;
  namespaces = s.namespaces;
  if (std::find(namespaces.begin(), namespaces.end(), "default") == namespaces.end()) namespaces.push_back("default");
  for (const auto& ns : namespaces) {
    if (auto st = kube.seed({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}); !st) return st.error();
    if (auto st = kube.seed({{"apiVersion", "v1"}, {"kind", "ServiceAccount"},
                             {"metadata", {{"name", "default"}, {"namespace", ns}}}});
        !st)
      return st.error();
  }
  for (const auto& object : s.cluster_objects)
    if (auto st = kube.seed(object); !st) return st.error();
  w->runner_token_ = "kexsim-runner-" + root.fork("token").chars(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  w->admin_token_ = "kexsim-admin-" + root.fork("admin").chars(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  kube.add_token(w->admin_token_, "kexsim-admin", {"system:masters", "system:authenticated"});
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
  for (const char* wire : {"gitlab", "kubernetes"}) {
    std::vector<fakes::FaultRule> rules;
    for (const auto& rule : s.faults)
      if (rule.wire == wire) rules.push_back(rule);
    if (rules.empty()) continue;
    if (std::string(wire) == "gitlab") {
      auto log = [&gitlab](const fakes::HttpRequest& r, int status) { gitlab.record_fault(r, status); };
      w->gitlab_faults_ = std::make_unique<fakes::FaultInjector>(clock, gitlab, std::move(rules), log);
    } else {
      auto log = [&kube](const fakes::HttpRequest& r, int status) { kube.record_fault(r, status); };
      w->kube_faults_ = std::make_unique<fakes::FaultInjector>(clock, kube, std::move(rules), log);
    }
  }

  // Servers on loopback, each with the certificate its scenario asks for.
  auto& servers = w->servers_;
  for (size_t i = 0; i < network.hosts().size(); ++i) {
    const fakes::HostEntry& h = network.hosts()[i];
    if (h.serves.empty()) continue;
    std::vector<std::string> names;
    for (const auto& other : network.hosts())
      if (other.serves == h.serves) names.push_back(other.name);
    if (h.serves == "kubernetes") {
      names.push_back(kKubeName);
      names.push_back("kubernetes.default.svc.cluster.local");
      names.push_back(kKubeAddress);
    }
    // Where clients outside the simulation (kexsim serve: kubectl, git) reach the fakes.
    names.push_back("localhost");
    names.push_back("127.0.0.1");
    std::optional<fakes::ServerTls> tls;
    if (h.tls != fakes::TlsBehaviour::kNone) {
      auto t = server_tls(*w->ca_, *w->rogue_, h, names);
      if (!t) return t.error();
      tls = *t;
      // Pods reach this listener through the in-memory TLS pipe, with the same certificate.
      w->worlds_->set_identity(h.address, h.port, {t->cert_pem, t->key_pem, t->reset_handshake});
    }
    fakes::HttpHandler* handler = h.serves == "gitlab" ? static_cast<fakes::HttpHandler*>(&gitlab) : &kube;
    if (h.serves == "gitlab" && w->gitlab_faults_) handler = w->gitlab_faults_.get();
    if (h.serves == "kubernetes" && w->kube_faults_) handler = w->kube_faults_.get();
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

uint16_t SimWorld::loopback_port(const std::string& serves) const {
  for (const auto& h : network_.hosts())
    if (h.serves == serves && h.loopback_port != 0) return h.loopback_port;
  return 0;
}

}  // namespace kexsim::sim

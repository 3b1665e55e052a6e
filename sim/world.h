#pragma once
// The simulated world of one scenario: its network, its TLS identities, the fake GitLab and the
// fake Kubernetes API server, listening on loopback.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "base/tls.h"
#include "executor/config.h"
#include "fakes/faults/fault_injector.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/http/server.h"
#include "fakes/kube/api_server.h"
#include "fakes/kube/pod_world.h"
#include "fakes/network/network.h"
#include "sim/scenario.h"
#include "sim/sim_dialer.h"

namespace kexsim::sim {

/// The in-cluster address and name of the fake API server (what KUBERNETES_SERVICE_HOST points to).
inline constexpr const char* kKubeAddress = "10.96.0.1";
inline constexpr const char* kKubeName = "kubernetes.default.svc";

/// Test-only seams into a world (nothing on the command line reaches them): they wrap what the
/// fakes run, to inject faults the scenario format cannot express (a handler that throws, a leaked
/// in-flight count, a container world that fails).
struct WorldHooks {
  /// Wraps the handler a listener serves (`serves` is "gitlab" or "kubernetes"); clock is the world's.
  std::function<std::unique_ptr<fakes::HttpHandler>(const std::string& serves, fakes::HttpHandler& inner, Clock& clock)>
      wrap_handler;
  /// Wraps the factory of the container worlds the API server's execs run in.
  std::function<std::unique_ptr<fakes::ContainerWorldFactory>(fakes::ContainerWorldFactory& inner)> wrap_worlds;
};

/// Everything a scenario runs against, started and listening. Runs on the given io_context and
/// clock, which must outlive it.
class SimWorld {
 public:
  /// Builds the world of a scenario (from its parsed runner config, scenario.config) and starts its servers.
  static Result<std::unique_ptr<SimWorld>> start(const Scenario& scenario, uint64_t seed, boost::asio::io_context& io,
                                                 Clock& clock, const WorldHooks& hooks = {});
  ~SimWorld();

  fakes::Network& network() { return network_; }
  fakes::FakeGitLab& gitlab() { return *gitlab_; }
  fakes::KubeApiServer& kube() { return *kube_; }
  /// The simulation CA every client trusts.
  const CertificateAuthority& ca() const { return *ca_; }
  /// The certificate (PEM) of the CA that signs `tls = "untrusted"` hosts (a private cluster CA,
  /// a proxy's): the runner trusts it only from a file config.toml names.
  Result<std::string> untrusted_ca_pem() const;
  /// The certificate and key (as the scenario's TLS behaviour wants them) that the server of host
  /// presents, or null if host is unknown or serves no TLS. host is an address of the network, or
  /// a name (its first entry: pass the address a view resolved when entries share a name). The
  /// identity is cached for the process and outlives the world.
  const TlsIdentity* identity_for(const std::string& host) const;
  /// The token the runner's service account authenticates with.
  const std::string& runner_token() const { return runner_token_; }
  /// A token in group system:masters, for people and tools inspecting the cluster.
  const std::string& admin_token() const { return admin_token_; }
  /// Namespaces of the cluster (the scenario's, plus default).
  const std::vector<std::string>& namespaces() const { return namespaces_; }
  /// "secrets/NS/NAME" and "pods/NS/NAME" of the objects the scenario seeds: they are not the run's leftovers.
  const std::set<std::string>& seeded() const { return seeded_; }
  /// The connection-level faults the runner's dialer plays (empty rules when the scenario has none).
  DialFaults* dial_faults() { return &dial_faults_; }
  /// Closes every listener and session.
  void stop();

 private:
  SimWorld() = default;

  fakes::Network network_;
  std::shared_ptr<const CertificateAuthority> ca_;
  std::vector<std::shared_ptr<const TlsIdentity>> identities_;  // by host index of network_; null without TLS
  std::unique_ptr<fakes::FakeGitLab> gitlab_;
  std::unique_ptr<fakes::PodWorldFactory> worlds_;
  std::unique_ptr<fakes::ContainerWorldFactory> wrapped_worlds_;       // from WorldHooks
  std::vector<std::unique_ptr<fakes::HttpHandler>> wrapped_handlers_;  // from WorldHooks
  std::unique_ptr<fakes::KubeApiServer> kube_;
  std::unique_ptr<fakes::FaultInjector> gitlab_faults_, kube_faults_, git_faults_;  ///< only with [[faults]]
  DialFaults dial_faults_;
  std::vector<std::unique_ptr<fakes::HttpServer>> servers_;
  std::string runner_token_, admin_token_;
  std::vector<std::string> namespaces_;
  std::set<std::string> seeded_;
};

}  // namespace kexsim::sim

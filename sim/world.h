#pragma once
// The simulated world of one scenario: its network, its TLS identities, the fake GitLab and the
// fake Kubernetes API server, listening on loopback.

#include <memory>
#include <optional>
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

namespace kexsim::sim {

/// The in-cluster address and name of the fake API server (what KUBERNETES_SERVICE_HOST points to).
inline constexpr const char* kKubeAddress = "10.96.0.1";
inline constexpr const char* kKubeName = "kubernetes.default.svc";

/// Everything a scenario runs against, started and listening. Runs on the given io_context and
/// clock, which must outlive it.
class SimWorld {
 public:
  /// Builds the world of a scenario (config is its parsed runner config) and starts its servers.
  static Result<std::unique_ptr<SimWorld>> start(const Scenario& scenario, const executor::Config& config,
                                                 uint64_t seed, boost::asio::io_context& io, Clock& clock);
  ~SimWorld();

  fakes::Network& network() { return network_; }
  fakes::FakeGitLab& gitlab() { return *gitlab_; }
  fakes::KubeApiServer& kube() { return *kube_; }
  const CertificateAuthority& ca() const { return *ca_; }
  /// The token the runner's service account authenticates with.
  const std::string& runner_token() const { return runner_token_; }
  /// A token in group system:masters, for people and tools inspecting the cluster.
  const std::string& admin_token() const { return admin_token_; }
  /// Namespaces of the cluster (the scenario's, plus default).
  const std::vector<std::string>& namespaces() const { return namespaces_; }
  /// Where the fake serving `serves` ("gitlab" or "kubernetes") listens first, or 0.
  uint16_t loopback_port(const std::string& serves) const;
  /// Closes every listener and session.
  void stop();

 private:
  SimWorld() = default;

  fakes::Network network_;
  std::optional<CertificateAuthority> ca_, rogue_;
  std::unique_ptr<fakes::FakeGitLab> gitlab_;
  std::unique_ptr<fakes::PodWorldFactory> worlds_;
  std::unique_ptr<fakes::KubeApiServer> kube_;
  std::unique_ptr<fakes::FaultInjector> gitlab_faults_, kube_faults_;  ///< only when the scenario has [[faults]]
  std::vector<std::unique_ptr<fakes::HttpServer>> servers_;
  std::string runner_token_, admin_token_;
  std::vector<std::string> namespaces_;
};

}  // namespace kexsim::sim

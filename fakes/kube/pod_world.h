#pragma once
// A container's view of the simulated world: the pod's network view, connections to the fakes over
// in-memory TLS with each host's certificate, its /etc/hosts and the scenario's commands.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/kube/exec.h"
#include "fakes/network/network.h"
#include "fakes/network/tls_pipe.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {

/// A plain (no TLS) in-memory connection whose HTTP/1.1 requests handler answers (none: 404).
std::unique_ptr<Connection> in_memory_http(HttpHandler* handler, std::string listener);

/// What the pods of one simulation share: the network, the servers behind it, and the TLS
/// identities and trust the network model hands out.
struct PodNetwork {
  const Network& network;
  FakeGitLab& gitlab;
  Clock& clock;
  std::map<std::string, TlsPipeServer> identities;  ///< "address:port" -> the certificate that listener presents
  std::string trusted_pem;                          ///< the image's CA bundle: the simulation CA
  std::map<std::string, uint64_t> pack_sizes;       ///< project path ("root/app") -> bytes a fetch receives
  HttpHandler* gitlab_handler = nullptr;            ///< answers pods at GitLab's listener instead (a fault layer)
  std::vector<ServiceModel> services;               ///< the scenario's service images: start delays, ports
};

/// The world one container sees, built for each exec.
class PodContainerWorld : public ContainerWorld {
 public:
  PodContainerWorld(PodNetwork& net, nlohmann::json pod, const std::map<std::string, CommandSpec>& commands,
                    std::string container = {})
      : net_(net), pod_(std::move(pod)), commands_(commands), container_(std::move(container)) {}

  Connected open(const std::string& host, int port, const TlsOptions* tls) override;
  std::string etc_hosts() override;
  std::string hostname() override;
  const CommandSpec* command(const std::string& name) override;
  uint64_t pack_bytes(const std::string& repository_path) override;
  std::optional<std::string> resolve(const std::string& host) override;
  const PodServices* services() override;
  std::string image() override;
  ProcessIds ids() override;

 private:
  PodNetwork& net_;
  nlohmann::json pod_;
  const std::map<std::string, CommandSpec>& commands_;
  std::string container_;
  std::optional<PodServices> services_;  ///< read from the pod on first use
};

/// Builds a PodContainerWorld for each exec the fake Kubernetes API server runs.
class PodWorldFactory : public ContainerWorldFactory {
 public:
  PodWorldFactory(const Network& network, FakeGitLab& gitlab, Clock& clock, std::map<std::string, CommandSpec> commands)
      : net_{network, gitlab, clock, {}, {}}, commands_(std::move(commands)) {}
  std::unique_ptr<ContainerWorld> world_for(const nlohmann::json& pod, const std::string& container) override;

  /// The certificate (or reset) the listener at address:port presents to pods.
  void set_identity(const std::string& address, int port, TlsPipeServer identity) {
    net_.identities[address + ":" + std::to_string(port)] = std::move(identity);
  }
  /// The CA bundle pods' TLS clients trust by default.
  void set_trust(std::string ca_pem) { net_.trusted_pem = std::move(ca_pem); }
  /// How big each project's fetches are (project path -> bytes), for the memory they take.
  void set_pack_sizes(std::map<std::string, uint64_t> sizes) { net_.pack_sizes = std::move(sizes); }
  /// What answers the pods' requests to GitLab (git over HTTP): a fault layer in front of the fake.
  void set_gitlab_handler(HttpHandler* handler) { net_.gitlab_handler = handler; }
  /// The scenario's service images (start delays, ports), for the pods' service daemons.
  void set_services(std::vector<ServiceModel> services) { net_.services = std::move(services); }

 private:
  PodNetwork net_;
  std::map<std::string, CommandSpec> commands_;
};

}  // namespace kexsim::fakes

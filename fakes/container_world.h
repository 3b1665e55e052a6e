#pragma once
// A container's view of the simulated world: the pod's network view and trust, GitLab's repositories,
// its /etc/hosts and the scenario's commands.

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/kube/api_server.h"
#include "fakes/network/network.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {

/// The world one container sees, built for each exec.
class PodContainerWorld : public ContainerWorld {
 public:
  PodContainerWorld(const Network& network, const FakeGitLab& gitlab, nlohmann::json pod,
                    const std::map<std::string, CommandSpec>& commands)
      : network_(network), gitlab_(gitlab), pod_(std::move(pod)), commands_(commands) {}

  ConnectOutcome connect(const std::string& host, int port, bool tls) override;
  std::optional<GitRepository> repository(const std::string& host, const std::string& path) override;
  std::string etc_hosts() override;
  std::string hostname() override;
  const CommandSpec* command(const std::string& name) override;

 private:
  const Network& network_;
  const FakeGitLab& gitlab_;
  nlohmann::json pod_;
  const std::map<std::string, CommandSpec>& commands_;
};

/// Builds a PodContainerWorld for each exec the fake Kubernetes API server runs.
class PodWorldFactory : public ContainerWorldFactory {
 public:
  PodWorldFactory(const Network& network, const FakeGitLab& gitlab, std::map<std::string, CommandSpec> commands)
      : network_(network), gitlab_(gitlab), commands_(std::move(commands)) {}
  std::unique_ptr<ContainerWorld> world_for(const nlohmann::json& pod, const std::string& container) override;

 private:
  const Network& network_;
  const FakeGitLab& gitlab_;
  std::map<std::string, CommandSpec> commands_;
};

}  // namespace kexsim::fakes

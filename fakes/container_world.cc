#include "fakes/container_world.h"

namespace kexsim::fakes {

ConnectOutcome PodContainerWorld::connect(const std::string& host, int port, bool tls) {
  ConnectOutcome out;
  const nlohmann::json aliases = pod_.contains("spec") ? pod_["spec"].value("hostAliases", nlohmann::json::array())
                                                       : nlohmann::json::array();
  auto address = network_.resolve_from_pod(host, aliases);
  if (!address) {
    out.kind = ConnectOutcome::Kind::kResolveFailed;
    return out;
  }
  out.address = *address;
  const Reach reach = network_.reach_from_pod(*address, port);
  out.elapsed = connect_cost(reach);
  switch (reach) {
    case Reach::kRefused: out.kind = ConnectOutcome::Kind::kRefused; return out;
    case Reach::kUnreachable: out.kind = ConnectOutcome::Kind::kUnreachable; return out;
    case Reach::kTimeout: out.kind = ConnectOutcome::Kind::kTimeout; return out;
    case Reach::kReachable: break;
  }
  if (!tls) return out;
  const HostEntry* entry = network_.host_at(*address, port);
  switch (entry ? entry->tls : TlsBehaviour::kNone) {
    case TlsBehaviour::kOk: break;
    case TlsBehaviour::kNone:
    case TlsBehaviour::kReset: out.kind = ConnectOutcome::Kind::kTlsReset; break;
    case TlsBehaviour::kUntrusted:
    case TlsBehaviour::kExpired: out.kind = ConnectOutcome::Kind::kTlsUntrusted; break;
    case TlsBehaviour::kWrongName: out.kind = ConnectOutcome::Kind::kTlsWrongName; break;
  }
  return out;
}

std::optional<GitRepository> PodContainerWorld::repository(const std::string& host, const std::string& path) {
  // The repository is served by whichever fake answers at the address the pod reached.
  const nlohmann::json aliases = pod_["spec"].value("hostAliases", nlohmann::json::array());
  auto address = network_.resolve_from_pod(host, aliases);
  if (!address) return std::nullopt;
  for (const auto& h : network_.hosts())
    if (h.address == *address && h.serves == "gitlab") return gitlab_.repository(path);
  return std::nullopt;
}

std::string PodContainerWorld::etc_hosts() {
  // The kubelet-managed file: fixed header, the pod's own address, then the HostAliases section.
  std::string out =
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  const auto status = pod_.value("status", nlohmann::json::object());
  out += status.value("podIP", std::string("10.244.0.2")) + "\t" + hostname() + "\n";
  const auto aliases = pod_["spec"].value("hostAliases", nlohmann::json::array());
  if (!aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& a : aliases) {
      out += a.value("ip", std::string());
      for (const auto& hn : a.value("hostnames", nlohmann::json::array())) out += "\t" + hn.get<std::string>();
      out += "\n";
    }
  }
  return out;
}

std::string PodContainerWorld::hostname() { return pod_["metadata"].value("name", std::string()); }

const CommandSpec* PodContainerWorld::command(const std::string& name) {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : &it->second;
}

std::unique_ptr<ContainerWorld> PodWorldFactory::world_for(const nlohmann::json& pod, const std::string&) {
  return std::make_unique<PodContainerWorld>(network_, gitlab_, pod, commands_);
}

}  // namespace kexsim::fakes

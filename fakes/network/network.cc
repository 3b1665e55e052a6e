#include "fakes/network/network.h"

#include <algorithm>

namespace kexsim::fakes {
namespace {

bool listed(const std::vector<std::string>& list, const std::string& address, int port) {
  const std::string with_port = address + ":" + std::to_string(port);
  return std::find(list.begin(), list.end(), address) != list.end() ||
         std::find(list.begin(), list.end(), with_port) != list.end();
}

}  // namespace

Duration connect_cost(Reach reach) {
  switch (reach) {
    case Reach::kTimeout: return std::chrono::seconds(130);    // Linux gives up on SYNs after ~127 s
    case Reach::kUnreachable: return std::chrono::seconds(3);  // ARP resolution fails after ~3 s
    default: return Duration(0);
  }
}

void Network::add_host(HostEntry host) { hosts_.push_back(std::move(host)); }

std::optional<std::string> Network::resolve_from_runner(const std::string& name) const {
  if (is_ip_literal(name)) return name;
  if (auto it = runner_.dns.find(name); it != runner_.dns.end()) return it->second;
  for (const auto& h : hosts_)
    if (h.name == name) return h.address;
  return std::nullopt;
}

std::optional<std::string> Network::resolve_from_pod(const std::string& name,
                                                     const nlohmann::json& host_aliases) const {
  if (is_ip_literal(name)) return name;
  if (host_aliases.is_array()) {
    for (const auto& alias : host_aliases) {
      for (const auto& hn : alias.value("hostnames", nlohmann::json::array()))
        if (hn.is_string() && hn.get<std::string>() == name) return alias.value("ip", std::string());
    }
  }
  if (auto it = cluster_dns_.find(name); it != cluster_dns_.end()) return it->second;
  if (auto it = pod_.dns.find(name); it != pod_.dns.end()) return it->second;
  for (const auto& h : hosts_)
    if (h.name == name) return h.address;
  return std::nullopt;
}

const HostEntry* Network::host_at(const std::string& address, int port) const {
  for (const auto& h : hosts_)
    if (h.address == address && h.port == port) return &h;
  return nullptr;
}

const HostEntry* Network::host_named(const std::string& name, int port) const {
  for (const auto& h : hosts_)
    if (h.name == name && h.port == port) return &h;
  return nullptr;
}

Reach Network::reach(const ViewRules& rules, const std::string& address, int port) const {
  if (listed(rules.unreachable, address, port)) return Reach::kUnreachable;
  if (listed(rules.timeout, address, port)) return Reach::kTimeout;
  if (listed(rules.refused, address, port)) return Reach::kRefused;
  if (const HostEntry* h = host_at(address, port)) return h->serves.empty() ? Reach::kRefused : Reach::kReachable;
  for (const auto& h : hosts_)
    if (h.address == address) return Reach::kRefused;  // the machine is there, the port is closed
  return Reach::kUnreachable;
}

std::string Network::go_dial_error(Reach reach, const std::string& address, int port) {
  const std::string target = "dial tcp " + address + ":" + std::to_string(port) + ": ";
  switch (reach) {
    case Reach::kRefused: return target + "connect: connection refused";
    case Reach::kUnreachable: return target + "connect: no route to host";
    case Reach::kTimeout: return target + "i/o timeout";
    case Reach::kReachable: break;
  }
  return target + "ok";
}

}  // namespace kexsim::fakes

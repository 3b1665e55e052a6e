#pragma once
// The simulated network: logical hosts served by the fakes, and what the runner host and each pod
// can resolve and reach.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/strings.h"

namespace kexsim::fakes {

/// How a logical host answers TLS.
enum class TlsBehaviour { kNone, kOk, kReset, kUntrusted, kWrongName, kExpired };

/// A logical server: a name, the address and port it is reached at, and who serves it.
struct HostEntry {
  std::string name;     ///< "gitlab.mylab.com"
  std::string address;  ///< "10.0.0.216"
  int port = 443;
  std::string serves;  ///< "gitlab", "kubernetes" or "" (nothing listens: refused)
  TlsBehaviour tls = TlsBehaviour::kOk;
  uint16_t loopback_port = 0;  ///< where the fake actually listens, once started
};

/// What one kind of machine sees: its DNS answers and the addresses it cannot reach.
struct ViewRules {
  std::map<std::string, std::string> dns;                  ///< name -> address, overrides the hosts' own addresses
  std::vector<std::string> unreachable, refused, timeout;  ///< "addr" or "addr:port"
};

/// How an address:port answers a connection attempt from a view.
enum class Reach { kReachable, kRefused, kUnreachable, kTimeout };

/// The network model. Resolution and reachability are pure functions of the scenario.
class Network {
 public:
  /// Adds a logical host; its name resolves to its address everywhere unless a view says otherwise.
  void add_host(HostEntry host);
  /// Records where the fake behind hosts()[index] listens on loopback.
  void bind(size_t index, uint16_t loopback_port) { hosts_.at(index).loopback_port = loopback_port; }
  void set_runner_rules(ViewRules rules) { runner_ = std::move(rules); }
  void set_pod_rules(ViewRules rules) { pod_ = std::move(rules); }
  /// Extra cluster DNS records (`<svc>.<ns>.svc.cluster.local` style), seen by pods only.
  void set_cluster_dns(std::map<std::string, std::string> records) { cluster_dns_ = std::move(records); }

  /// Resolves a name from the runner host (its DNS, then the hosts' addresses). IP literals resolve to themselves.
  std::optional<std::string> resolve_from_runner(const std::string& name) const;
  /// Resolves a name from a pod: its hostAliases first, then cluster DNS, then upstream DNS.
  std::optional<std::string> resolve_from_pod(const std::string& name, const nlohmann::json& host_aliases) const;

  /// Whether the runner host reaches address:port.
  Reach reach_from_runner(const std::string& address, int port) const { return reach(runner_, address, port); }
  /// Whether a pod reaches address:port.
  Reach reach_from_pod(const std::string& address, int port) const { return reach(pod_, address, port); }

  /// The logical host listening at address:port, if any.
  const HostEntry* host_at(const std::string& address, int port) const;
  /// The first host named `name` (any port), if any.
  const HostEntry* host_named(const std::string& name, int port) const;
  const std::vector<HostEntry>& hosts() const { return hosts_; }

  /// Go's wording for a failed dial from the runner host (GitLab Runner prints these).
  static std::string go_dial_error(Reach reach, const std::string& address, int port);

 private:
  Reach reach(const ViewRules& rules, const std::string& address, int port) const;

  std::vector<HostEntry> hosts_;
  ViewRules runner_, pod_;
  std::map<std::string, std::string> cluster_dns_;
};

// The one IP-literal test of the house (IPv4 and IPv6, as the executor's); named here too for code
// that spells it fakes::is_ip_literal.
using kexsim::is_ip_literal;

/// The time a failed attempt takes: an unanswered SYN or an unreachable host costs virtual time.
Duration connect_cost(Reach reach);

}  // namespace kexsim::fakes

#pragma once
// Faults on a wire's connections rather than its requests: a dial that is refused, a TLS handshake
// that ends with an alert. They match by wire, the n-th dial, a count and a virtual-time window.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/faults/fault_rule.h"

namespace kexsim::fakes {

/// What a dial to a wire's host meets.
enum class DialVerdict { kConnect, kRefuse, kTlsAlert };

/// Counts the dials to each wire and says which a connection-level rule hits. Deterministic: by dial
/// count and virtual time only.
class ConnectionFaults {
 public:
  /// Told about every faulted dial, for the wire's call log: a pseudo request "CONNECT <address:port>"
  /// and the verdict ("refused" or "tls-alert").
  using Observer = std::function<void(const std::string& wire, const HttpRequest&, const std::string& verdict)>;

  /// rules: the connection-level ones (is_connection_fault); the window of every rule counts from now.
  ConnectionFaults(Clock& clock, const std::vector<FaultRule>& rules, Observer observer);

  /// The verdict on one dial to a host serving `wire`, at address:port as the runner dialed it.
  DialVerdict on_dial(const std::string& wire, const std::string& address, int port);

 private:
  Clock& clock_;
  std::map<std::string, FaultMatcher> matchers_;  ///< by wire
  Observer observer_;
  TimePoint start_;
};

}  // namespace kexsim::fakes

#pragma once
// The executor's Dialer in simulation: the runner host's view of the simulated network.

#include <memory>
#include <string>

#include "base/clock.h"
#include "executor/dialer.h"
#include "fakes/faults/connection_faults.h"
#include "fakes/network/network.h"

namespace kexsim::sim {

/// The scenario's connection-level faults as the dialer plays them: the rules, and the loopback
/// listener that answers every handshake with a TLS alert.
struct DialFaults {
  std::unique_ptr<fakes::ConnectionFaults> rules;
  uint16_t alert_port = 0;
};

/// Resolves and reaches hosts as the runner machine would, then connects to the fake's loopback listener.
class SimDialer : public executor::Dialer {
 public:
  /// faults: the world's connection-level faults, or null.
  SimDialer(const fakes::Network& network, Clock& clock, std::string ca_pem, DialFaults* faults = nullptr)
      : network_(network), clock_(clock), ca_pem_(std::move(ca_pem)), faults_(faults) {}

  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) override;
  void add_default_trust(ssl_ctx_st* ctx) override;
  /// The simulation CA's digest: every run of a process trusts the same CA, so runs share TLS contexts.
  std::string default_trust_key() const override;

 private:
  const fakes::Network& network_;
  Clock& clock_;
  std::string ca_pem_;
  DialFaults* faults_;
};

}  // namespace kexsim::sim

#pragma once
// The executor's Dialer in simulation: the runner host's view of the simulated network.

#include <string>

#include "base/clock.h"
#include "executor/dialer.h"
#include "fakes/network/network.h"

namespace kexsim::sim {

/// Resolves and reaches hosts as the runner machine would, then connects to the fake's loopback listener.
class SimDialer : public executor::Dialer {
 public:
  SimDialer(const fakes::Network& network, Clock& clock, std::string ca_pem)
      : network_(network), clock_(clock), ca_pem_(std::move(ca_pem)) {}

  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) override;
  void add_default_trust(ssl_ctx_st* ctx) override;
  /// The simulation CA's digest: every run of a process trusts the same CA, so runs share TLS contexts.
  std::string default_trust_key() const override;

 private:
  const fakes::Network& network_;
  Clock& clock_;
  std::string ca_pem_;
};

}  // namespace kexsim::sim

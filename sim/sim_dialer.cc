#include "sim/sim_dialer.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/hash.h"
#include "base/tls.h"

namespace kexsim::sim {

asio::awaitable<Result<asio::ip::tcp::socket>> SimDialer::dial(const std::string& host, uint16_t port) {
  auto address = network_.resolve_from_runner(host);
  if (!address) {
    co_return make_error("dial tcp: lookup " + host + " on 127.0.0.53:53: no such host");
  }
  const fakes::Reach reach = network_.reach_from_runner(*address, port);
  if (reach != fakes::Reach::kReachable) {
    co_await clock_.sleep_for(fakes::connect_cost(reach));
    co_return make_error(fakes::Network::go_dial_error(reach, *address, port));
  }
  const fakes::HostEntry* entry = network_.host_at(*address, port);
  if (entry == nullptr || entry->loopback_port == 0) {
    co_return make_error(fakes::Network::go_dial_error(fakes::Reach::kRefused, *address, port));
  }
  uint16_t loopback_port = entry->loopback_port;
  if (faults_ && faults_->rules && !entry->serves.empty()) {
    const fakes::DialVerdict verdict = faults_->rules->on_dial(entry->serves, *address, port);
    if (verdict == fakes::DialVerdict::kRefuse) {
      co_await clock_.sleep_for(fakes::connect_cost(fakes::Reach::kRefused));
      co_return make_error(fakes::Network::go_dial_error(fakes::Reach::kRefused, *address, port));
    }
    if (verdict == fakes::DialVerdict::kTlsAlert) loopback_port = faults_->alert_port;
  }
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(ex);
  boost::system::error_code ec;
  {
    InFlight connecting(clock_);  // the kernel completes the loopback connect; time must not move meanwhile
    co_await socket.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), loopback_port),
                                  asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) co_return make_error(fakes::Network::go_dial_error(fakes::Reach::kRefused, *address, port));
  socket.set_option(asio::ip::tcp::no_delay(true));
  co_return std::move(socket);
}

void SimDialer::add_default_trust(ssl_ctx_st* ctx) { add_pem_to_store(ctx, ca_pem_); }

std::string SimDialer::default_trust_key() const {
  return "sim-ca:" + std::to_string(ca_pem_.size()) + ":" + hex64(fnv1a(ca_pem_));
}

}  // namespace kexsim::sim

#pragma once
// The test toolkit's dialer for tests over real sockets: every host goes to one test server on
// 127.0.0.1, and TLS trusts the CA the test chooses, so a test can swap trust or refuse a dial.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/tls.h"
#include "executor/dialer.h"

namespace kexsim::testing {

/// Sends every host to target_port on 127.0.0.1 and trusts trusted_ca (none when empty).
class LoopbackDialer : public executor::Dialer {
 public:
  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) override {
    hosts.push_back(host);
    if (refuse) co_return make_error("dial tcp 10.0.0.1:" + std::to_string(port) + ": connect: connection refused");
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    boost::system::error_code ec;
    co_await socket.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), target_port),
                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return make_error("dial tcp " + host + ":" + std::to_string(port) + ": connect: " + ec.message());
    ++dials;
    co_return std::move(socket);
  }
  void add_default_trust(ssl_ctx_st* ctx) override {
    if (!trusted_ca.empty()) add_pem_to_store(ctx, trusted_ca);
  }

  uint16_t target_port = 0;
  std::string trusted_ca;
  bool refuse = false;
  int dials = 0;                   ///< dials that connected
  std::vector<std::string> hosts;  ///< every host asked for, in order
};

}  // namespace kexsim::testing

#pragma once
// The network seam of the executor: host name + port to a connected socket, plus default trust.

#include <cstdint>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/result.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace kexsim::executor {

namespace asio = boost::asio;

/// Turns a host name and port into a connected TCP socket. Production: system DNS and the
/// system CA store. Simulation: the runner host's view of the simulated network and its CA.
/// Errors carry Go's wording, since that is what GitLab Runner prints, e.g.
/// "dial tcp 10.0.0.216:443: connect: connection refused" or
/// "dial tcp: lookup gitlab.mylab.com on 127.0.0.53:53: no such host".
/// A dial is not counted as in flight by its caller: a Dialer may wait on the Clock (a connect
/// timeout), and must count its own real socket work (Clock::io_begin/io_end) itself.
class Dialer {
 public:
  virtual ~Dialer() = default;
  /// Connects to host:port (the logical name; TLS verification uses the same name).
  virtual asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) = 0;
  /// Adds the default trusted CAs to a TLS context (config files add more on top).
  virtual void add_default_trust(ssl_ctx_st* ctx) = 0;
  /// Names what add_default_trust adds (e.g. a digest of the CA bundle), so that TLS contexts can be
  /// shared with other dialers that trust the same; empty: shared only among this dialer's clients.
  virtual std::string default_trust_key() const { return {}; }
};

}  // namespace kexsim::executor

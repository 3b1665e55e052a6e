#pragma once
// The fakes' HTTP/1.1 server (plain or TLS) with WebSocket and SPDY/3.1 exec sessions, on one io_context.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/any_io_executor.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "base/tls.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// The certificate a listener presents, and a transport fault to play instead of TLS.
struct ServerTls {
  std::string cert_pem;  ///< used when identity is null
  std::string key_pem;
  bool reset_handshake = false;  ///< read the ClientHello, then reset the connection
  bool alert_handshake = false;  ///< read the ClientHello, then answer a fatal internal_error alert and close
  /// The certificate and key as objects: servers presenting the same identity share one SSL_CTX
  /// (and so its session cache and ticket keys) for the whole process.
  std::shared_ptr<const TlsIdentity> identity;
};

/// Serves one HttpHandler on 127.0.0.1:<ephemeral port>: keep-alive HTTP/1.1 (ALPN http/1.1 only
/// over TLS), and exec sessions when the handler answers 101 with an ExecRunner: WebSocket
/// (v5.channel.k8s.io / v4.channel.k8s.io) or, for `Upgrade: SPDY/3.1`, SPDY with v4.channel.k8s.io
/// (fakes/http/spdy_exec.h). Exec output is timed on the Clock; every exec message is accounted with
/// Clock::io_begin (before writing) and io_end (after the peer read it). Over SPDY every frame after the
/// 101 is one message, both ways, except the server's final GOAWAY: that and the close are the
/// session's end, which the server pays once and the client consumes when its read loop ends.
///
/// A response with a stream (HttpBodyStream, e.g. a watch) is sent chunked, one chunk per piece as the
/// stream gives it, each accounted as one message (io_begin before the write), and so is its end; the
/// connection then closes. While it streams the server reads the connection only to notice the client
/// leaving, which cancels the stream.
///
/// A handler may restrict the exec subprotocols by putting a Sec-WebSocket-Protocol header (a
/// comma-separated list) on its 101 response, e.g. to play an older API server without v5. When the
/// upgrade cannot happen, the server answers what the 101 response's upgrade_failed gives.
class HttpServer {
 public:
  HttpServer(asio::any_io_executor ex, Clock& clock, HttpHandler& handler, std::string logical_name,
             std::optional<ServerTls> tls);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  /// Calls stop().
  ~HttpServer();

  /// Binds 127.0.0.1:0 and starts accepting; returns the port.
  Result<uint16_t> listen();
  /// The bound port (0 before listen()).
  uint16_t port() const;
  /// Closes the listener and every open connection. Coroutines still pending finish with
  /// errors when the io_context next runs, without touching the handler; they do settle their
  /// exec accounting on the Clock, so the Clock must outlive any further run of the io_context.
  void stop();

  /// Implementation detail (defined in server.cc), shared with the server's coroutines.
  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kexsim::fakes

#pragma once
// The executor's HTTP/1.1 client: connects through the Dialer, verifies TLS against the logical
// host name, keeps connections alive, and words its errors as Go's net/http does.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "executor/dialer.h"
#include "executor/http/tls_contexts.h"
#include "executor/http/url.h"

namespace kexsim::executor {

/// One request. headers are sent as given; Host, User-Agent and Content-Length are added.
struct HttpClientRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// One complete response.
struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// res.TLS's verified chain as PEM (network/client.go getResponseTLSData); empty over plain HTTP.
  std::string tls_chain;
  /// The first value of a header (name case-insensitive), or empty.
  std::string header(std::string_view name) const;
};

/// The Go http.Client default User-Agent, sent when a request names none.
inline constexpr const char* kGoUserAgent = "Go-http-client/1.1";

/// HTTP/1.1 over TCP or TLS with one idle keep-alive connection per scheme+host+port, and fresh
/// connections for protocol upgrades (see kube_exec_stream.h). Accounts transport time on the
/// Clock: the dial is not in flight (a Dialer may wait on the clock and counts its own socket
/// work); the TLS handshake is, and so is each request from its first byte until its response's
/// last. Errors read as GitLab Runner prints them, e.g.
/// Get "https://k8s:6443/api": x509: certificate signed by unknown authority
class HttpClient {
 public:
  /// contexts: the process's shared TLS contexts; a client without one keeps its own.
  HttpClient(asio::any_io_executor ex, Dialer& dialer, Clock& clock, TlsSettings tls,
             std::shared_ptr<TlsContextCache> contexts = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends req and reads the whole response (any status is a response, not an error).
  asio::awaitable<Result<HttpClientResponse>> request(HttpClientRequest req);

  /// Implementation detail (defined in connection.h): one open plain or TLS connection.
  struct Connection;

  /// A fresh connection (never pooled) for a request that upgrades the protocol.
  struct Upgradable {
    Url url;
    std::unique_ptr<Connection> connection;
    std::shared_ptr<void> tls_context;  ///< keeps the connection's TLS context alive, should the client go first
  };
  /// Dials url and runs the TLS handshake; errors carry Go's `<Method> "<url>": ` prefix (method: the
  /// upgrade request's, GET for WebSocket, POST for SPDY).
  asio::awaitable<Result<Upgradable>> open_for_upgrade(std::string url, std::string method = "GET");

  /// The executor its coroutines run on.
  asio::any_io_executor executor() const { return ex_; }
  /// The clock transport time is accounted on.
  Clock& clock() { return clock_; }

  /// Drops the pooled idle connections.
  void close_idle();

  /// Go's Transport.ResponseHeaderTimeout: a request not answered this long after it went out fails
  /// with "net/http: timeout awaiting response headers". Zero (the default) waits as long as it takes.
  void set_response_header_timeout(Duration d) { response_header_timeout_ = d; }
  /// The requests' context ended (client-go passes ctx.Err() on): every request waiting for its
  /// answer fails at once with `<Method> "<url>": <cause>`. Only the waits end: requests sent later go
  /// out as usual. The abandoned exchanges finish in the background and never touch this client.
  void abort(const std::string& cause);

  /// A wait outside request() that abort() may end early (an exec's upgrade until its answer): while
  /// `waiting`, abort() sets failure and cancels wake.
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer wake;  ///< never expires: cancel() is the signal
    bool waiting = false;
    std::string failure;
  };
  /// A Waiter that abort() knows about.
  std::shared_ptr<Waiter> make_waiter();

  /// Implementation detail (defined in client.cc): one exchange the caller may stop waiting for.
  struct Pending;

 private:
  Result<boost::asio::ssl::context*> tls_context();
  void spawn_exchange(const std::shared_ptr<Pending>& pending, InFlight flight);

  asio::any_io_executor ex_;
  Dialer& dialer_;
  Clock& clock_;
  TlsSettings tls_;
  std::shared_ptr<TlsContextCache> contexts_;
  std::shared_ptr<boost::asio::ssl::context> ssl_ctx_;       // this client's, from contexts_
  std::map<std::string, std::unique_ptr<Connection>> idle_;  // key: scheme://host:port
  Duration response_header_timeout_{0};
  std::vector<std::weak_ptr<Pending>> pending_;  // exchanges waited for, for abort()
  std::vector<std::weak_ptr<Waiter>> waiters_;
};

}  // namespace kexsim::executor

#pragma once
// The executor's HTTP/1.1 and WebSocket client: connects through the Dialer, verifies TLS against
// the logical host name, keeps connections alive, and words its errors as Go's net/http does.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "executor/dialer.h"

namespace boost::asio::ssl {
class context;
}

namespace kexsim::executor {

/// Trust and identity for https:// URLs, on top of the Dialer's default trust.
struct TlsSettings {
  std::string ca_file;   ///< PEM bundle file (tls-ca-file, kubeconfig certificate-authority)
  std::string ca_pem;    ///< PEM bundle text (kubeconfig certificate-authority-data)
  std::string cert_file; ///< client certificate (PEM), with key_file
  std::string key_file;
  bool insecure_skip_verify = false;
};

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
  /// The first value of a header (name case-insensitive), or empty.
  std::string header(std::string_view name) const;
};

/// The end of an exec session: the subprotocol used and the error-channel (3) Status JSON
/// (empty when the server sent none, which v4/v5 clients read as success).
struct ExecStreamResult {
  std::string protocol;
  std::string status_json;
};

/// HTTP/1.1 over TCP or TLS with one idle keep-alive connection per scheme+host+port, plus
/// Kubernetes exec over WebSocket. Accounts transport time on the Clock: a request is in flight
/// from before it connects until its response is read (the Dialer runs inside that window; a
/// Dialer that waits on the virtual clock must io_end() before and io_begin() after the wait).
/// Errors read as GitLab Runner prints them, e.g.
/// Get "https://k8s:6443/api": x509: certificate signed by unknown authority
class HttpClient {
 public:
  HttpClient(asio::any_io_executor ex, Dialer& dialer, Clock& clock, TlsSettings tls);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends req and reads the whole response (any status is a response, not an error).
  asio::awaitable<Result<HttpClientResponse>> request(HttpClientRequest req);

  /// Runs a Kubernetes exec session over WebSocket (offering v5 then v4): sends stdin_data on
  /// channel 0 (then v5's stdin close), passes channel 1/2 output to on_output, and returns at
  /// the server's close. A refused upgrade returns the Status message (or the body) as error.
  asio::awaitable<Result<ExecStreamResult>> exec_websocket(const std::string& url,
                                                          std::vector<std::pair<std::string, std::string>> headers,
                                                          std::string stdin_data,
                                                          std::function<void(int stream, std::string_view data)> on_output);

  /// Drops the pooled idle connections.
  void close_idle();

  /// Implementation detail (defined in client.cc): one open plain or TLS connection.
  struct Connection;

 private:
  Result<asio::ssl::context*> tls_context();

  asio::any_io_executor ex_;
  Dialer& dialer_;
  Clock& clock_;
  TlsSettings tls_;
  std::unique_ptr<asio::ssl::context> ssl_ctx_;
  std::map<std::string, std::unique_ptr<Connection>> idle_;  // key: scheme://host:port
};

}  // namespace kexsim::executor

#pragma once
// What the fake HTTP server's translation units share (fakes/http/server.cc, server_exec_websocket.cc,
// server_exec_spdy.cc): the server's state, one connection over a stream, and the exec sessions each file
// serves. Split by concept so that Beast's WebSocket and the SPDY session compile on their own (they were
// the slowest translation unit of the sanitizer build). Internal to fakes/http.

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fakes/http/server.h"
#include "fakes/http/spdy_exec.h"

namespace kexsim::fakes {

namespace server_detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

inline constexpr std::string_view kV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kV4 = "v4.channel.k8s.io";
inline constexpr std::string_view kSpdy = "SPDY/3.1";
// The channel-protocol offers of a SPDY upgrade (apimachinery pkg/util/httpstream/httpstream.go).
inline constexpr std::string_view kStreamProtocolHeader = "X-Stream-Protocol-Version";
inline constexpr uint64_t kBodyLimit = 256ull << 20;
inline constexpr size_t kMessageLimit = 64u << 20;

}  // namespace server_detail

/// Shared by the server object and every coroutine it started, so that coroutines outliving
/// the server (until the io_context runs or dies) never dangle.
struct HttpServer::State {
  struct Connection;

  State(asio::any_io_executor e, Clock& c, HttpHandler& h, std::string n, std::optional<ServerTls> t)
      : ex(std::move(e)), clock(&c), handler(&h), name(std::move(n)), tls(std::move(t)), acceptor(ex) {}

  asio::any_io_executor ex;
  Clock* clock;
  HttpHandler* handler;
  std::string name;
  std::optional<ServerTls> tls;
  std::shared_ptr<server_detail::ssl::context> ssl_ctx;
  server_detail::tcp::acceptor acceptor;
  uint16_t port = 0;
  bool stopped = false;
  uint64_t next_id = 0;
  std::map<uint64_t, Connection*> open;  // for stop(); ordered so shutdown order is reproducible
};

/// One accepted connection, registered with the server so that stop() can close it.
struct HttpServer::State::Connection {
  explicit Connection(std::shared_ptr<State> s) : state(std::move(s)), id(state->next_id++) { state->open[id] = this; }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() { state->open.erase(id); }

  /// The TCP socket under any TLS layer.
  virtual server_detail::tcp::socket& socket() = 0;

  /// An exec session's end (close frame or lost connection) counts as one in-flight message the
  /// client consumes when its read loop ends; the server pays that io_begin exactly once.
  void settle_end() {
    if (!end_owed) return;
    end_owed = false;
    state->clock->io_begin();
  }

  void close_socket() {
    server_detail::error_code ignored;
    socket().shutdown(server_detail::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  std::shared_ptr<State> state;
  uint64_t id;
  bool end_owed = false;
};

namespace server_detail {

using State = HttpServer::State;
using Connection = HttpServer::State::Connection;

/// A connection over Stream (tcp::socket or ssl::stream<tcp::socket>).
template <class Stream>
struct Session : Connection {
  template <class... Args>
  Session(std::shared_ptr<State> s, Args&&... args) : Connection(std::move(s)), stream(std::forward<Args>(args)...) {}
  tcp::socket& socket() override {
    if constexpr (std::is_same_v<Stream, tcp::socket>)
      return stream;
    else
      return stream.next_layer();
  }
  Stream stream;
};

/// The TLS stream of a listener with a certificate.
using TlsStream = ssl::stream<tcp::socket>;

/// The completion handler of detached coroutines: an exception escapes to the io_context's run.
inline void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

/// Sleeps on the clock until `when` (no-op when already there).
asio::awaitable<void> sleep_until(Clock& clock, TimePoint when);

/// A WebSocket exec session (v5/v4.channel.k8s.io) after the handler accepted the upgrade: the 101,
/// stdin, the process's output on the clock, its Status, the close (server_exec_websocket.cc).
template <class Stream>
asio::awaitable<void> run_exec(std::shared_ptr<Session<Stream>> session, http::request<http::string_body> req,
                               std::string protocol, ExecRunner exec, bool stdin_requested,
                               std::optional<uint64_t> drop_after_bytes, std::optional<Duration> drop_after);

/// A SPDY/3.1 exec session (k8s-fake.md section 2.3): the 101, then frames until the client leaves
/// (server_exec_spdy.cc).
template <class Stream>
asio::awaitable<void> run_spdy_exec(std::shared_ptr<Session<Stream>> session, std::string protocol, ExecRunner exec,
                                    spdy::ExecStreamsWanted wanted, std::string early_bytes,
                                    std::optional<uint64_t> drop_after_bytes, std::optional<Duration> drop_after);

// Instantiated once, in their own files, for both kinds of connection.
extern template asio::awaitable<void> run_exec<tcp::socket>(std::shared_ptr<Session<tcp::socket>>,
                                                            http::request<http::string_body>, std::string, ExecRunner,
                                                            bool, std::optional<uint64_t>, std::optional<Duration>);
extern template asio::awaitable<void> run_exec<TlsStream>(std::shared_ptr<Session<TlsStream>>,
                                                          http::request<http::string_body>, std::string, ExecRunner,
                                                          bool, std::optional<uint64_t>, std::optional<Duration>);
extern template asio::awaitable<void> run_spdy_exec<tcp::socket>(std::shared_ptr<Session<tcp::socket>>, std::string,
                                                                 ExecRunner, spdy::ExecStreamsWanted, std::string,
                                                                 std::optional<uint64_t>, std::optional<Duration>);
extern template asio::awaitable<void> run_spdy_exec<TlsStream>(std::shared_ptr<Session<TlsStream>>, std::string,
                                                               ExecRunner, spdy::ExecStreamsWanted, std::string,
                                                               std::optional<uint64_t>, std::optional<Duration>);

}  // namespace server_detail

}  // namespace kexsim::fakes

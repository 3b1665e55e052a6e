#include "fakes/http/server.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace kexsim::fakes {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::string_view kV5 = "v5.channel.k8s.io";
constexpr std::string_view kV4 = "v4.channel.k8s.io";
constexpr uint64_t kBodyLimit = 256ull << 20;
constexpr size_t kMessageLimit = 64u << 20;

}  // namespace

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
  std::shared_ptr<ssl::context> ssl_ctx;
  tcp::acceptor acceptor;
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
  virtual tcp::socket& socket() = 0;

  /// An exec session's end (close frame or lost connection) counts as one in-flight message the
  /// client consumes when its read loop ends; the server pays that io_begin exactly once.
  void settle_end() {
    if (!end_owed) return;
    end_owed = false;
    state->clock->io_begin();
  }

  void close_socket() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  std::shared_ptr<State> state;
  uint64_t id;
  bool end_owed = false;
};

namespace {

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

/// The WebSocket of an exec session, shared by the session and its background reader.
template <class Stream>
struct ExecChannel {
  explicit ExecChannel(std::shared_ptr<Session<Stream>> s) : session(std::move(s)), ws(session->stream) {}
  std::shared_ptr<Session<Stream>> session;
  websocket::stream<Stream&> ws;
  bool peer_gone = false;  // the client closed or the connection failed: stop sending
};

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; in a query '+' also means a space (application/x-www-form-urlencoded).
std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view item = trim(s.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

HttpRequest to_fake_request(const http::request<http::string_body>& req, const std::string& listener) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  const std::string_view target = sv(req.target());
  const size_t q = target.find('?');
  out.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        out.query.emplace_back(percent_decode(pair.substr(0, eq), true),
                               eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& field : req) {
    const std::string name = lower(sv(field.name_string()));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());  // repeated fields fold into a list
  }
  out.body = req.body();
  out.listener = listener;
  return out;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out.push_back(hex[(c >> 4) & 0xf]);
      out.push_back(hex[c & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A Kubernetes Status error, as the API server's transport answers when an upgrade goes wrong.
HttpResponse status_error(int code, std::string_view reason, std::string_view message) {
  return HttpResponse::json(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                                  "\"message\":\"" +
                                      json_escape(message) + "\",\"reason\":\"" + std::string(reason) +
                                      "\",\"code\":" + std::to_string(code) + "}");
}

// The first subprotocol the client offers that this server (and the handler) supports.
std::string choose_protocol(const http::request<http::string_body>& req, const HttpResponse& resp) {
  std::vector<std::string> supported{std::string(kV5), std::string(kV4)};
  for (const auto& [name, value] : resp.headers) {
    if (lower(name) != "sec-websocket-protocol") continue;
    const auto allowed = split_list(value);
    std::erase_if(supported, [&](const std::string& p) { return std::find(allowed.begin(), allowed.end(), p) == allowed.end(); });
  }
  const auto [first, last] = req.equal_range(http::field::sec_websocket_protocol);
  for (auto field = first; field != last; ++field)
    for (const auto& offered : split_list(sv(field->value())))
      if (std::find(supported.begin(), supported.end(), offered) != supported.end()) return offered;
  return {};
}

template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, const HttpResponse& resp, bool head, bool keep_alive) {
  error_code ec;
  const bool bodiless = (resp.status >= 100 && resp.status < 200) || resp.status == 204 || resp.status == 304;
  if (head || bodiless) {
    http::response<http::empty_body> res;
    res.result(static_cast<unsigned>(resp.status));
    for (const auto& [name, value] : resp.headers) res.insert(name, value);
    if (!bodiless) res.content_length(resp.body.size());
    res.keep_alive(keep_alive);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    http::response<http::string_body> res;
    res.result(static_cast<unsigned>(resp.status));
    for (const auto& [name, value] : resp.headers) res.insert(name, value);
    res.body() = resp.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return !ec;
}

// Sends one exec message [channel]+data, accounted as in flight until the client reads it.
template <class Stream>
asio::awaitable<bool> send_message(ExecChannel<Stream>& ch, unsigned char channel, std::string_view data) {
  std::string msg(1, static_cast<char>(channel));
  msg += data;
  Clock& clock = *ch.session->state->clock;
  clock.io_begin();
  error_code ec;
  co_await ch.ws.async_write(asio::buffer(msg), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    clock.io_end();  // a failed write never delivers a whole message
    ch.peer_gone = true;
    co_return false;
  }
  co_return true;
}

// Reads (and accounts) whatever the client sends once stdin is closed, so that pings get pongs.
template <class Stream>
asio::awaitable<void> drain(std::shared_ptr<ExecChannel<Stream>> ch) {
  for (;;) {
    beast::flat_buffer buf;
    error_code ec;
    co_await ch->ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec != asio::error::operation_aborted) ch->peer_gone = true;
      co_return;
    }
    ch->session->state->clock->io_end();
  }
}

// Sleeps on the clock until start + offset (no-op when already there).
asio::awaitable<void> sleep_until(Clock& clock, TimePoint when) {
  const TimePoint now = clock.now();
  if (when > now) co_await clock.sleep_for(std::chrono::duration_cast<Duration>(when - now));
}

template <class Stream>
asio::awaitable<void> run_exec(std::shared_ptr<Session<Stream>> session, http::request<http::string_body> req,
                               std::string protocol, ExecRunner exec, bool stdin_requested) {
  auto ch = std::make_shared<ExecChannel<Stream>>(session);
  State& state = *session->state;
  ch->ws.set_option(websocket::stream_base::decorator(
      [protocol](websocket::response_type& res) { res.set(http::field::sec_websocket_protocol, protocol); }));
  ch->ws.read_message_max(kMessageLimit);
  error_code ec;
  co_await ch->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  session->end_owed = true;  // the client saw the 101: from here on it will count the end
  if (state.stopped) {
    session->settle_end();
    co_return;
  }
  ch->ws.binary(true);

  // Stdin: channel 0 data until v5's [0xFF, 0x00] or the client's Close frame.
  std::string stdin_data;
  bool stdin_closed = !stdin_requested;
  while (!stdin_closed) {
    beast::flat_buffer buf;
    co_await ch->ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ch->peer_gone = true;
      break;
    }
    state.clock->io_end();
    const std::string msg = beast::buffers_to_string(buf.data());
    if (!ch->ws.got_binary() || msg.empty()) continue;
    const auto channel = static_cast<unsigned char>(msg[0]);
    if (channel == 0) stdin_data.append(msg, 1);
    if (channel == 0xFF && protocol == kV5 && msg.size() >= 2 && msg[1] == 0) stdin_closed = true;
  }
  if (state.stopped) co_return;
  if (!ch->peer_gone) asio::co_spawn(state.ex, drain(ch), rethrow);

  // The process runs even when the client has gone: its effects on the simulated pod remain.
  const ExecOutcome outcome = exec(stdin_data);
  const TimePoint start = state.clock->now();
  for (const auto& chunk : outcome.output) {
    if (ch->peer_gone || state.stopped) break;
    co_await sleep_until(*state.clock, start + chunk.at);
    if (ch->peer_gone || state.stopped) break;
    if (!chunk.data.empty()) co_await send_message(*ch, static_cast<unsigned char>(chunk.stream), chunk.data);
  }
  if (!ch->peer_gone && !state.stopped) co_await sleep_until(*state.clock, start + outcome.duration);
  if (!ch->peer_gone && !state.stopped) co_await send_message(*ch, 3, outcome.status_json);
  if (state.stopped) co_return;  // stop() settled the end and closed the socket
  session->settle_end();
  if (!ch->peer_gone) {
    co_await ch->ws.async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    session->close_socket();
  }
}

template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<Session<Stream>> session) {
  State& state = *session->state;
  error_code ec;
  if constexpr (!std::is_same_v<Stream, tcp::socket>) {
    co_await session->stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(64 * 1024);
    co_await http::async_read_header(session->stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || state.stopped) break;
    if (iequals_ascii(sv(parser.get()[http::field::expect]), "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      co_await http::async_write(session->stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!parser.is_done())
      co_await http::async_read(session->stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || state.stopped) break;
    http::request<http::string_body> req = parser.release();
    const HttpRequest request = to_fake_request(req, state.name);
    HttpResponse resp = state.handler->handle(request);
    if (resp.status == 101) {
      if (!websocket::is_upgrade(req)) {
        resp = status_error(400, "BadRequest", "Upgrade request required");
      } else if (!resp.exec) {
        resp = status_error(500, "InternalError", "Internal error occurred: upgrade without a stream handler");
      } else {
        std::string protocol = choose_protocol(req, resp);
        if (protocol.empty()) {
          resp = status_error(400, "BadRequest", "unable to upgrade connection: no supported stream protocol");
        } else {
          const std::string stdin_flag = request.query_value("stdin");
          co_await run_exec(session, std::move(req), std::move(protocol), std::move(resp.exec),
                            stdin_flag == "true" || stdin_flag == "1");
          co_return;
        }
      }
    }
    const bool keep_alive = req.keep_alive();
    if (!co_await write_response(session->stream, resp, req.method() == http::verb::head, keep_alive)) break;
    if (!keep_alive) break;
  }
  // Closed at once, without close_notify: HTTP/1.1 with Content-Length does not need it, and
  // waiting for the peer's close_notify could wait forever.
  session->close_socket();
}

// The reset_handshake fault: take the ClientHello, then reset so the client sees ECONNRESET.
asio::awaitable<void> reset_connection(std::shared_ptr<Session<tcp::socket>> session) {
  char hello[4096];
  error_code ec;
  co_await session->stream.async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
  session->stream.set_option(asio::socket_base::linger(true, 0), ec);
  session->stream.close(ec);
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped || !state->acceptor.is_open()) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    if (state->tls && state->tls->reset_handshake) {
      asio::co_spawn(state->ex, reset_connection(std::make_shared<Session<tcp::socket>>(state, std::move(socket))),
                     rethrow);
    } else if (state->ssl_ctx) {
      using TlsStream = ssl::stream<tcp::socket>;
      asio::co_spawn(state->ex, serve(std::make_shared<Session<TlsStream>>(state, std::move(socket), *state->ssl_ctx)),
                     rethrow);
    } else {
      asio::co_spawn(state->ex, serve(std::make_shared<Session<tcp::socket>>(state, std::move(socket))), rethrow);
    }
  }
}

// ALPN: only HTTP/1.1, so that clients never switch to h2.
int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                  void*) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == "http/1.1") {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Result<std::shared_ptr<ssl::context>> make_tls_context(const ServerTls& tls, const std::string& name) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (tls.identity) {
    if (SSL_CTX_use_certificate(native, tls.identity->cert()) != 1 ||
        SSL_CTX_use_PrivateKey(native, tls.identity->key()) != 1) {
      ERR_clear_error();
      return make_error("loading the TLS certificate of " + name + ": the key does not match the certificate");
    }
  } else {
    error_code ec;
    ctx->use_certificate_chain(asio::buffer(tls.cert_pem), ec);
    if (!ec) ctx->use_private_key(asio::buffer(tls.key_pem), ssl::context::pem, ec);
    if (ec) return make_error("loading the TLS certificate of " + name + ": " + ec.message());
  }
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  // Resumption: session IDs (TLS 1.2, the built-in server cache) and one ticket per handshake
  // (TLS 1.3; OpenSSL's default of two doubles the work for clients that keep one).
  static const unsigned char kSessionContext[] = "kexsim";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_num_tickets(native, 1);
  return ctx;
}

// The SSL_CTX of a listener: one per identity for the whole process (several worlds, one after
// another or at once, present the same cached identities), else one of its own.
Result<std::shared_ptr<ssl::context>> tls_context_for(const ServerTls& tls, const std::string& name) {
  if (!tls.identity) return make_tls_context(tls, name);
  struct Entry {
    std::weak_ptr<const TlsIdentity> identity;
    std::shared_ptr<ssl::context> ctx;
  };
  static std::mutex mutex;
  static auto* contexts = new std::map<const TlsIdentity*, Entry>();  // never destroyed, like the identities
  std::lock_guard lock(mutex);
  std::erase_if(*contexts, [](const auto& entry) { return entry.second.identity.expired(); });
  if (auto it = contexts->find(tls.identity.get()); it != contexts->end()) return it->second.ctx;
  auto ctx = make_tls_context(tls, name);
  if (!ctx) return ctx.error();
  contexts->emplace(tls.identity.get(), Entry{tls.identity, *ctx});
  return *ctx;
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor ex, Clock& clock, HttpHandler& handler, std::string logical_name,
                       std::optional<ServerTls> tls)
    : state_(std::make_shared<State>(std::move(ex), clock, handler, std::move(logical_name), std::move(tls))) {}

HttpServer::~HttpServer() { stop(); }

Result<uint16_t> HttpServer::listen() {
  State& state = *state_;
  if (state.acceptor.is_open()) return make_error("listener " + state.name + " is already listening");
  if (state.tls && !state.tls->reset_handshake && !state.ssl_ctx) {
    auto ctx = tls_context_for(*state.tls, state.name);
    if (!ctx) return ctx.error();
    state.ssl_ctx = std::move(*ctx);
  }
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    state.acceptor.close(ignored);
    return make_error("listen tcp 127.0.0.1:0: " + ec.message(), {}, state.name);
  }
  state.port = state.acceptor.local_endpoint(ec).port();
  state.stopped = false;
  asio::co_spawn(state.ex, accept_loop(state_), rethrow);
  return state.port;
}

uint16_t HttpServer::port() const { return state_->port; }

void HttpServer::stop() {
  State& state = *state_;
  if (state.stopped) return;
  state.stopped = true;
  error_code ignored;
  state.acceptor.close(ignored);
  // Copy first: closing never unregisters synchronously, but keep the loop independent of that.
  std::vector<Connection*> open;
  for (const auto& [id, conn] : state.open) open.push_back(conn);
  for (Connection* conn : open) {
    conn->settle_end();
    conn->close_socket();
  }
}

}  // namespace kexsim::fakes

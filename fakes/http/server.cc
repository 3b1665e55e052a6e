#include "fakes/http/server.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/strings.h"
#include "fakes/http/server_session.h"

namespace kexsim::fakes {

namespace server_detail {

asio::awaitable<void> sleep_until(Clock& clock, TimePoint when) {
  const TimePoint now = clock.now();
  if (when > now) co_await clock.sleep_for(std::chrono::duration_cast<Duration>(when - now));
}

}  // namespace server_detail

namespace {

using namespace server_detail;
namespace websocket = beast::websocket;

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
        out.query.emplace_back(
            percent_decode(pair.substr(0, eq), true),
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& field : req) {
    const std::string name = to_lower(sv(field.name_string()));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());  // repeated fields fold into a list
  }
  out.body = req.body();
  out.listener = listener;
  return out;
}

// The handler's answer to a failed upgrade, or a plain-text one when it gave none.
HttpResponse upgrade_failure(const HttpResponse& accepted, UpgradeFailure failure) {
  if (accepted.upgrade_failed) return accepted.upgrade_failed(failure);
  switch (failure) {
    case UpgradeFailure::kNotWebSocket: return HttpResponse::text(400, "not a WebSocket upgrade request");
    case UpgradeFailure::kNoExecRunner: return HttpResponse::text(500, "upgrade without an exec runner");
    case UpgradeFailure::kNoCommonProtocol: return HttpResponse::text(400, "no supported WebSocket subprotocol");
  }
  return HttpResponse::text(500, "upgrade failed");
}

// The first channel protocol the client offers (in the offers field) that this server and the handler
// support. The handler's Sec-WebSocket-Protocol list restricts SPDY too: both name channel protocols.
std::string choose_protocol(const http::request<http::string_body>& req, const HttpResponse& resp,
                            std::string_view offers_field, std::vector<std::string> supported) {
  for (const auto& [name, value] : resp.headers) {
    if (!iequals(name, "sec-websocket-protocol")) continue;
    const auto allowed = split_list(value);
    std::erase_if(supported,
                  [&](const std::string& p) { return std::find(allowed.begin(), allowed.end(), p) == allowed.end(); });
  }
  const auto [first, last] = req.equal_range(beast::string_view(offers_field.data(), offers_field.size()));
  for (auto field = first; field != last; ++field)
    for (const auto& offered : split_list(sv(field->value())))
      if (std::find(supported.begin(), supported.end(), offered) != supported.end()) return offered;
  return {};
}

// A SPDY/3.1 upgrade (kubectl up to 1.29, client-go's SPDY executor): Connection names upgrade, Upgrade is SPDY/3.1.
bool is_spdy_upgrade(const http::request<http::string_body>& req) {
  bool upgrade = false;
  for (const std::string& token : split_list(sv(req[http::field::connection])))
    if (iequals(token, "upgrade")) upgrade = true;
  return upgrade && iequals(trim_view(sv(req[http::field::upgrade])), kSpdy);
}

bool query_flag(const HttpRequest& request, const std::string& name) {
  const std::string value = request.query_value(name);
  return value == "true" || value == "1";
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

// What a streamed response shares with the reader that notices the client leaving.
struct StreamPeer {
  bool gone = false;
};

// Reads (and drops) whatever the client sends during a streamed response: the read's end is the client
// leaving (or stop() closing the socket), which cancels the stream so that an idle watch ends at once.
template <class Stream>
asio::awaitable<void> watch_peer(std::shared_ptr<Session<Stream>> session, std::shared_ptr<HttpBodyStream> body,
                                 std::shared_ptr<StreamPeer> peer) {
  std::array<char, 4096> sink;
  error_code ec;
  while (!ec)
    co_await session->stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
  peer->gone = true;
  body->cancel();
}

// A drop_after_seconds fault on a streamed response: the connection closes at that virtual time, with no
// last chunk, as a kubelet or proxy that goes away mid-stream (the client reads "unexpected EOF").
template <class Stream>
asio::awaitable<void> drop_stream_after(std::shared_ptr<Session<Stream>> session, std::shared_ptr<HttpBodyStream> body,
                                        std::shared_ptr<StreamPeer> peer, Duration after) {
  co_await session->state->clock->sleep_for(after);
  if (peer->gone) co_return;
  peer->gone = true;
  error_code ignored;
  session->socket().close(ignored);
  body->cancel();
}

// A streamed response (a watch, a followed log): the header with chunked encoding, one chunk per piece the
// body gives, then the zero-length chunk. The connection closes afterwards (the reader owns its read side).
// A drop_after_* fault ends it early: the connection closes after that many body bytes or seconds.
template <class Stream>
asio::awaitable<void> write_streamed(std::shared_ptr<Session<Stream>> session, HttpResponse resp) {
  State& state = *session->state;
  std::shared_ptr<HttpBodyStream> body = std::move(resp.stream);
  http::response<http::empty_body> res;
  res.result(static_cast<unsigned>(resp.status));
  for (const auto& [name, value] : resp.headers) res.insert(name, value);
  res.chunked(true);
  res.keep_alive(false);
  http::response_serializer<http::empty_body> serializer{res};
  error_code ec;
  co_await http::async_write_header(session->stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || state.stopped) {
    body->cancel();
    co_return;
  }
  auto peer = std::make_shared<StreamPeer>();
  asio::co_spawn(state.ex, watch_peer(session, body, peer), rethrow);
  if (resp.drop_after) asio::co_spawn(state.ex, drop_stream_after(session, body, peer, *resp.drop_after), rethrow);
  std::optional<uint64_t> budget = resp.drop_after_bytes;
  Clock& clock = *state.clock;
  for (;;) {
    std::optional<std::string> piece = co_await body->next();
    if (!piece || peer->gone || state.stopped) break;
    if (piece->empty()) continue;  // an empty chunk would end the body
    const bool last = budget && piece->size() >= *budget;
    if (last) piece->resize(*budget);
    if (budget) *budget -= piece->size();
    clock.io_begin();
    co_await asio::async_write(session->stream, http::make_chunk(asio::buffer(*piece)),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      clock.io_end();  // never delivered whole
      peer->gone = true;
      break;
    }
    if (last) {  // the budget is spent: the connection goes, no last chunk
      peer->gone = true;
      error_code ignored;
      session->socket().close(ignored);
      break;
    }
  }
  body->cancel();
  if (peer->gone || state.stopped) co_return;
  clock.io_begin();  // the end of the body is one more message the client consumes
  co_await asio::async_write(session->stream, http::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) clock.io_end();
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
    if (iequals(sv(parser.get()[http::field::expect]), "100-continue")) {
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
    if (resp.delay > Duration(0)) {
      // The request is consumed; its in-flight count passes to this sleep so that virtual time can
      // move, and comes back for the answer the client has yet to read.
      state.clock->io_end();
      co_await state.clock->sleep_for(resp.delay);
      state.clock->io_begin();
      if (state.stopped) break;
    }
    if (resp.black_hole) {
      // The request is consumed and no answer comes: virtual time moves on, and the client's wait
      // is an end it settles when it leaves (as an exec session's), paid here or by stop().
      state.clock->io_end();
      session->end_owed = true;
      std::array<char, 4096> sink;
      while (!ec && !state.stopped)
        co_await session->stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
      if (state.stopped) co_return;
      session->settle_end();
      session->close_socket();
      co_return;
    }
    if (resp.reset_connection) {
      // As reset_connection() below: an RST, so the client reads ECONNRESET rather than EOF.
      session->socket().set_option(asio::socket_base::linger(true, 0), ec);
      session->socket().close(ec);
      co_return;
    }
    if (resp.status == 101 && is_spdy_upgrade(req)) {
      std::string protocol = choose_protocol(req, resp, kStreamProtocolHeader, {std::string(kV4)});
      if (!resp.exec) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoExecRunner);
      } else if (protocol.empty()) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoCommonProtocol);
      } else {
        const spdy::ExecStreamsWanted wanted{query_flag(request, "stdin"), query_flag(request, "stdout"),
                                             query_flag(request, "stderr"), query_flag(request, "tty")};
        std::string early = beast::buffers_to_string(buf.data());
        co_await run_spdy_exec(session, std::move(protocol), std::move(resp.exec), wanted, std::move(early),
                               resp.drop_after_bytes, resp.drop_after);
        co_return;
      }
    } else if (resp.status == 101) {
      if (!websocket::is_upgrade(req)) {
        resp = upgrade_failure(resp, UpgradeFailure::kNotWebSocket);
      } else if (!resp.exec) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoExecRunner);
      } else {
        std::string protocol =
            choose_protocol(req, resp, "Sec-WebSocket-Protocol", {std::string(kV5), std::string(kV4)});
        if (protocol.empty()) {
          resp = upgrade_failure(resp, UpgradeFailure::kNoCommonProtocol);
        } else {
          const std::string stdin_flag = request.query_value("stdin");
          co_await run_exec(session, std::move(req), std::move(protocol), std::move(resp.exec),
                            stdin_flag == "true" || stdin_flag == "1", resp.drop_after_bytes, resp.drop_after);
          co_return;
        }
      }
    }
    if (resp.stream && resp.status != 101) {
      co_await write_streamed(session, std::move(resp));
      break;
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

// The alert_handshake fault: take the ClientHello, answer one fatal internal_error alert record (type 21,
// TLS 1.2 record version, level 2, description 80) and close; the client reads "tlsv1 alert internal error".
asio::awaitable<void> alert_connection(std::shared_ptr<Session<tcp::socket>> session) {
  static constexpr unsigned char kInternalErrorAlert[] = {21, 3, 3, 0, 2, 2, 80};
  char hello[4096];
  error_code ec;
  co_await session->stream.async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !session->state->stopped)
    co_await asio::async_write(session->stream, asio::buffer(kInternalErrorAlert),
                               asio::redirect_error(asio::use_awaitable, ec));
  session->close_socket();
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
    } else if (state->tls && state->tls->alert_handshake) {
      asio::co_spawn(state->ex, alert_connection(std::make_shared<Session<tcp::socket>>(state, std::move(socket))),
                     rethrow);
    } else if (state->ssl_ctx) {
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
  if (state.tls && !state.tls->reset_handshake && !state.tls->alert_handshake && !state.ssl_ctx) {
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

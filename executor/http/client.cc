#include "executor/http/client.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "base/strings.h"
#include "executor/http/connection.h"
#include "executor/http/go_errors.h"
#include "executor/http/tls_verify.h"

namespace kexsim::executor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr uint64_t kBodyLimit = 256ull << 20;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

/// The outcome of one request on one connection.
struct Exchange {
  error_code ec;
  bool got_bytes = false;  // any byte of the response arrived
  bool keep_alive = false;
  HttpClientResponse response;
};

template <class Stream>
asio::awaitable<error_code> send_request(Stream& stream, http::request<http::string_body>& req) {
  error_code ec;
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

template <class Stream>
asio::awaitable<Exchange> read_answer(Stream& stream, beast::flat_buffer& buffer,
                                      http::request<http::string_body>& req) {
  Exchange out;
  // Interim 1xx answers (100 Continue) precede the real response, as Go's transport skips them.
  std::optional<http::response_parser<http::string_body>> parser;
  do {
    parser.emplace();
    parser->body_limit(kBodyLimit);
    if (req.method() == http::verb::head) parser->skip(true);
    co_await http::async_read(stream, buffer, *parser, asio::redirect_error(asio::use_awaitable, out.ec));
    out.got_bytes = out.got_bytes || parser->got_some();
    if (out.ec) co_return out;
  } while (parser->get().result_int() >= 100 && parser->get().result_int() < 200 && parser->get().result_int() != 101);
  auto& res = parser->get();
  out.keep_alive = res.keep_alive();
  out.response.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.response.headers.emplace_back(sv(field.name_string()), sv(field.value()));
  out.response.body = std::move(res.body());
  co_return out;
}

/// Dials and, for https, runs the TLS handshake with Go's verification verdicts. Returns the
/// connection or the cause of failure (without the method/URL prefix).
asio::awaitable<Result<std::unique_ptr<HttpClient::Connection>>> connect(Dialer& dialer, Clock& clock, const Url& url,
                                                                         ssl::context* ctx, bool insecure,
                                                                         std::string server_name) {
  // The dial is not counted as in flight: a dialer may wait on the clock (a connect timeout) and
  // counts its own socket work. Once connected, the handshake is a conversation with the peer.
  auto socket = co_await dialer.dial(url.host, url.port);
  if (!socket) co_return socket.error();
  error_code ec;
  socket->set_option(tcp::no_delay(true), ec);
  auto conn = std::make_unique<HttpClient::Connection>();
  if (!url.tls) {
    conn->plain = std::make_unique<tcp::socket>(std::move(*socket));
    co_return conn;
  }
  conn->secure = std::make_unique<ssl::stream<tcp::socket>>(std::move(*socket), *ctx);
  auto& stream = *conn->secure;
  // tls.Config.ServerName (kubeconfig tls-server-name) replaces the URL's host for SNI and verification.
  const std::string peer = server_name.empty() ? url.host : server_name;
  expect_peer_name(stream.native_handle(), peer, !insecure);
  auto findings = std::make_shared<VerifyFindings>();
  if (insecure) {
    stream.set_verify_mode(ssl::verify_none);
  } else {
    stream.set_verify_mode(ssl::verify_peer);
    // Accept every step and judge at the end, so that the verdict follows Go's order of checks.
    stream.set_verify_callback([findings](bool preverified, ssl::verify_context& vc) {
      if (!preverified) record_verify_error(vc.native_handle(), *findings);
      return true;
    });
  }
  InFlight handshake(clock);
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  handshake.release();
  if (auto verdict = go_verify_error(*findings, peer)) co_return make_error(*verdict);
  if (ec) co_return make_error(go_cause(ec, false));
  if (!insecure) conn->verified_chain = verified_chain_pem(stream.native_handle());
  co_return conn;
}

}  // namespace

/// One exchange, run in its own coroutine so that the caller can stop waiting (a deadline, a cancel)
/// while the connection stays with the exchange until the peer answers or goes.
struct HttpClient::Pending {
  explicit Pending(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer wake;  // never expires: cancel() is the signal
  std::unique_ptr<Connection> conn;
  std::shared_ptr<ssl::context> ctx;  // the connection's TLS context, should the client go first
  http::request<http::string_body> message;
  std::optional<Exchange> result;
  std::string failure;  // why the caller stopped waiting
  bool abandoned = false;
};

namespace {

// The wait for the answer to a request already written: flight is the request's in-flight unit.
asio::awaitable<void> run_exchange(std::shared_ptr<HttpClient::Pending> p, InFlight flight) {
  Exchange x;
  // Not a conditional expression: g++ 12 mishandles co_await inside ?: (double destruction).
  if (p->conn->secure)
    x = co_await read_answer(*p->conn->secure, p->conn->buffer, p->message);
  else
    x = co_await read_answer(*p->conn->plain, p->conn->buffer, p->message);
  flight.release();
  if (p->abandoned) {
    p->conn.reset();
    co_return;
  }
  p->result = std::move(x);
  p->wake.cancel();
}

// net/http transport.go: the pconn's roundTrip fails with errTimeout's text when the response header
// timer fires first.
asio::awaitable<void> expire_exchange(std::shared_ptr<HttpClient::Pending> p, Clock* clock, Duration after) {
  co_await clock->sleep_for(after);
  if (p->result || !p->failure.empty() || p->abandoned) co_return;
  p->failure = "net/http: timeout awaiting response headers";
  p->wake.cancel();
}

}  // namespace

void HttpClient::abort(const std::string& cause) {
  for (auto& weak : pending_) {
    auto p = weak.lock();
    if (!p || p->result || !p->failure.empty()) continue;
    p->failure = cause;
    p->wake.cancel();
  }
  pending_.clear();
  for (auto& weak : waiters_) {
    auto w = weak.lock();
    if (!w || !w->waiting || !w->failure.empty()) continue;
    w->failure = cause;
    w->wake.cancel();
  }
  std::erase_if(waiters_, [](const std::weak_ptr<Waiter>& w) { return w.expired(); });
}

std::shared_ptr<HttpClient::Waiter> HttpClient::make_waiter() {
  std::erase_if(waiters_, [](const std::weak_ptr<Waiter>& w) { return w.expired(); });
  auto w = std::make_shared<Waiter>(ex_);
  waiters_.push_back(w);
  return w;
}

std::string HttpClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

HttpClient::HttpClient(asio::any_io_executor ex, Dialer& dialer, Clock& clock, TlsSettings tls,
                       std::shared_ptr<TlsContextCache> contexts)
    : ex_(std::move(ex)), dialer_(dialer), clock_(clock), tls_(std::move(tls)), contexts_(std::move(contexts)) {
  if (!contexts_) contexts_ = std::make_shared<TlsContextCache>();
}

HttpClient::~HttpClient() = default;

void HttpClient::close_idle() { idle_.clear(); }

Result<ssl::context*> HttpClient::tls_context() {
  if (ssl_ctx_) return ssl_ctx_.get();
  auto ctx = contexts_->get(dialer_, tls_);
  if (!ctx) return ctx.error();
  ssl_ctx_ = std::move(*ctx);
  return ssl_ctx_.get();
}

asio::awaitable<Result<HttpClientResponse>> HttpClient::request(HttpClientRequest req) {
  auto url = parse_url(req.url);
  if (!url) co_return url_error(req.method, req.url, url.error().message);
  ssl::context* ctx = nullptr;
  if (url->tls) {
    auto c = tls_context();
    if (!c) co_return url_error(req.method, req.url, c.error().message);
    ctx = *c;
  }

  http::request<http::string_body> message;
  message.method_string(req.method);
  message.target(url->target);
  message.version(11);
  bool has_agent = false;
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "host") || iequals(name, "content-length")) continue;
    has_agent = has_agent || iequals(name, "user-agent");
    message.insert(name, value);
  }
  message.set(http::field::host, url->host_header);
  if (!has_agent) message.set(http::field::user_agent, kGoUserAgent);
  message.body() = std::move(req.body);
  message.prepare_payload();

  const std::string key = url->key();
  std::unique_ptr<Connection> conn;
  if (auto it = idle_.find(key); it != idle_.end()) {
    conn = std::move(it->second);
    idle_.erase(it);
  }
  bool reused = conn != nullptr;
  for (;;) {
    if (!conn) {
      auto fresh = co_await connect(dialer_, clock_, *url, ctx, tls_.insecure_skip_verify, tls_.server_name);
      if (!fresh) co_return url_error(req.method, req.url, fresh.error().message);
      conn = std::move(*fresh);
    }
    InFlight flight(clock_);  // from the request's first byte to the response's last
    // The request goes out here, in order with the caller's other work; the answer is awaited on its
    // own so that a deadline can end the wait. (Not a conditional expression: g++ 12 and co_await.)
    error_code sent;
    if (conn->secure)
      sent = co_await send_request(*conn->secure, message);
    else
      sent = co_await send_request(*conn->plain, message);
    if (sent) {
      flight.release();
      if (reused) {  // the server had closed the idle connection: reconnect once
        conn.reset();
        reused = false;
        continue;
      }
      co_return url_error(req.method, req.url, go_cause(sent, false));
    }
    auto pending = std::make_shared<Pending>(ex_);
    pending->conn = std::move(conn);
    pending->ctx = ssl_ctx_;
    pending->message = std::move(message);
    std::erase_if(pending_, [](const std::weak_ptr<Pending>& w) { return w.expired(); });
    pending_.push_back(pending);
    spawn_exchange(pending, std::move(flight));
    while (!pending->result && pending->failure.empty()) {
      error_code ignored;
      co_await pending->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (!pending->result) {
      pending->abandoned = true;
      co_return url_error(req.method, req.url, pending->failure);
    }
    Exchange x = std::move(*pending->result);
    conn = std::move(pending->conn);
    message = std::move(pending->message);
    if (!x.ec) {
      x.response.tls_chain = conn->verified_chain;
      if (x.keep_alive && !idle_.count(key)) idle_[key] = std::move(conn);
      co_return std::move(x.response);
    }
    if (reused && !x.got_bytes) {  // the server had closed the idle connection: reconnect once
      conn.reset();
      reused = false;
      continue;
    }
    co_return url_error(req.method, req.url, go_cause(x.ec, x.got_bytes));
  }
}

void HttpClient::spawn_exchange(const std::shared_ptr<Pending>& pending, InFlight flight) {
  asio::co_spawn(ex_, run_exchange(pending, std::move(flight)), asio::detached);
  if (response_header_timeout_ > Duration(0))
    asio::co_spawn(ex_, expire_exchange(pending, &clock_, response_header_timeout_), asio::detached);
}

asio::awaitable<Result<HttpClient::Upgradable>> HttpClient::open_for_upgrade(std::string url_text, std::string method) {
  auto url = parse_url(url_text);
  if (!url) co_return url_error(method, url_text, url.error().message);
  ssl::context* ctx = nullptr;
  if (url->tls) {
    auto c = tls_context();
    if (!c) co_return url_error(method, url_text, c.error().message);
    ctx = *c;
  }
  auto conn = co_await connect(dialer_, clock_, *url, ctx, tls_.insecure_skip_verify, tls_.server_name);
  if (!conn) co_return url_error(method, url_text, conn.error().message);
  co_return Upgradable{std::move(*url), std::move(*conn), ssl_ctx_};
}

}  // namespace kexsim::executor

#include "executor/http/client.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <arpa/inet.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/tls.h"

namespace kexsim::executor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

/// An open connection to one scheme+host+port, plain or TLS.
struct HttpClient::Connection {
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<ssl::stream<tcp::socket>> secure;
  beast::flat_buffer buffer;  // bytes read past the previous response stay here
};

namespace {

constexpr std::string_view kV5 = "v5.channel.k8s.io";
constexpr std::string_view kV4 = "v4.channel.k8s.io";
constexpr uint64_t kBodyLimit = 256ull << 20;
constexpr size_t kMessageLimit = 64u << 20;
constexpr size_t kStdinChunk = 32 * 1024;
constexpr const char* kUserAgent = "Go-http-client/1.1";

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// ---- URLs and Go's error wording ----

struct Url {
  bool tls = false;
  std::string scheme;
  std::string host;  // no brackets
  uint16_t port = 0;
  std::string target;
  std::string host_header;
  std::string key() const { return scheme + "://" + host + ":" + std::to_string(port); }
};

// Go's net/http names the method in its errors as "Get", "Post", ...
std::string go_method(std::string_view method) {
  std::string out;
  for (size_t i = 0; i < method.size(); ++i) {
    const auto c = static_cast<unsigned char>(method[i]);
    out.push_back(static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c)));
  }
  return out;
}

Error url_error(std::string_view method, const std::string& url, const std::string& cause) {
  return make_error(go_method(method) + " \"" + url + "\": " + cause);
}

Result<Url> parse_url(const std::string& text) {
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return make_error("unsupported protocol scheme \"\"");
  url.scheme = text.substr(0, scheme_end);
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https")
    return make_error("unsupported protocol scheme \"" + url.scheme + "\"");
  url.tls = url.scheme == "https";
  const size_t authority_start = scheme_end + 3;
  const size_t path_start = text.find_first_of("/?", authority_start);
  std::string authority = text.substr(authority_start, path_start - authority_start);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return make_error("parse \"" + text + "\": missing ']' in host");
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error("http: no Host in request URL");
  const uint16_t default_port = url.tls ? 443 : 80;
  url.port = default_port;
  if (!port_text.empty()) {
    unsigned long port = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return make_error("parse \"" + text + "\": invalid port \":" + port_text + "\" after host");
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return make_error("parse \"" + text + "\": invalid port \":" + port_text + "\" after host");
    url.port = static_cast<uint16_t>(port);
  }
  url.target = path_start == std::string::npos ? "/" : text.substr(path_start);
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (const size_t hash = url.target.find('#'); hash != std::string::npos) url.target.erase(hash);
  url.host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != default_port) url.host_header += ":" + std::to_string(url.port);
  return url;
}

// Go's crypto/tls names for the alerts a peer may send.
std::string go_alert(int alert) {
  switch (alert) {
    case 0: return "close notify";
    case 10: return "unexpected message";
    case 20: return "bad record MAC";
    case 22: return "record overflow";
    case 40: return "handshake failure";
    case 42: return "bad certificate";
    case 43: return "unsupported certificate";
    case 44: return "revoked certificate";
    case 45: return "expired certificate";
    case 46: return "unknown certificate";
    case 47: return "illegal parameter";
    case 48: return "unknown certificate authority";
    case 49: return "access denied";
    case 50: return "error decoding message";
    case 51: return "error decrypting message";
    case 70: return "protocol version not supported";
    case 71: return "insufficient security level";
    case 80: return "internal error";
    case 90: return "user canceled";
    case 100: return "no renegotiation";
    case 109: return "missing extension";
    case 110: return "unsupported extension";
    case 112: return "unrecognized name";
    case 116: return "certificate required";
    case 120: return "no application protocol";
    default: return "alert(" + std::to_string(alert) + ")";
  }
}

// A transport failure as Go words it. got_bytes: part of a message had arrived (EOF is then
// "unexpected EOF").
std::string go_cause(const error_code& ec, bool got_bytes) {
  if (ec == asio::error::eof || ec == http::error::end_of_stream || ec == ssl::error::stream_truncated)
    return got_bytes ? "unexpected EOF" : "EOF";
  if (ec == http::error::partial_message) return "unexpected EOF";
  if (ec == asio::error::connection_reset) return "read: connection reset by peer";
  if (ec == asio::error::broken_pipe) return "write: broken pipe";
  if (ec == asio::error::connection_aborted) return "read: software caused connection abort";
  if (ec == asio::error::operation_aborted) return "context canceled";
  if (ec.category() == asio::error::get_ssl_category()) {
    const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (reason >= SSL_AD_REASON_OFFSET) return "remote error: tls: " + go_alert(reason - SSL_AD_REASON_OFFSET);
    if (reason == SSL_R_WRONG_VERSION_NUMBER) return "tls: first record does not look like a TLS handshake";
    return "tls: " + ec.message();
  }
  if (ec.category() == make_error_code(http::error::bad_version).category())
    return "net/http: HTTP/1.x transport connection broken: malformed HTTP response";
  return ec.message();
}

// ---- TLS verification with Go's verdicts ----

/// What OpenSSL found wrong with the server's certificate, gathered over the whole verification.
struct VerifyFindings {
  bool expired = false;
  bool name_mismatch = false;
  bool untrusted = false;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

void collect_sans(X509* cert, VerifyFindings& out) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* s = name->d.dNSName;
      out.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text)) out.ip_addresses.emplace_back(text);
    }
  }
  GENERAL_NAMES_free(names);
}

void record_verify_error(X509_STORE_CTX* ctx, VerifyFindings& out) {
  switch (X509_STORE_CTX_get_error(ctx)) {
    case X509_V_OK:
      return;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      out.expired = true;
      return;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      if (!out.name_mismatch) collect_sans(X509_STORE_CTX_get0_cert(ctx), out);
      out.name_mismatch = true;
      return;
    default:
      out.untrusted = true;
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Go checks the leaf's validity period, then the host name, then the chain: the first failure wins.
std::optional<std::string> go_verify_error(const VerifyFindings& f, const std::string& host) {
  if (f.expired) return "x509: certificate has expired or is not yet valid";
  if (f.name_mismatch) {
    std::string valid;
    if (is_ip_literal(host)) {
      if (f.ip_addresses.empty())
        return "x509: cannot validate certificate for " + host + " because it doesn't contain any IP SANs";
      valid = join(f.ip_addresses);
    } else {
      valid = join(f.dns_names);
    }
    if (valid.empty()) return "x509: certificate is not valid for any names, but wanted to match " + host;
    return "x509: certificate is valid for " + valid + ", not " + host;
  }
  if (f.untrusted) return "x509: certificate signed by unknown authority";
  return std::nullopt;
}

// ---- request/response exchange ----

/// The outcome of one request on one connection.
struct Exchange {
  error_code ec;
  bool got_bytes = false;  // any byte of the response arrived
  bool keep_alive = false;
  HttpClientResponse response;
};

template <class Stream>
asio::awaitable<Exchange> exchange(Stream& stream, beast::flat_buffer& buffer, http::request<http::string_body>& req) {
  Exchange out;
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, out.ec));
  if (out.ec) co_return out;
  // Interim 1xx answers (100 Continue) precede the real response, as Go's transport skips them.
  std::optional<http::response_parser<http::string_body>> parser;
  do {
    parser.emplace();
    parser->body_limit(kBodyLimit);
    if (req.method() == http::verb::head) parser->skip(true);
    co_await http::async_read(stream, buffer, *parser, asio::redirect_error(asio::use_awaitable, out.ec));
    out.got_bytes = out.got_bytes || parser->got_some();
    if (out.ec) co_return out;
  } while (parser->get().result_int() >= 100 && parser->get().result_int() < 200 &&
           parser->get().result_int() != 101);
  auto& res = parser->get();
  out.keep_alive = res.keep_alive();
  out.response.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.response.headers.emplace_back(sv(field.name_string()), sv(field.value()));
  out.response.body = std::move(res.body());
  co_return out;
}

// ---- exec over WebSocket ----

std::string upgrade_failure_message(const websocket::response_type& res) {
  const auto json = nlohmann::json::parse(res.body(), nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string())
    return json["message"].get<std::string>();
  if (!res.body().empty()) return res.body();
  return std::to_string(res.result_int()) + " " + std::string(sv(res.reason()));
}

// gorilla/websocket's words for a close code, which client-go passes on.
std::string go_close_error(const websocket::close_reason& reason) {
  static const std::map<int, std::string> names{
      {1001, "going away"},           {1002, "protocol error"},       {1003, "unsupported data"},
      {1005, "no status"},            {1006, "abnormal closure"},     {1007, "invalid payload data"},
      {1008, "policy violation"},     {1009, "message too big"},      {1010, "mandatory extension missing"},
      {1011, "internal server error"}, {1012, "service restart"},     {1013, "try again later"},
      {1015, "TLS handshake"}};
  std::string out = "websocket: close " + std::to_string(reason.code);
  if (auto it = names.find(reason.code); it != names.end()) out += " (" + it->second + ")";
  if (!reason.reason.empty()) out += ": " + std::string(reason.reason.data(), reason.reason.size());
  return out;
}

template <class Stream>
asio::awaitable<Result<ExecStreamResult>> run_exec(Stream& stream, Clock& clock, InFlight& handshake_flight,
                                                   const Url& url, const std::string& url_text,
                                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                                   const std::string& stdin_data,
                                                   const std::function<void(int, std::string_view)>& on_output) {
  websocket::stream<Stream&> ws(stream);
  ws.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, std::string(kV5) + ", " + std::string(kV4));
    bool has_agent = false;
    for (const auto& [name, value] : headers) {
      if (iequals(name, "host") || iequals(name, "sec-websocket-protocol")) continue;
      has_agent = has_agent || iequals(name, "user-agent");
      req.insert(name, value);
    }
    if (!has_agent) req.set(http::field::user_agent, kUserAgent);
  }));
  ws.read_message_max(kMessageLimit);
  websocket::response_type res;
  error_code ec;
  co_await ws.async_handshake(res, url.host_header, url.target, asio::redirect_error(asio::use_awaitable, ec));
  handshake_flight.release();
  if (ec == websocket::error::upgrade_declined) co_return make_error(upgrade_failure_message(res));
  if (ec) co_return url_error("GET", url_text, go_cause(ec, false));

  const std::string protocol(sv(res[http::field::sec_websocket_protocol]));
  if (protocol != kV5 && protocol != kV4)
    co_return make_error("websocket: the server chose no supported subprotocol (offered " + std::string(kV5) + ", " +
                         std::string(kV4) + "; got \"" + protocol + "\")");

  // From here on the server's close (or a lost connection) counts as one message we consume.
  ws.binary(true);
  std::optional<std::string> failure;
  auto send = [&](std::string msg) -> asio::awaitable<bool> {
    clock.io_begin();
    co_await ws.async_write(asio::buffer(msg), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return true;
    clock.io_end();  // the server never gets a message whose write failed
    failure = go_cause(ec, false);
    co_return false;
  };
  bool sent = true;
  for (size_t at = 0; sent && at < stdin_data.size(); at += kStdinChunk)
    sent = co_await send(std::string(1, '\0') + stdin_data.substr(at, kStdinChunk));
  if (sent && protocol == kV5) co_await send(std::string("\xFF\x00", 2));

  std::string status_json;
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    clock.io_end();  // a message, or the end of the stream
    if (ec == websocket::error::closed) {
      if (ws.reason().code != websocket::close_code::normal && !failure)
        failure = "next reader: " + go_close_error(ws.reason());
      break;
    }
    if (ec) {
      if (!failure) {
        failure = ec == asio::error::eof || ec == ssl::error::stream_truncated
                      ? "next reader: websocket: close 1006 (abnormal closure): unexpected EOF"
                      : "next reader: " + go_cause(ec, false);
      }
      break;
    }
    if (!ws.got_binary()) {
      if (!failure) failure = "unexpected message type";
      continue;  // keep reading: every message the server sent must be consumed
    }
    const std::string msg = beast::buffers_to_string(buf.data());
    if (msg.empty()) continue;
    const auto channel = static_cast<unsigned char>(msg[0]);
    if ((channel == 1 || channel == 2) && on_output) on_output(channel, std::string_view(msg).substr(1));
    if (channel == 3) status_json.append(msg, 1);
  }
  if (failure) co_return make_error(*failure);
  co_return ExecStreamResult{protocol, status_json};
}

Status read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string reason = std::strerror(errno);  // Go's syscall errors are lower-case
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    return make_error("open " + path + ": " + reason);
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return {};
}

}  // namespace

std::string HttpClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

HttpClient::HttpClient(asio::any_io_executor ex, Dialer& dialer, Clock& clock, TlsSettings tls)
    : ex_(std::move(ex)), dialer_(dialer), clock_(clock), tls_(std::move(tls)) {}

HttpClient::~HttpClient() = default;

void HttpClient::close_idle() { idle_.clear(); }

Result<ssl::context*> HttpClient::tls_context() {
  if (ssl_ctx_) return ssl_ctx_.get();
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  static const unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(native, kAlpn, sizeof kAlpn - 1);
  dialer_.add_default_trust(native);
  if (!tls_.ca_file.empty()) {
    std::string pem;
    if (auto st = read_file(tls_.ca_file, pem); !st) return st.error();
    if (!add_pem_to_store(native, pem)) return make_error("no certificates found in " + tls_.ca_file);
  }
  if (!tls_.ca_pem.empty() && !add_pem_to_store(native, tls_.ca_pem))
    return make_error("no certificates found in the configured certificate authority data");
  if (!tls_.cert_file.empty() || !tls_.key_file.empty()) {
    std::string ignored;
    if (auto st = read_file(tls_.cert_file, ignored); !st) return st.error();
    if (auto st = read_file(tls_.key_file, ignored); !st) return st.error();
    if (SSL_CTX_use_certificate_chain_file(native, tls_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(native, tls_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      ERR_clear_error();
      return make_error("tls: failed to find any PEM data in certificate input");
    }
  }
  ssl_ctx_ = std::move(ctx);
  return ssl_ctx_.get();
}

namespace {

/// Dials and, for https, runs the TLS handshake with Go's verification verdicts. Returns the
/// connection or the cause of failure (without the method/URL prefix).
asio::awaitable<Result<std::unique_ptr<HttpClient::Connection>>> connect(Dialer& dialer, Clock& clock, const Url& url,
                                                                        ssl::context* ctx, bool insecure) {
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
  SSL* ssl_handle = stream.native_handle();
  const bool ip = is_ip_literal(url.host);
  if (!ip) SSL_set_tlsext_host_name(ssl_handle, const_cast<char*>(url.host.c_str()));
  auto findings = std::make_shared<VerifyFindings>();
  if (insecure) {
    stream.set_verify_mode(ssl::verify_none);
  } else {
    stream.set_verify_mode(ssl::verify_peer);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    if (ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    else
      SSL_set1_host(ssl_handle, url.host.c_str());
    // Accept every step and judge at the end, so that the verdict follows Go's order of checks.
    stream.set_verify_callback([findings](bool preverified, ssl::verify_context& vc) {
      if (!preverified) record_verify_error(vc.native_handle(), *findings);
      return true;
    });
  }
  InFlight handshake(clock);
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  handshake.release();
  if (auto verdict = go_verify_error(*findings, url.host)) co_return make_error(*verdict);
  if (ec) co_return make_error(go_cause(ec, false));
  co_return conn;
}

}  // namespace

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
  if (!has_agent) message.set(http::field::user_agent, kUserAgent);
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
      auto fresh = co_await connect(dialer_, clock_, *url, ctx, tls_.insecure_skip_verify);
      if (!fresh) co_return url_error(req.method, req.url, fresh.error().message);
      conn = std::move(*fresh);
    }
    InFlight flight(clock_);  // from the request's first byte to the response's last
    // Not a conditional expression: g++ 12 mishandles co_await inside ?: (double destruction).
    Exchange x;
    if (conn->secure)
      x = co_await exchange(*conn->secure, conn->buffer, message);
    else
      x = co_await exchange(*conn->plain, conn->buffer, message);
    if (!x.ec) {
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

asio::awaitable<Result<ExecStreamResult>> HttpClient::exec_websocket(
    const std::string& url_text, std::vector<std::pair<std::string, std::string>> headers, std::string stdin_data,
    std::function<void(int stream, std::string_view data)> on_output) {
  auto url = parse_url(url_text);
  if (!url) co_return url_error("GET", url_text, url.error().message);
  ssl::context* ctx = nullptr;
  if (url->tls) {
    auto c = tls_context();
    if (!c) co_return url_error("GET", url_text, c.error().message);
    ctx = *c;
  }
  auto conn = co_await connect(dialer_, clock_, *url, ctx, tls_.insecure_skip_verify);
  if (!conn) co_return url_error("GET", url_text, conn.error().message);
  InFlight flight(clock_);  // the upgrade request until its 101; run_exec releases it
  auto& c = **conn;
  if (c.secure)
    co_return co_await run_exec(*c.secure, clock_, flight, *url, url_text, headers, stdin_data, on_output);
  co_return co_await run_exec(*c.plain, clock_, flight, *url, url_text, headers, stdin_data, on_output);
}

}  // namespace kexsim::executor

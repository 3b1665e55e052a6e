#include "executor/http/go_errors.h"

#include <cctype>
#include <map>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>  // the error enum only, not the parser
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace kexsim::executor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

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

// crypto/tls alert.go: alertText.
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

std::string go_cause(const boost::system::error_code& ec, bool got_bytes) {
  if (ec == asio::error::eof || ec == http::error::end_of_stream || ec == asio::ssl::error::stream_truncated)
    return got_bytes ? "unexpected EOF" : "EOF";
  if (ec == http::error::partial_message) return "unexpected EOF";
  // Go net/net.go OpError.Error: "read ...: <err>"; syscall zerrors_linux_amd64.go ECONNRESET: "connection reset by peer".
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

// gorilla/websocket conn.go: CloseError.Error.
std::string go_websocket_close_error(int code, std::string_view reason) {
  static const std::map<int, std::string> names{{1001, "going away"},
                                                {1002, "protocol error"},
                                                {1003, "unsupported data"},
                                                {1005, "no status"},
                                                {1006, "abnormal closure"},
                                                {1007, "invalid payload data"},
                                                {1008, "policy violation"},
                                                {1009, "message too big"},
                                                {1010, "mandatory extension missing"},
                                                {1011, "internal server error"},
                                                {1012, "service restart"},
                                                {1013, "try again later"},
                                                {1015, "TLS handshake"}};
  std::string out = "websocket: close " + std::to_string(code);
  if (auto it = names.find(code); it != names.end()) out += " (" + it->second + ")";
  if (!reason.empty()) out += ": " + std::string(reason);
  return out;
}

}  // namespace kexsim::executor

#include "fakes/runtime/url.h"

#include <cctype>

#include "base/strings.h"

namespace kexsim::fakes::shell {

std::string Url::display() const {
  std::string out = scheme + "://" + host;
  if (explicit_port) out += ":" + std::to_string(port);
  return out + path;
}

std::optional<Url> parse_url(const std::string& text) {
  const size_t sep = text.find("://");
  if (sep == std::string::npos) return std::nullopt;
  Url url;
  url.scheme = text.substr(0, sep);
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  const size_t authority_start = sep + 3;
  size_t authority_end = text.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = text.size();
  std::string authority = text.substr(authority_start, authority_end - authority_start);
  url.path = text.substr(authority_end);
  const size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    url.user = userinfo.substr(0, colon);
    if (colon != std::string::npos) url.password = userinfo.substr(colon + 1);
    url.has_credentials = true;
  }
  size_t host_end = authority.size();
  if (!authority.empty() && authority[0] == '[') {
    host_end = authority.find(']');
    if (host_end == std::string::npos) return std::nullopt;
    ++host_end;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string::npos) host_end = colon;
  }
  url.host = authority.substr(0, host_end);
  if (url.host.empty()) return std::nullopt;
  url.port = url.tls() ? 443 : 80;
  if (host_end < authority.size()) {
    if (authority[host_end] != ':') return std::nullopt;
    const std::string port = authority.substr(host_end + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    url.port = std::stoi(port);
    url.explicit_port = true;
  }
  return url;
}

// curl lib/connect.c: "Failed to connect to %s port %u: %s", the wording of curl before it added "after %d ms".
std::string curl_error_text(const ConnectOutcome& outcome, const std::string& host, int port) {
  const std::string where = "Failed to connect to " + host + " port " + std::to_string(port) + ": ";
  switch (outcome.kind) {
    case ConnectOutcome::Kind::kOk: return "";
    case ConnectOutcome::Kind::kResolveFailed: return "Could not resolve host: " + host;
    case ConnectOutcome::Kind::kRefused: return where + "Connection refused";
    case ConnectOutcome::Kind::kUnreachable: return where + "Host is unreachable";
    case ConnectOutcome::Kind::kTimeout: return where + "Connection timed out";
    // libcurl really ends this message with a space.
    case ConnectOutcome::Kind::kTlsReset:
      return "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to " + host + ":" + std::to_string(port) + " ";
    // lib/vtls/openssl.c: "SSL certificate problem: %s" with X509_verify_cert_error_string.
    case ConnectOutcome::Kind::kTlsUntrusted:
      return "SSL certificate problem: " +
             (outcome.tls_detail.empty() ? std::string("unable to get local issuer certificate") : outcome.tls_detail);
    // lib/vtls/openssl.c (ossl_verifyhost) before curl 8.9 ("hostname" from 8.9 on):
    // "... matches target %s '%s'" with "host name", "ipv4 address" or "ipv6 address".
    case ConnectOutcome::Kind::kTlsWrongName: {
      const char* kind = !is_ip_literal(host)                  ? "host name"
                         : host.find(':') != std::string::npos ? "ipv6 address"
                                                               : "ipv4 address";
      return "SSL: no alternative certificate subject name matches target " + std::string(kind) + " '" + host + "'";
    }
  }
  return "";
}

int curl_exit_code(ConnectOutcome::Kind kind) {
  switch (kind) {
    case ConnectOutcome::Kind::kOk: return 0;
    case ConnectOutcome::Kind::kResolveFailed: return 6;
    case ConnectOutcome::Kind::kRefused:
    case ConnectOutcome::Kind::kUnreachable: return 7;
    case ConnectOutcome::Kind::kTimeout: return 28;
    case ConnectOutcome::Kind::kTlsReset: return 35;
    case ConnectOutcome::Kind::kTlsUntrusted:
    case ConnectOutcome::Kind::kTlsWrongName: return 60;
  }
  return 1;
}

Result<HttpReply> http_exchange(Connection& connection, const std::string& method, const Url& url,
                                const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& body) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + url.host;
  if (url.explicit_port) request += ":" + std::to_string(url.port);
  request += "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  if (auto sent = connection.write(request); !sent) return sent.error();
  const std::string raw = connection.read();
  const size_t end = raw.find("\r\n\r\n");
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos || raw.size() < 12)
    return make_error("Empty reply from server");
  HttpReply reply;
  reply.status = std::atoi(raw.c_str() + 9);
  for (const auto& line : split(raw.substr(0, end), '\n')) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = trim(line.substr(colon + 1));
  }
  reply.body = raw.substr(end + 4);
  auto length = reply.headers.find("content-length");
  if (length != reply.headers.end() && reply.body.size() != static_cast<size_t>(std::atoll(length->second.c_str())))
    return make_error("transfer closed with outstanding read data remaining");
  return reply;
}

}  // namespace kexsim::fakes::shell

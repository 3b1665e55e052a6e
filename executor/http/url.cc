#include "executor/http/url.h"

#include <cctype>

namespace kexsim::executor {

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
    const Error bad_port = make_error("parse \"" + text + "\": invalid port \":" + port_text + "\" after host");
    unsigned long port = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return bad_port;
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return bad_port;
    url.port = static_cast<uint16_t>(port);
  }
  url.target = path_start == std::string::npos ? "/" : text.substr(path_start);
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (const size_t hash = url.target.find('#'); hash != std::string::npos) url.target.erase(hash);
  url.host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != default_port) url.host_header += ":" + std::to_string(url.port);
  return url;
}

}  // namespace kexsim::executor

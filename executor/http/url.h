#pragma once
// http:// and https:// URLs as the executor's HTTP client needs them: scheme, host, port, target,
// and the Host header, with parse errors worded as Go's net/url words them.

#include <cstdint>
#include <string>

#include "base/result.h"

namespace kexsim::executor {

/// A parsed request URL.
struct Url {
  bool tls = false;
  std::string scheme;       ///< "http" or "https", lower case
  std::string host;         ///< without IPv6 brackets
  uint16_t port = 0;        ///< explicit or the scheme's default
  std::string target;       ///< path and query, "/" at least, no fragment
  std::string host_header;  ///< host[:port] as sent in Host (port only when not the default)
  /// The connection pool key: scheme://host:port.
  std::string key() const { return scheme + "://" + host + ":" + std::to_string(port); }
};

/// Parses text; the error message is the cause as Go prints it after `Get "<url>": `.
Result<Url> parse_url(const std::string& text);

}  // namespace kexsim::executor

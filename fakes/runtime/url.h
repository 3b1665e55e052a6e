#pragma once
// URLs as git and curl take them, libcurl's wording for failed connections (git over HTTPS
// prints libcurl's error text, so both tool models share it), and a tiny HTTP/1.1 exchange.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/runtime/world.h"

namespace kexsim::fakes::shell {

/// The parts of an http(s) URL the tool models act on.
struct Url {
  std::string scheme;  ///< "https" or "http"
  std::string user;
  std::string password;
  bool has_credentials = false;
  std::string host;
  int port = 0;  ///< effective port (443 / 80 when not written)
  bool explicit_port = false;
  std::string path;  ///< "/root/mycicd.git", may be empty

  /// The URL as tools print it: credentials removed, otherwise as written.
  std::string display() const;
  /// Whether the connection uses TLS.
  bool tls() const { return scheme == "https"; }
};

/// Parses scheme://[user[:password]@]host[:port][/path]; nullopt when it is not an http(s) URL.
std::optional<Url> parse_url(const std::string& text);

/// libcurl's error text for a failed connection, e.g. "Could not resolve host: gitlab.mylab.com".
/// Empty for kOk.
std::string curl_error_text(const ConnectOutcome& outcome, const std::string& host, int port);

/// curl's exit code for a failed connection (6, 7, 28, 35, 60); 0 for kOk.
int curl_exit_code(ConnectOutcome::Kind kind);

/// One HTTP/1.1 response as a client reads it.
struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
};

/// Sends one request (Host and Content-Length added) over connection and reads the answer, which
/// must carry a Content-Length (the fakes always send one).
Result<HttpReply> http_exchange(Connection& connection, const std::string& method, const Url& url,
                                const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& body);

}  // namespace kexsim::fakes::shell

#pragma once
// URLs as git and curl take them, and libcurl's wording for failed connections (git over HTTPS
// prints libcurl's error text, so both tool models share it).

#include <optional>
#include <string>

#include "fakes/runtime/world.h"

namespace kexsim::fakes::shell {

/// The parts of an http(s) URL the tool models act on.
struct Url {
  std::string scheme;  ///< "https" or "http"
  std::string user;
  std::string password;
  bool has_credentials = false;
  std::string host;
  int port = 0;               ///< effective port (443 / 80 when not written)
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

}  // namespace kexsim::fakes::shell

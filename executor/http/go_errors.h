#pragma once
// Transport failures worded as Go's net/http, crypto/tls and gorilla/websocket word them, which is
// how GitLab Runner and client-go print them (e.g. `Get "https://k8s:6443/api": EOF`).

#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "base/result.h"

namespace kexsim::executor {

/// net/http's spelling of a method in errors: "Get", "Post", ...
std::string go_method(std::string_view method);

/// A url.Error: `<Method> "<url>": <cause>`.
Error url_error(std::string_view method, const std::string& url, const std::string& cause);

/// crypto/tls's name for a TLS alert a peer sent ("bad certificate", "alert(7)" when unnamed).
std::string go_alert(int alert);

/// A socket, TLS or HTTP parse failure as Go words it. got_bytes: part of a message had arrived
/// (EOF is then "unexpected EOF").
std::string go_cause(const boost::system::error_code& ec, bool got_bytes);

/// gorilla/websocket's CloseError text, which client-go passes on: "websocket: close 1011
/// (internal server error): <reason>".
std::string go_websocket_close_error(int code, std::string_view reason);

}  // namespace kexsim::executor

#pragma once
// One open connection of HttpClient, plain or TLS. Only the two transport translation units
// (client.cc and kube_exec_stream.cc) include it: it pulls in Asio's SSL stream and Beast's buffer.

#include <memory>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "executor/http/client.h"

namespace kexsim::executor {

/// An open connection to one scheme+host+port; exactly one of plain and secure is set.
struct HttpClient::Connection {
  std::unique_ptr<boost::asio::ip::tcp::socket> plain;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> secure;
  boost::beast::flat_buffer buffer;  ///< bytes read past the previous response stay here
  std::string verified_chain;        ///< the PEM chain the handshake verified (tls_verify.h), TLS only
};

}  // namespace kexsim::executor

#include "executor/kube_exec_stream.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <array>
#include <cctype>
#include <map>
#include <optional>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "executor/http/connection.h"
#include "executor/http/go_errors.h"
#include "executor/kube_exec_channels.h"

// The WebSocket exec client (kubectl 1.30+'s default, and the Python client's); the SPDY one, which the
// runner uses, is kube_exec_spdy.cc.

namespace kexsim::executor {
namespace {

using namespace exec_channels;

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using boost::system::error_code;

constexpr size_t kMessageLimit = 64u << 20;

std::string upgrade_failure_message(const websocket::response_type& res) {
  const auto json = nlohmann::json::parse(res.body(), nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string())
    return json["message"].get<std::string>();
  if (!res.body().empty()) return res.body();
  return std::to_string(res.result_int()) + " " + std::string(sv(res.reason()));
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
    if (!has_agent) req.set(http::field::user_agent, kGoUserAgent);
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
  if (sent && protocol == kV5) co_await send(std::string("\xFF\x00", 2));  // v5: close stdin (channel 255, 0)

  std::string status_json;
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    clock.io_end();  // a message, or the end of the stream
    if (ec == websocket::error::closed) {
      if (ws.reason().code != websocket::close_code::normal && !failure) {
        failure = "next reader: " +
                  go_websocket_close_error(ws.reason().code,
                                           std::string_view(ws.reason().reason.data(), ws.reason().reason.size()));
      }
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
    if (channel == 3) append_status(status_json, std::string_view(msg).substr(1));
  }
  if (failure) co_return make_error(*failure);
  co_return ExecStreamResult{protocol, status_json};
}

}  // namespace

asio::awaitable<Result<ExecStreamResult>> run_exec_stream(
    HttpClient& http, std::string url_text, std::vector<std::pair<std::string, std::string>> headers,
    std::string stdin_data, std::function<void(int stream, std::string_view data)> on_output) {
  auto opened = co_await http.open_for_upgrade(url_text);
  if (!opened) co_return opened.error();
  Clock& clock = http.clock();
  InFlight flight(clock);  // the upgrade request until its 101; run_exec releases it
  auto& conn = *opened->connection;
  if (conn.secure)
    co_return co_await run_exec(*conn.secure, clock, flight, opened->url, url_text, headers, stdin_data, on_output);
  co_return co_await run_exec(*conn.plain, clock, flight, opened->url, url_text, headers, stdin_data, on_output);
}

}  // namespace kexsim::executor

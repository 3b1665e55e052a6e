#include "executor/kube_watch.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <array>
#include <charconv>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include "executor/http/connection.h"
#include "executor/http/go_errors.h"

namespace kexsim::executor {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using nlohmann::json;

std::string status_message(int code, const std::string& body) {
  // client-go: a Status body's message, else the generic text.
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string())
    return parsed["message"].get<std::string>();
  return "the server responded with the status code " + std::to_string(code) + " but did not return more information";
}

template <class Stream>
asio::awaitable<WatchEnd> read_stream(Stream& stream, beast::flat_buffer& buffer, Clock& clock, const Url& url,
                                      const WatchTarget& target, const std::shared_ptr<WatchControl>& control,
                                      const std::function<void(const std::string&)>& on_chunk) {
  std::string request = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.host_header + "\r\n";
  request += "User-Agent: " + target.user_agent + "\r\n";
  request += "Accept: application/json, */*\r\n";
  if (!target.authorization.empty()) request += "Authorization: " + target.authorization + "\r\n";
  request += "\r\n";
  const std::string where = "Get \"" + target.base_url + url.target + "\": ";
  InFlight flight(clock);  // the request until its response header (or its whole error answer)
  // A stop before the answer (a black-holed request) closes the socket: the waits end, the flight too.
  control->abandon = [&stream] {
    error_code ignored;
    beast::get_lowest_layer(stream).close(ignored);
  };
  error_code ec;
  co_await asio::async_write(stream, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    control->abandon = nullptr;
    co_return make_error(where + go_cause(ec, false));  // as net/http words a transport failure
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(8u << 20);
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  control->abandon = nullptr;
  if (ec) co_return make_error(where + go_cause(ec, false));
  const int status = static_cast<int>(parser.get().result_int());
  if (status != 200 || !parser.chunked()) {
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    Error e = make_error(status_message(status, parser.get().body()));
    e.code = status;
    co_return e;
  }
  flight.release();
  if (control->established) std::exchange(control->established, nullptr)(true);
  control->close_send = [&stream] {
    error_code ignored;
    beast::get_lowest_layer(stream).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  };
  // The chunks by hand: each is one event line the server counted in flight; the last one too.
  std::string data;
  std::array<char, 4096> chunk;
  data.assign(static_cast<const char*>(buffer.data().data()), buffer.size());
  buffer.consume(buffer.size());
  for (;;) {
    const size_t line_end = data.find("\r\n");
    size_t size = 0;
    bool complete = false;
    if (line_end != std::string::npos) {
      std::from_chars(data.data(), data.data() + line_end, size, 16);
      complete = data.size() >= line_end + 2 + size + 2;
    }
    if (!complete) {
      error_code read_ec;
      const size_t n =
          co_await stream.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, read_ec));
      data.append(chunk.data(), n);
      if (read_ec && n == 0) break;
      continue;
    }
    const std::string piece = data.substr(line_end + 2, size);
    data.erase(0, line_end + 2 + size + 2);
    clock.io_end();
    if (size == 0) {
      control->close_send = nullptr;
      co_return true;
    }
    if (control->stopped) continue;
    on_chunk(piece);
  }
  control->close_send = nullptr;
  if (control->stopped) co_return true;
  co_return make_error(where + "unexpected EOF");
}

}  // namespace

asio::awaitable<WatchEnd> run_stream(WatchTarget target, std::string path_and_query,
                                     std::shared_ptr<WatchControl> control,
                                     std::function<void(const std::string& chunk)> on_chunk) {
  const std::string url_text = target.base_url + path_and_query;
  auto opened = co_await target.http->open_for_upgrade(url_text, "GET");
  WatchEnd end = true;
  if (!opened) {
    end = opened.error();
  } else if (!control->stopped) {
    Clock& clock = target.http->clock();
    auto& conn = *opened->connection;
    if (conn.secure)
      end = co_await read_stream(*conn.secure, conn.buffer, clock, opened->url, target, control, on_chunk);
    else
      end = co_await read_stream(*conn.plain, conn.buffer, clock, opened->url, target, control, on_chunk);
  }
  if (control->established) std::exchange(control->established, nullptr)(end);
  co_return end;
}

asio::awaitable<WatchEnd> run_watch(WatchTarget target, std::string path_and_query,
                                    std::shared_ptr<WatchControl> control,
                                    std::function<void(const std::string& type, const json& object)> on_event) {
  // Each chunk holds whole event lines (the server writes one event a chunk).
  std::function<void(const std::string&)> on_chunk = [control,
                                                      on_event = std::move(on_event)](const std::string& piece) {
    size_t begin = 0;
    while (begin < piece.size() && !control->stopped) {
      size_t end = piece.find('\n', begin);
      if (end == std::string::npos) end = piece.size();
      const json event = json::parse(piece.substr(begin, end - begin), nullptr, false);
      begin = end + 1;
      if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) continue;
      on_event(event["type"].get<std::string>(), event.contains("object") ? event["object"] : json());
    }
  };
  co_return co_await run_stream(std::move(target), std::move(path_and_query), std::move(control), std::move(on_chunk));
}

std::string go_duration_seconds(long long seconds) {
  if (seconds == 0) return "0s";
  std::string out;
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
  if (seconds >= 60) out += std::to_string((seconds % 3600) / 60) + "m";
  return out + std::to_string(seconds % 60) + "s";
}

}  // namespace kexsim::executor

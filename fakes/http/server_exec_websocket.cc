// WebSocket exec sessions of the fake HTTP server (v5.channel.k8s.io / v4.channel.k8s.io): Beast's
// WebSocket stream is the costliest template of the server, so it compiles here, once per stream kind.

#include <string>
#include <string_view>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "fakes/http/server_session.h"

namespace kexsim::fakes::server_detail {

namespace websocket = beast::websocket;

namespace {

/// The WebSocket of an exec session, shared by the session and its background reader.
template <class Stream>
struct ExecChannel {
  explicit ExecChannel(std::shared_ptr<Session<Stream>> s) : session(std::move(s)), ws(session->stream) {}
  std::shared_ptr<Session<Stream>> session;
  websocket::stream<Stream&> ws;
  bool peer_gone = false;          // the client closed or the connection failed: stop sending
  bool finished = false;           // run_exec is done with the session
  std::optional<uint64_t> budget;  // a drop_after_bytes fault: output bytes left before the stream drops
};

// A stream fault: the session ends abruptly, without a close frame or a Status, as when the kubelet or
// a proxy in between goes away. The client reads EOF; it counts that end, which the server pays here.
template <class Stream>
void drop_exec(ExecChannel<Stream>& ch) {
  ch.peer_gone = true;
  ch.session->settle_end();
  ch.session->close_socket();
}

template <class Stream>
asio::awaitable<void> drop_exec_after(std::shared_ptr<ExecChannel<Stream>> ch, Duration after) {
  co_await ch->session->state->clock->sleep_for(after);
  if (ch->finished || ch->peer_gone || ch->session->state->stopped) co_return;
  drop_exec(*ch);
}

// Sends one exec message [channel]+data, accounted as in flight until the client reads it.
template <class Stream>
asio::awaitable<bool> send_message(ExecChannel<Stream>& ch, unsigned char channel, std::string_view data) {
  std::string msg(1, static_cast<char>(channel));
  msg += data;
  Clock& clock = *ch.session->state->clock;
  clock.io_begin();
  error_code ec;
  co_await ch.ws.async_write(asio::buffer(msg), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    clock.io_end();  // a failed write never delivers a whole message
    ch.peer_gone = true;
    co_return false;
  }
  co_return true;
}

// Sends exec output within a drop_after_bytes budget: the part that fits, then the drop.
template <class Stream>
asio::awaitable<void> send_output(ExecChannel<Stream>& ch, unsigned char channel, std::string_view data) {
  if (ch.budget && data.size() >= *ch.budget) {
    const std::string_view part = data.substr(0, *ch.budget);
    *ch.budget = 0;
    if (!part.empty()) co_await send_message(ch, channel, part);
    if (!ch.peer_gone && !ch.session->state->stopped) drop_exec(ch);
    co_return;
  }
  if (ch.budget) *ch.budget -= data.size();
  co_await send_message(ch, channel, data);
}

// Reads (and accounts) whatever the client sends once stdin is closed, so that pings get pongs.
template <class Stream>
asio::awaitable<void> drain(std::shared_ptr<ExecChannel<Stream>> ch) {
  for (;;) {
    beast::flat_buffer buf;
    error_code ec;
    co_await ch->ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec != asio::error::operation_aborted) ch->peer_gone = true;
      co_return;
    }
    ch->session->state->clock->io_end();
  }
}

}  // namespace

template <class Stream>
asio::awaitable<void> run_exec(std::shared_ptr<Session<Stream>> session, http::request<http::string_body> req,
                               std::string protocol, ExecRunner exec, bool stdin_requested,
                               std::optional<uint64_t> drop_after_bytes, std::optional<Duration> drop_after) {
  auto ch = std::make_shared<ExecChannel<Stream>>(session);
  ch->budget = drop_after_bytes;
  State& state = *session->state;
  ch->ws.set_option(websocket::stream_base::decorator(
      [protocol](websocket::response_type& res) { res.set(http::field::sec_websocket_protocol, protocol); }));
  ch->ws.read_message_max(kMessageLimit);
  error_code ec;
  co_await ch->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  session->end_owed = true;  // the client saw the 101: from here on it will count the end
  if (state.stopped) {
    session->settle_end();
    co_return;
  }
  ch->ws.binary(true);
  if (drop_after) asio::co_spawn(state.ex, drop_exec_after(ch, *drop_after), rethrow);

  // Stdin: channel 0 data until v5's [0xFF, 0x00] or the client's Close frame.
  std::string stdin_data;
  bool stdin_closed = !stdin_requested;
  while (!stdin_closed) {
    beast::flat_buffer buf;
    co_await ch->ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ch->peer_gone = true;
      break;
    }
    state.clock->io_end();
    const std::string msg = beast::buffers_to_string(buf.data());
    if (!ch->ws.got_binary() || msg.empty()) continue;
    const auto channel = static_cast<unsigned char>(msg[0]);
    if (channel == 0) stdin_data.append(msg, 1);
    if (channel == 0xFF && protocol == kV5 && msg.size() >= 2 && msg[1] == 0) stdin_closed = true;
  }
  if (state.stopped) co_return;
  if (!ch->peer_gone) asio::co_spawn(state.ex, drain(ch), rethrow);

  // The process runs even when the client has gone: its effects on the simulated pod remain.
  const ExecOutcome outcome = exec(stdin_data);
  const TimePoint start = state.clock->now();
  for (const auto& chunk : outcome.output) {
    if (ch->peer_gone || state.stopped) break;
    co_await sleep_until(*state.clock, start + chunk.at);
    if (ch->peer_gone || state.stopped) break;
    if (!chunk.data.empty()) co_await send_output(*ch, static_cast<unsigned char>(chunk.channel), chunk.data);
  }
  if (outcome.follow) {
    while (!ch->peer_gone && !state.stopped) {
      std::optional<std::string> more = co_await outcome.follow->next();
      if (!more || ch->peer_gone || state.stopped) break;
      if (!more->empty()) co_await send_output(*ch, 1, *more);
    }
    if (!ch->peer_gone && !state.stopped) co_await send_message(*ch, 3, outcome.follow->status_json());
  } else {
    if (!ch->peer_gone && !state.stopped) co_await sleep_until(*state.clock, start + outcome.duration);
    if (!ch->peer_gone && !state.stopped) co_await send_message(*ch, 3, outcome.status_json);
  }
  ch->finished = true;
  if (state.stopped) co_return;  // stop() settled the end and closed the socket
  session->settle_end();
  if (!ch->peer_gone) {
    co_await ch->ws.async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    session->close_socket();
  }
}

template asio::awaitable<void> run_exec<tcp::socket>(std::shared_ptr<Session<tcp::socket>>,
                                                     http::request<http::string_body>, std::string, ExecRunner, bool,
                                                     std::optional<uint64_t>, std::optional<Duration>);
template asio::awaitable<void> run_exec<TlsStream>(std::shared_ptr<Session<TlsStream>>,
                                                   http::request<http::string_body>, std::string, ExecRunner, bool,
                                                   std::optional<uint64_t>, std::optional<Duration>);

}  // namespace kexsim::fakes::server_detail

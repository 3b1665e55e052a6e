#include "fakes/http/server.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/strings.h"
#include "fakes/http/spdy_exec.h"

namespace kexsim::fakes {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::string_view kV5 = "v5.channel.k8s.io";
constexpr std::string_view kV4 = "v4.channel.k8s.io";
constexpr std::string_view kSpdy = "SPDY/3.1";
// The channel-protocol offers of a SPDY upgrade (apimachinery pkg/util/httpstream/httpstream.go).
constexpr std::string_view kStreamProtocolHeader = "X-Stream-Protocol-Version";
constexpr uint64_t kBodyLimit = 256ull << 20;
constexpr size_t kMessageLimit = 64u << 20;

}  // namespace

/// Shared by the server object and every coroutine it started, so that coroutines outliving
/// the server (until the io_context runs or dies) never dangle.
struct HttpServer::State {
  struct Connection;

  State(asio::any_io_executor e, Clock& c, HttpHandler& h, std::string n, std::optional<ServerTls> t)
      : ex(std::move(e)), clock(&c), handler(&h), name(std::move(n)), tls(std::move(t)), acceptor(ex) {}

  asio::any_io_executor ex;
  Clock* clock;
  HttpHandler* handler;
  std::string name;
  std::optional<ServerTls> tls;
  std::shared_ptr<ssl::context> ssl_ctx;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  bool stopped = false;
  uint64_t next_id = 0;
  std::map<uint64_t, Connection*> open;  // for stop(); ordered so shutdown order is reproducible
};

/// One accepted connection, registered with the server so that stop() can close it.
struct HttpServer::State::Connection {
  explicit Connection(std::shared_ptr<State> s) : state(std::move(s)), id(state->next_id++) { state->open[id] = this; }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() { state->open.erase(id); }

  /// The TCP socket under any TLS layer.
  virtual tcp::socket& socket() = 0;

  /// An exec session's end (close frame or lost connection) counts as one in-flight message the
  /// client consumes when its read loop ends; the server pays that io_begin exactly once.
  void settle_end() {
    if (!end_owed) return;
    end_owed = false;
    state->clock->io_begin();
  }

  void close_socket() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  std::shared_ptr<State> state;
  uint64_t id;
  bool end_owed = false;
};

namespace {

using State = HttpServer::State;
using Connection = HttpServer::State::Connection;

/// A connection over Stream (tcp::socket or ssl::stream<tcp::socket>).
template <class Stream>
struct Session : Connection {
  template <class... Args>
  Session(std::shared_ptr<State> s, Args&&... args) : Connection(std::move(s)), stream(std::forward<Args>(args)...) {}
  tcp::socket& socket() override {
    if constexpr (std::is_same_v<Stream, tcp::socket>)
      return stream;
    else
      return stream.next_layer();
  }
  Stream stream;
};

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

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; in a query '+' also means a space (application/x-www-form-urlencoded).
std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

HttpRequest to_fake_request(const http::request<http::string_body>& req, const std::string& listener) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  const std::string_view target = sv(req.target());
  const size_t q = target.find('?');
  out.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        out.query.emplace_back(
            percent_decode(pair.substr(0, eq), true),
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& field : req) {
    const std::string name = lower(sv(field.name_string()));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());  // repeated fields fold into a list
  }
  out.body = req.body();
  out.listener = listener;
  return out;
}

// The handler's answer to a failed upgrade, or a plain-text one when it gave none.
HttpResponse upgrade_failure(const HttpResponse& accepted, UpgradeFailure failure) {
  if (accepted.upgrade_failed) return accepted.upgrade_failed(failure);
  switch (failure) {
    case UpgradeFailure::kNotWebSocket: return HttpResponse::text(400, "not a WebSocket upgrade request");
    case UpgradeFailure::kNoExecRunner: return HttpResponse::text(500, "upgrade without an exec runner");
    case UpgradeFailure::kNoCommonProtocol: return HttpResponse::text(400, "no supported WebSocket subprotocol");
  }
  return HttpResponse::text(500, "upgrade failed");
}

// The first channel protocol the client offers (in the offers field) that this server and the handler
// support. The handler's Sec-WebSocket-Protocol list restricts SPDY too: both name channel protocols.
std::string choose_protocol(const http::request<http::string_body>& req, const HttpResponse& resp,
                            std::string_view offers_field, std::vector<std::string> supported) {
  for (const auto& [name, value] : resp.headers) {
    if (!iequals(name, "sec-websocket-protocol")) continue;
    const auto allowed = split_list(value);
    std::erase_if(supported,
                  [&](const std::string& p) { return std::find(allowed.begin(), allowed.end(), p) == allowed.end(); });
  }
  const auto [first, last] = req.equal_range(beast::string_view(offers_field.data(), offers_field.size()));
  for (auto field = first; field != last; ++field)
    for (const auto& offered : split_list(sv(field->value())))
      if (std::find(supported.begin(), supported.end(), offered) != supported.end()) return offered;
  return {};
}

// A SPDY/3.1 upgrade (kubectl up to 1.29, client-go's SPDY executor): Connection names upgrade, Upgrade is SPDY/3.1.
bool is_spdy_upgrade(const http::request<http::string_body>& req) {
  bool upgrade = false;
  for (const std::string& token : split_list(sv(req[http::field::connection])))
    if (iequals(token, "upgrade")) upgrade = true;
  return upgrade && iequals(trim_view(sv(req[http::field::upgrade])), kSpdy);
}

bool query_flag(const HttpRequest& request, const std::string& name) {
  const std::string value = request.query_value(name);
  return value == "true" || value == "1";
}

template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, const HttpResponse& resp, bool head, bool keep_alive) {
  error_code ec;
  const bool bodiless = (resp.status >= 100 && resp.status < 200) || resp.status == 204 || resp.status == 304;
  if (head || bodiless) {
    http::response<http::empty_body> res;
    res.result(static_cast<unsigned>(resp.status));
    for (const auto& [name, value] : resp.headers) res.insert(name, value);
    if (!bodiless) res.content_length(resp.body.size());
    res.keep_alive(keep_alive);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    http::response<http::string_body> res;
    res.result(static_cast<unsigned>(resp.status));
    for (const auto& [name, value] : resp.headers) res.insert(name, value);
    res.body() = resp.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return !ec;
}

// What a streamed response shares with the reader that notices the client leaving.
struct StreamPeer {
  bool gone = false;
};

// Reads (and drops) whatever the client sends during a streamed response: the read's end is the client
// leaving (or stop() closing the socket), which cancels the stream so that an idle watch ends at once.
template <class Stream>
asio::awaitable<void> watch_peer(std::shared_ptr<Session<Stream>> session, std::shared_ptr<HttpBodyStream> body,
                                 std::shared_ptr<StreamPeer> peer) {
  std::array<char, 4096> sink;
  error_code ec;
  while (!ec)
    co_await session->stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
  peer->gone = true;
  body->cancel();
}

// A streamed response (a watch): the header with chunked encoding, one chunk per piece the body gives,
// then the zero-length chunk. The connection closes afterwards (the reader owns its read side).
template <class Stream>
asio::awaitable<void> write_streamed(std::shared_ptr<Session<Stream>> session, HttpResponse resp) {
  State& state = *session->state;
  std::shared_ptr<HttpBodyStream> body = std::move(resp.stream);
  http::response<http::empty_body> res;
  res.result(static_cast<unsigned>(resp.status));
  for (const auto& [name, value] : resp.headers) res.insert(name, value);
  res.chunked(true);
  res.keep_alive(false);
  http::response_serializer<http::empty_body> serializer{res};
  error_code ec;
  co_await http::async_write_header(session->stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || state.stopped) {
    body->cancel();
    co_return;
  }
  auto peer = std::make_shared<StreamPeer>();
  asio::co_spawn(state.ex, watch_peer(session, body, peer), rethrow);
  Clock& clock = *state.clock;
  for (;;) {
    std::optional<std::string> piece = co_await body->next();
    if (!piece || peer->gone || state.stopped) break;
    if (piece->empty()) continue;  // an empty chunk would end the body
    clock.io_begin();
    co_await asio::async_write(session->stream, http::make_chunk(asio::buffer(*piece)),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      clock.io_end();  // never delivered whole
      peer->gone = true;
      break;
    }
  }
  body->cancel();
  if (peer->gone || state.stopped) co_return;
  clock.io_begin();  // the end of the body is one more message the client consumes
  co_await asio::async_write(session->stream, http::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) clock.io_end();
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

// Sleeps on the clock until start + offset (no-op when already there).
asio::awaitable<void> sleep_until(Clock& clock, TimePoint when) {
  const TimePoint now = clock.now();
  if (when > now) co_await clock.sleep_for(std::chrono::duration_cast<Duration>(when - now));
}

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

// One SPDY exec connection after its 101, shared by the reading coroutine and the process player.
// All writes go through one queue so that frames never interleave on the stream.
template <class Stream>
struct SpdyExec {
  SpdyExec(std::shared_ptr<Session<Stream>> s, spdy::ExecStreamsWanted wanted, ExecRunner r)
      : session(std::move(s)), conn(wanted), exec(std::move(r)) {}

  /// A frame waiting to be written. counted: io_begin was paid for it; close_after: the connection's end.
  struct Outgoing {
    std::string bytes;
    bool counted = true;
    bool close_after = false;
  };

  std::shared_ptr<Session<Stream>> session;
  spdy::ExecConnection conn;
  ExecRunner exec;
  std::deque<Outgoing> queue;
  bool writing = false;
  bool peer_gone = false;          // the connection failed or the client closed it: nothing more reaches it
  bool reader_done = false;        // the client sent GOAWAY, closed, or broke the protocol
  bool started = false;            // the process has been started
  bool process_done = false;       // its output and Status are queued
  bool ended = false;              // the server's GOAWAY (or close) is queued
  std::optional<uint64_t> budget;  // a drop_after_bytes fault: output bytes left before the stream drops
};

// Writes the queue until it is empty; a failed write settles what can no longer be delivered.
template <class Stream>
asio::awaitable<void> spdy_flush(std::shared_ptr<SpdyExec<Stream>> ch) {
  if (ch->writing) co_return;  // the running flush takes the new frames too
  ch->writing = true;
  Clock& clock = *ch->session->state->clock;
  while (!ch->queue.empty()) {
    auto item = std::move(ch->queue.front());
    ch->queue.pop_front();
    error_code ec;
    if (!ch->peer_gone)
      co_await asio::async_write(ch->session->stream, asio::buffer(item.bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (ch->peer_gone || ec) {
      ch->peer_gone = true;
      if (item.counted) clock.io_end();  // never delivered whole
    }
    if (item.close_after && !ch->session->state->stopped) ch->session->close_socket();
  }
  ch->writing = false;
}

// Queues frames the client will read, each one message in flight until it does.
template <class Stream>
asio::awaitable<void> spdy_send(std::shared_ptr<SpdyExec<Stream>> ch, std::vector<std::string> frames) {
  Clock& clock = *ch->session->state->clock;
  for (std::string& frame : frames) {
    clock.io_begin();
    ch->queue.push_back({std::move(frame), true, false});
  }
  co_await spdy_flush(ch);
}

// The connection's end, once: the last frame (GOAWAY) counts as the session end the server owes, then close.
template <class Stream>
asio::awaitable<void> spdy_end(std::shared_ptr<SpdyExec<Stream>> ch, std::string last_frame) {
  if (ch->ended || ch->session->state->stopped) co_return;  // stop() settled the end and closed the socket
  ch->ended = true;
  ch->session->settle_end();
  ch->queue.push_back({std::move(last_frame), false, true});
  co_await spdy_flush(ch);
}

// A stream fault: the connection closes without GOAWAY or Status (see drop_exec).
template <class Stream>
asio::awaitable<void> spdy_drop(std::shared_ptr<SpdyExec<Stream>> ch) {
  if (ch->ended || ch->session->state->stopped) co_return;
  ch->ended = true;
  ch->session->settle_end();
  ch->queue.push_back({std::string(), false, true});
  co_await spdy_flush(ch);
}

template <class Stream>
asio::awaitable<void> spdy_drop_after(std::shared_ptr<SpdyExec<Stream>> ch, Duration after) {
  co_await ch->session->state->clock->sleep_for(after);
  co_await spdy_drop(ch);
}

// Sends output within a drop_after_bytes budget: the part that fits, then the drop.
template <class Stream>
asio::awaitable<void> spdy_output(std::shared_ptr<SpdyExec<Stream>> ch, int channel, std::string_view data) {
  if (ch->budget && data.size() >= *ch->budget) {
    const std::string_view part = data.substr(0, *ch->budget);
    *ch->budget = 0;
    std::vector<std::string> frames = ch->conn.output(channel, part);
    if (!part.empty()) co_await spdy_send(ch, std::move(frames));
    co_await spdy_drop(ch);
    co_return;
  }
  if (ch->budget) *ch->budget -= data.size();
  std::vector<std::string> frames = ch->conn.output(channel, data);
  co_await spdy_send(ch, std::move(frames));
}

// Runs the process once its stdin is complete and plays its output at its offsets on the clock.
template <class Stream>
asio::awaitable<void> spdy_play(std::shared_ptr<SpdyExec<Stream>> ch) {
  State& state = *ch->session->state;
  auto gone = [&] { return state.stopped || ch->peer_gone || ch->ended || ch->conn.peer_going_away(); };
  // The process runs even when the client has gone: its effects on the simulated pod remain.
  const ExecOutcome outcome = ch->exec(ch->conn.stdin_data());
  const TimePoint start = state.clock->now();
  for (const auto& chunk : outcome.output) {
    if (gone()) break;
    co_await sleep_until(*state.clock, start + chunk.at);
    if (gone()) break;
    co_await spdy_output(ch, chunk.channel, chunk.data);
  }
  if (outcome.follow) {
    while (!gone()) {
      std::optional<std::string> more = co_await outcome.follow->next();
      if (!more || gone()) break;
      if (!more->empty()) co_await spdy_output(ch, 1, *more);
    }
    if (!gone()) co_await spdy_send(ch, ch->conn.finish(outcome.follow->status_json()));
  } else {
    if (!gone()) co_await sleep_until(*state.clock, start + outcome.duration);
    if (!gone()) co_await spdy_send(ch, ch->conn.finish(outcome.status_json));
  }
  if (state.stopped) co_return;
  ch->process_done = true;
  if (ch->reader_done) co_await spdy_end(ch, ch->conn.goaway());
}

// Feeds what the client sent to the protocol, answers it, and starts the process when it can.
template <class Stream>
asio::awaitable<void> spdy_receive(std::shared_ptr<SpdyExec<Stream>> ch, std::string bytes) {
  State& state = *ch->session->state;
  spdy::ExecConnection::Received got = ch->conn.receive(bytes);
  for (int i = 0; i < got.frames; ++i) state.clock->io_end();
  if (ch->conn.failed()) {  // the last reply is GOAWAY(PROTOCOL_ERROR): the end of the connection
    std::string goaway = std::move(got.replies.back());
    got.replies.pop_back();
    ch->reader_done = true;
    co_await spdy_send(ch, std::move(got.replies));
    co_await spdy_end(ch, std::move(goaway));
    co_return;
  }
  co_await spdy_send(ch, std::move(got.replies));
  if (!ch->started && ch->conn.ready() && !state.stopped) {
    ch->started = true;
    asio::co_spawn(state.ex, spdy_play(ch), rethrow);
  }
}

// A SPDY/3.1 exec session (k8s-fake.md section 2.3): the 101, then frames until the client leaves.
template <class Stream>
asio::awaitable<void> run_spdy_exec(std::shared_ptr<Session<Stream>> session, std::string protocol, ExecRunner exec,
                                    spdy::ExecStreamsWanted wanted, std::string early_bytes,
                                    std::optional<uint64_t> drop_after_bytes, std::optional<Duration> drop_after) {
  State& state = *session->state;
  http::response<http::empty_body> res{http::status::switching_protocols, 11};
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, beast::string_view(kSpdy.data(), kSpdy.size()));
  res.set(beast::string_view(kStreamProtocolHeader.data(), kStreamProtocolHeader.size()), protocol);
  error_code ec;
  co_await http::async_write(session->stream, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  session->end_owed = true;  // the client saw the 101: from here on it will count the end
  if (state.stopped) {
    session->settle_end();
    co_return;
  }
  auto ch = std::make_shared<SpdyExec<Stream>>(session, wanted, std::move(exec));
  ch->budget = drop_after_bytes;
  if (drop_after) asio::co_spawn(state.ex, spdy_drop_after(ch, *drop_after), rethrow);
  if (!early_bytes.empty()) co_await spdy_receive(ch, std::move(early_bytes));
  std::array<char, 16384> chunk;
  while (!ch->reader_done && !state.stopped) {
    const size_t n =
        co_await session->stream.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (state.stopped) co_return;
    if (n > 0) co_await spdy_receive(ch, std::string(chunk.data(), n));
    if (ec) ch->peer_gone = true;
    if (ec || ch->conn.peer_going_away()) ch->reader_done = true;
  }
  if (state.stopped || ch->ended) co_return;
  if (!ch->started) {
    // The client left before stdin ended: the process still runs (as over WebSocket), unheard.
    ch->started = true;
    co_await spdy_play(ch);
    co_return;
  }
  if (ch->process_done) co_await spdy_end(ch, ch->conn.goaway());
}

template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<Session<Stream>> session) {
  State& state = *session->state;
  error_code ec;
  if constexpr (!std::is_same_v<Stream, tcp::socket>) {
    co_await session->stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(64 * 1024);
    co_await http::async_read_header(session->stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || state.stopped) break;
    if (iequals(sv(parser.get()[http::field::expect]), "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      co_await http::async_write(session->stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!parser.is_done())
      co_await http::async_read(session->stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || state.stopped) break;
    http::request<http::string_body> req = parser.release();
    const HttpRequest request = to_fake_request(req, state.name);
    HttpResponse resp = state.handler->handle(request);
    if (resp.delay > Duration(0)) {
      // The request is consumed; its in-flight count passes to this sleep so that virtual time can
      // move, and comes back for the answer the client has yet to read.
      state.clock->io_end();
      co_await state.clock->sleep_for(resp.delay);
      state.clock->io_begin();
      if (state.stopped) break;
    }
    if (resp.black_hole) {
      // The request is consumed and no answer comes: virtual time moves on, and the client's wait
      // is an end it settles when it leaves (as an exec session's), paid here or by stop().
      state.clock->io_end();
      session->end_owed = true;
      std::array<char, 4096> sink;
      while (!ec && !state.stopped)
        co_await session->stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
      if (state.stopped) co_return;
      session->settle_end();
      session->close_socket();
      co_return;
    }
    if (resp.reset_connection) {
      // As reset_connection() below: an RST, so the client reads ECONNRESET rather than EOF.
      session->socket().set_option(asio::socket_base::linger(true, 0), ec);
      session->socket().close(ec);
      co_return;
    }
    if (resp.status == 101 && is_spdy_upgrade(req)) {
      std::string protocol = choose_protocol(req, resp, kStreamProtocolHeader, {std::string(kV4)});
      if (!resp.exec) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoExecRunner);
      } else if (protocol.empty()) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoCommonProtocol);
      } else {
        const spdy::ExecStreamsWanted wanted{query_flag(request, "stdin"), query_flag(request, "stdout"),
                                             query_flag(request, "stderr"), query_flag(request, "tty")};
        std::string early = beast::buffers_to_string(buf.data());
        co_await run_spdy_exec(session, std::move(protocol), std::move(resp.exec), wanted, std::move(early),
                               resp.drop_after_bytes, resp.drop_after);
        co_return;
      }
    } else if (resp.status == 101) {
      if (!websocket::is_upgrade(req)) {
        resp = upgrade_failure(resp, UpgradeFailure::kNotWebSocket);
      } else if (!resp.exec) {
        resp = upgrade_failure(resp, UpgradeFailure::kNoExecRunner);
      } else {
        std::string protocol =
            choose_protocol(req, resp, "Sec-WebSocket-Protocol", {std::string(kV5), std::string(kV4)});
        if (protocol.empty()) {
          resp = upgrade_failure(resp, UpgradeFailure::kNoCommonProtocol);
        } else {
          const std::string stdin_flag = request.query_value("stdin");
          co_await run_exec(session, std::move(req), std::move(protocol), std::move(resp.exec),
                            stdin_flag == "true" || stdin_flag == "1", resp.drop_after_bytes, resp.drop_after);
          co_return;
        }
      }
    }
    if (resp.stream && resp.status != 101) {
      co_await write_streamed(session, std::move(resp));
      break;
    }
    const bool keep_alive = req.keep_alive();
    if (!co_await write_response(session->stream, resp, req.method() == http::verb::head, keep_alive)) break;
    if (!keep_alive) break;
  }
  // Closed at once, without close_notify: HTTP/1.1 with Content-Length does not need it, and
  // waiting for the peer's close_notify could wait forever.
  session->close_socket();
}

// The reset_handshake fault: take the ClientHello, then reset so the client sees ECONNRESET.
asio::awaitable<void> reset_connection(std::shared_ptr<Session<tcp::socket>> session) {
  char hello[4096];
  error_code ec;
  co_await session->stream.async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
  session->stream.set_option(asio::socket_base::linger(true, 0), ec);
  session->stream.close(ec);
}

// The alert_handshake fault: take the ClientHello, answer one fatal internal_error alert record (type 21,
// TLS 1.2 record version, level 2, description 80) and close; the client reads "tlsv1 alert internal error".
asio::awaitable<void> alert_connection(std::shared_ptr<Session<tcp::socket>> session) {
  static constexpr unsigned char kInternalErrorAlert[] = {21, 3, 3, 0, 2, 2, 80};
  char hello[4096];
  error_code ec;
  co_await session->stream.async_read_some(asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !session->state->stopped)
    co_await asio::async_write(session->stream, asio::buffer(kInternalErrorAlert),
                               asio::redirect_error(asio::use_awaitable, ec));
  session->close_socket();
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped || !state->acceptor.is_open()) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    if (state->tls && state->tls->reset_handshake) {
      asio::co_spawn(state->ex, reset_connection(std::make_shared<Session<tcp::socket>>(state, std::move(socket))),
                     rethrow);
    } else if (state->tls && state->tls->alert_handshake) {
      asio::co_spawn(state->ex, alert_connection(std::make_shared<Session<tcp::socket>>(state, std::move(socket))),
                     rethrow);
    } else if (state->ssl_ctx) {
      using TlsStream = ssl::stream<tcp::socket>;
      asio::co_spawn(state->ex, serve(std::make_shared<Session<TlsStream>>(state, std::move(socket), *state->ssl_ctx)),
                     rethrow);
    } else {
      asio::co_spawn(state->ex, serve(std::make_shared<Session<tcp::socket>>(state, std::move(socket))), rethrow);
    }
  }
}

// ALPN: only HTTP/1.1, so that clients never switch to h2.
int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                  void*) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == "http/1.1") {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Result<std::shared_ptr<ssl::context>> make_tls_context(const ServerTls& tls, const std::string& name) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (tls.identity) {
    if (SSL_CTX_use_certificate(native, tls.identity->cert()) != 1 ||
        SSL_CTX_use_PrivateKey(native, tls.identity->key()) != 1) {
      ERR_clear_error();
      return make_error("loading the TLS certificate of " + name + ": the key does not match the certificate");
    }
  } else {
    error_code ec;
    ctx->use_certificate_chain(asio::buffer(tls.cert_pem), ec);
    if (!ec) ctx->use_private_key(asio::buffer(tls.key_pem), ssl::context::pem, ec);
    if (ec) return make_error("loading the TLS certificate of " + name + ": " + ec.message());
  }
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  // Resumption: session IDs (TLS 1.2, the built-in server cache) and one ticket per handshake
  // (TLS 1.3; OpenSSL's default of two doubles the work for clients that keep one).
  static const unsigned char kSessionContext[] = "kexsim";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_num_tickets(native, 1);
  return ctx;
}

// The SSL_CTX of a listener: one per identity for the whole process (several worlds, one after
// another or at once, present the same cached identities), else one of its own.
Result<std::shared_ptr<ssl::context>> tls_context_for(const ServerTls& tls, const std::string& name) {
  if (!tls.identity) return make_tls_context(tls, name);
  struct Entry {
    std::weak_ptr<const TlsIdentity> identity;
    std::shared_ptr<ssl::context> ctx;
  };
  static std::mutex mutex;
  static auto* contexts = new std::map<const TlsIdentity*, Entry>();  // never destroyed, like the identities
  std::lock_guard lock(mutex);
  std::erase_if(*contexts, [](const auto& entry) { return entry.second.identity.expired(); });
  if (auto it = contexts->find(tls.identity.get()); it != contexts->end()) return it->second.ctx;
  auto ctx = make_tls_context(tls, name);
  if (!ctx) return ctx.error();
  contexts->emplace(tls.identity.get(), Entry{tls.identity, *ctx});
  return *ctx;
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor ex, Clock& clock, HttpHandler& handler, std::string logical_name,
                       std::optional<ServerTls> tls)
    : state_(std::make_shared<State>(std::move(ex), clock, handler, std::move(logical_name), std::move(tls))) {}

HttpServer::~HttpServer() { stop(); }

Result<uint16_t> HttpServer::listen() {
  State& state = *state_;
  if (state.acceptor.is_open()) return make_error("listener " + state.name + " is already listening");
  if (state.tls && !state.tls->reset_handshake && !state.tls->alert_handshake && !state.ssl_ctx) {
    auto ctx = tls_context_for(*state.tls, state.name);
    if (!ctx) return ctx.error();
    state.ssl_ctx = std::move(*ctx);
  }
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    state.acceptor.close(ignored);
    return make_error("listen tcp 127.0.0.1:0: " + ec.message(), {}, state.name);
  }
  state.port = state.acceptor.local_endpoint(ec).port();
  state.stopped = false;
  asio::co_spawn(state.ex, accept_loop(state_), rethrow);
  return state.port;
}

uint16_t HttpServer::port() const { return state_->port; }

void HttpServer::stop() {
  State& state = *state_;
  if (state.stopped) return;
  state.stopped = true;
  error_code ignored;
  state.acceptor.close(ignored);
  // Copy first: closing never unregisters synchronously, but keep the loop independent of that.
  std::vector<Connection*> open;
  for (const auto& [id, conn] : state.open) open.push_back(conn);
  for (Connection* conn : open) {
    conn->settle_end();
    conn->close_socket();
  }
}

}  // namespace kexsim::fakes

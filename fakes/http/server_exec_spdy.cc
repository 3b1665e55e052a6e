// SPDY/3.1 exec sessions of the fake HTTP server (kubectl up to 1.29, client-go's SPDY executor): the
// session around fakes/http/spdy_exec.h's protocol, compiled here once per stream kind.

#include <array>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "fakes/http/server_session.h"

namespace kexsim::fakes::server_detail {

namespace {

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

}  // namespace

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

template asio::awaitable<void> run_spdy_exec<tcp::socket>(std::shared_ptr<Session<tcp::socket>>, std::string,
                                                          ExecRunner, spdy::ExecStreamsWanted, std::string,
                                                          std::optional<uint64_t>, std::optional<Duration>);
template asio::awaitable<void> run_spdy_exec<TlsStream>(std::shared_ptr<Session<TlsStream>>, std::string, ExecRunner,
                                                        spdy::ExecStreamsWanted, std::string, std::optional<uint64_t>,
                                                        std::optional<Duration>);

}  // namespace kexsim::fakes::server_detail

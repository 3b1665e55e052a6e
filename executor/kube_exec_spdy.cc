#include "executor/kube_exec_stream.h"

// The SPDY/3.1 exec client, as client-go's SPDY executor (GitLab Runner's) speaks it; the WebSocket
// one is kube_exec_stream.cc. Both are declared in kube_exec_stream.h.

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
#include <nlohmann/json.hpp>

#include "base/spdy_codec.h"
#include "base/strings.h"
#include "executor/http/connection.h"
#include "executor/http/go_errors.h"
#include "executor/kube_exec_channels.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using namespace exec_channels;

// ---- SPDY/3.1 (client-go tools/remotecommand/spdy.go over apimachinery httpstream/spdy and moby/spdystream)

constexpr std::string_view kV3 = "v3.channel.k8s.io";
constexpr std::string_view kV2 = "v2.channel.k8s.io";
constexpr std::string_view kV1 = "channel.k8s.io";
constexpr std::string_view kSpdy31 = "SPDY/3.1";                           // httpstream/spdy HeaderSpdy31
constexpr std::string_view kProtocolHeader = "X-Stream-Protocol-Version";  // httpstream HeaderProtocolVersion
constexpr size_t kUpgradeBodyLimit = 1u << 20;

// httpstream/spdy roundtripper.go NewConnection: a body that decodes as a metav1.Status becomes an
// apierrors.StatusError, whose text is the Status message; any other body is quoted, trimmed.
std::string spdy_upgrade_failure_message(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("kind") && json["kind"] == "Status") {
    if (json.contains("message") && json["message"].is_string()) return json["message"].get<std::string>();
    return {};
  }
  return "unable to upgrade connection: " + std::string(trim_view(body));
}

// A boolean query parameter of the exec URL ("true" or "1", as the API server parses PodExecOptions).
bool query_flag(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return false;
  for (const std::string& part : split(std::string(target.substr(q + 1)), '&')) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos || std::string_view(part).substr(0, eq) != name) continue;
    const std::string_view value = std::string_view(part).substr(eq + 1);
    if (value == "true" || value == "1") return true;
  }
  return false;
}

// The client's side of one SPDY connection after the 101. Accounting (fakes/http/server.h): each frame
// written is io_begin (io_end again when its write fails); each frame read is io_end except the
// server's GOAWAY, which with the close is the session end, consumed once when reading stops.
template <class Stream>
class SpdyClient {
 public:
  SpdyClient(Stream& stream, Clock& clock, std::string early,
             const std::function<void(int, std::string_view)>& on_output)
      : stream_(stream), clock_(clock), inbox_(std::move(early)), on_output_(on_output) {}

  /// One channel stream this client opened.
  struct ChannelStream {
    std::string type;
    bool replied = false;
    bool reset = false;
    bool fin = false;  // the server's half ended
  };

  /// Writes one frame; false when the connection cannot take it.
  asio::awaitable<bool> send(std::string frame) {
    if (broken_) co_return false;
    clock_.io_begin();
    error_code ec;
    co_await asio::async_write(stream_, asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return true;
    clock_.io_end();  // the server never gets a frame whose write failed
    broken_ = true;
    co_return false;
  }

  /// Opens a stream of the type (client ids are odd and increasing) and waits for its SYN_REPLY, as
  /// client-go's connection.CreateStream does. Returns spdystream's error text on failure.
  asio::awaitable<std::optional<std::string>> open(std::string type) {
    const uint32_t id = next_id_;
    next_id_ += 2;
    streams_[id].type = type;
    order_.push_back(id);
    const spdy::Headers headers{{"streamtype", type}};  // k8s.io/api core/v1 StreamType, lower-cased on the wire
    const std::string block = deflate_.compress(headers);
    if (!co_await send(spdy::syn_stream_frame(id, 0, block))) co_return std::string(kTimeout);
    while (!streams_[id].replied && !streams_[id].reset && !ended_ && !server_goaway_) co_await read_frame();
    if (streams_[id].reset) co_return std::string("Stream reset");  // spdystream connection.go ErrReset
    // spdystream's ErrTimeout, which client-go returns after its 30 s createStreamResponseTimeout;
    // kexsim does not wait that long for a connection that is already gone.
    if (!streams_[id].replied) co_return std::string(kTimeout);
    co_return std::nullopt;
  }

  /// Sends data on a stream as DATA frames of at most 32 KiB (io.Copy's buffer), then an empty DATA with FIN.
  asio::awaitable<void> send_all(uint32_t id, std::string data) {
    for (size_t at = 0; at < data.size(); at += kStdinChunk)
      if (!co_await send(spdy::data_frame(id, 0, std::string_view(data).substr(at, kStdinChunk)))) co_return;
    co_await send(spdy::data_frame(id, spdy::kFlagFin, {}));
  }

  /// Reads until stdout, stderr and error (those opened) end, or the connection does.
  asio::awaitable<void> read_outputs() {
    auto done = [&] {
      for (const auto& [id, s] : streams_)
        if (s.type != "stdin" && !s.fin && !s.reset) return false;
      return true;
    };
    while (!done() && !ended_) co_await read_frame();
  }

  /// client-go connection.Close: RST_STREAM(CANCEL) for every stream, then spdystream's GOAWAY; then reads
  /// to the server's close, so that every frame it sent is consumed.
  asio::awaitable<void> close() {
    if (!ended_ && !server_goaway_) {
      for (uint32_t id : order_)
        if (!co_await send(spdy::rst_stream_frame(id, spdy::RstStatus::kCancel))) break;
      co_await send(spdy::goaway_frame(0, spdy::GoAwayStatus::kOk));
    }
    while (!ended_) co_await read_frame();
    clock_.io_end();  // the session's end, which the server paid once
  }

  uint32_t id_of(std::string_view type) const {
    for (const auto& [id, s] : streams_)
      if (s.type == type) return id;
    return 0;
  }
  const std::string& status_json() const { return status_json_; }
  const std::optional<std::string>& protocol_error() const { return protocol_error_; }

 private:
  static constexpr std::string_view kTimeout = "Timeout occurred";  // spdystream connection.go ErrTimeout

  // Reads and handles one frame; at the connection's end sets ended_.
  asio::awaitable<void> read_frame() {
    for (;;) {
      if (auto frame = spdy::take_frame(inbox_)) {
        co_await handle(std::move(*frame));
        co_return;
      }
      if (ended_) co_return;
      error_code ec;
      const size_t n =
          co_await stream_.async_read_some(asio::buffer(chunk_), asio::redirect_error(asio::use_awaitable, ec));
      inbox_.append(chunk_.data(), n);
      if (ec) {
        ended_ = true;  // EOF, a reset or a truncated TLS stream: spdystream ends every stream alike
        broken_ = true;
      }
    }
  }

  void fail(std::string what) {
    // Real spdystream drops the connection on a frame it cannot parse; kexsim says why instead.
    if (!protocol_error_) protocol_error_ = "SPDY protocol error: " + what;
  }

  // Header blocks are always inflated, to keep the connection's zlib stream in step.
  void inflate(std::string_view block) {
    if (headers_broken_) return;
    if (auto headers = inflate_.decompress(block); !headers) {
      headers_broken_ = true;
      fail(headers.error().message);
    }
  }

  asio::awaitable<void> handle(spdy::Frame frame) {
    const bool goaway = frame.control && frame.type == static_cast<uint16_t>(spdy::ControlType::kGoAway);
    if (!goaway) clock_.io_end();
    if (!frame.control) {
      auto it = streams_.find(frame.stream_id);
      if (it == streams_.end() || it->second.reset) co_return;
      ChannelStream& s = it->second;
      if (s.type == "stdout" && on_output_ && !frame.payload.empty()) on_output_(1, frame.payload);
      if (s.type == "stderr" && on_output_ && !frame.payload.empty()) on_output_(2, frame.payload);
      if (s.type == "error") append_status(status_json_, frame.payload);
      if (frame.flags & spdy::kFlagFin) s.fin = true;
      co_return;
    }
    if (frame.version != spdy::kVersion) {
      fail("control frame of version " + std::to_string(frame.version));
      co_return;
    }
    const std::string_view data = frame.payload;
    switch (static_cast<spdy::ControlType>(frame.type)) {
      case spdy::ControlType::kSynReply: {
        if (data.size() < 4) co_return fail("short SYN_REPLY");
        inflate(data.substr(4));
        auto it = streams_.find(spdy::read_u32(data, 0) & 0x7fffffffu);
        if (it != streams_.end()) it->second.replied = true;
        if (it != streams_.end() && (frame.flags & spdy::kFlagFin)) it->second.fin = true;
        co_return;
      }
      case spdy::ControlType::kSynStream: {  // the server opens no streams in exec: refuse it
        if (data.size() < 10) co_return fail("short SYN_STREAM");
        inflate(data.substr(10));
        co_await send(spdy::rst_stream_frame(spdy::read_u32(data, 0) & 0x7fffffffu, spdy::RstStatus::kRefusedStream));
        co_return;
      }
      case spdy::ControlType::kHeaders:
        if (data.size() < 4) co_return fail("short HEADERS");
        inflate(data.substr(4));
        co_return;
      case spdy::ControlType::kRstStream: {
        if (data.size() != 8) co_return fail("RST_STREAM of " + std::to_string(data.size()) + " bytes");
        auto it = streams_.find(spdy::read_u32(data, 0) & 0x7fffffffu);
        if (it != streams_.end()) it->second.reset = true;
        co_return;
      }
      case spdy::ControlType::kPing: {
        if (data.size() != 4) co_return fail("PING of " + std::to_string(data.size()) + " bytes");
        const uint32_t id = spdy::read_u32(data, 0);
        if (id % 2 == 0 && !server_goaway_) co_await send(spdy::ping_frame(id));  // the server's: echo it
        co_return;
      }
      case spdy::ControlType::kGoAway: server_goaway_ = true; co_return;
      default: co_return;  // SETTINGS, WINDOW_UPDATE (spdystream keeps no windows) and unknown types
    }
  }

  Stream& stream_;
  Clock& clock_;
  std::string inbox_;
  const std::function<void(int, std::string_view)>& on_output_;
  std::array<char, 16384> chunk_{};
  spdy::HeaderCompressor deflate_;
  spdy::HeaderDecompressor inflate_;
  std::map<uint32_t, ChannelStream> streams_;
  std::vector<uint32_t> order_;
  uint32_t next_id_ = 1;
  std::string status_json_;
  std::optional<std::string> protocol_error_;
  bool ended_ = false;          // the connection is closed or failed: nothing more to read
  bool broken_ = false;         // nothing more can be written
  bool server_goaway_ = false;  // the server's last frame arrived: it reads nothing more
  bool headers_broken_ = false;
};

template <class Stream>
asio::awaitable<Result<ExecStreamResult>> run_spdy(
    Stream& stream, beast::flat_buffer& buffer, Clock& clock, InFlight& request_flight, const Url& url,
    const std::string& url_text, const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& stdin_data, const std::function<void(int, std::string_view)>& on_output,
    const std::vector<std::string>& protocols, const std::function<void(bool)>& waiting) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool has_agent = false;
  for (const auto& [name, value] : headers) {
    if (iequals(name, "host") || iequals(name, "connection") || iequals(name, "upgrade") ||
        iequals(name, "content-length") || iequals(name, kProtocolHeader))
      continue;
    has_agent = has_agent || iequals(name, "user-agent");
    req.insert(name, value);
  }
  req.set(http::field::host, url.host_header);
  if (!has_agent) req.set(http::field::user_agent, kGoUserAgent);
  req.set(http::field::connection, "Upgrade");  // httpstream HeaderConnection / HeaderUpgrade
  req.set(http::field::upgrade, std::string(kSpdy31));
  for (const std::string& p : protocols)
    req.insert(std::string(kProtocolHeader), p);  // one line per offer (Header.Add)
  req.prepare_payload();                          // Go's Request.Write sends Content-Length: 0 for a bodiless POST

  // client-go transport/spdy Negotiate: a failed round trip is "error sending request: <url.Error>".
  error_code ec;
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  http::response_parser<http::string_body> parser;
  parser.body_limit(kUpgradeBodyLimit);
  if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  request_flight.release();
  if (waiting) waiting(false);
  if (ec) {
    co_return make_error("error sending request: " +
                         url_error("POST", url_text, go_cause(ec, parser.got_some())).message);
  }
  const auto& res = parser.get();
  const std::string connection_header = to_lower(sv(res[http::field::connection]));
  const std::string upgrade_header = to_lower(sv(res[http::field::upgrade]));
  if (res.result_int() != 101 || connection_header.find("upgrade") == std::string::npos ||
      upgrade_header.find("spdy/3.1") == std::string::npos)
    co_return make_error(spdy_upgrade_failure_message(res.body()));

  // From here on the server owes the session's end, which close() consumes.
  const std::string protocol(sv(res[beast::string_view(kProtocolHeader.data(), kProtocolHeader.size())]));
  SpdyClient<Stream> client(stream, clock, beast::buffers_to_string(buffer.data()), on_output);
  buffer.consume(buffer.size());
  std::optional<std::string> failure;
  if (protocol != kV5 && protocol != kV4) {
    // client-go would fall back to the v1-v3 protocols, which carry no exit codes.
    failure = "the API server chose exec protocol \"" + protocol + "\"; kexsim's executor speaks " + std::string(kV5) +
              " and " + std::string(kV4) + " over SPDY";
  }
  // v4/v5 createStreams: error first, then stdin, stdout, stderr, each header streamType (remotecommand v2.go).
  std::vector<std::string> types{"error"};
  if (query_flag(url.target, "stdin")) types.push_back("stdin");
  if (query_flag(url.target, "stdout")) types.push_back("stdout");
  if (query_flag(url.target, "stderr") && !query_flag(url.target, "tty")) types.push_back("stderr");
  for (const std::string& type : types) {
    if (failure) break;
    failure = co_await client.open(type);
  }
  if (!failure) {
    if (const uint32_t in = client.id_of("stdin")) co_await client.send_all(in, stdin_data);
    co_await client.read_outputs();
  }
  co_await client.close();
  if (!failure && client.protocol_error()) failure = client.protocol_error();
  if (failure) co_return make_error(*failure);
  co_return ExecStreamResult{protocol, client.status_json()};
}

}  // namespace

std::vector<std::string> spdy_exec_protocols(Profile profile) {
  std::vector<std::string> offers;
  if (exec_offers_v5_protocol(profile)) offers.emplace_back(kV5);
  for (std::string_view p : {kV4, kV3, kV2, kV1}) offers.emplace_back(p);
  return offers;
}

asio::awaitable<Result<ExecStreamResult>> run_spdy_exec_stream(
    HttpClient& http, std::string url_text, std::vector<std::pair<std::string, std::string>> headers,
    std::string stdin_data, std::function<void(int stream, std::string_view data)> on_output,
    std::vector<std::string> protocols, std::function<void(bool)> waiting) {
  auto opened = co_await http.open_for_upgrade(url_text, "POST");
  if (!opened) co_return make_error("error sending request: " + opened.error().message);
  Clock& clock = http.clock();
  if (waiting) waiting(true);
  InFlight flight(clock);  // the upgrade request until its response; run_spdy releases it
  auto& conn = *opened->connection;
  Result<ExecStreamResult> result = make_error("no exec");
  if (conn.secure) {
    result = co_await run_spdy(*conn.secure, conn.buffer, clock, flight, opened->url, url_text, headers, stdin_data,
                               on_output, protocols, waiting);
  } else {
    result = co_await run_spdy(*conn.plain, conn.buffer, clock, flight, opened->url, url_text, headers, stdin_data,
                               on_output, protocols, waiting);
  }
  co_return result;
}

}  // namespace kexsim::executor

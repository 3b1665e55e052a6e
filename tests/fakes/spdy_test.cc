// SPDY/3.1 for exec: frames, header blocks against raw zlib with the SPDY/3 dictionary, the exec
// connection on buffers, and whole sessions against HttpServer over a real socket driven by a small
// client written here (the shape of client-go's SPDY executor, k8s-fake.md section 2.3).

#include "fakes/http/spdy_exec.h"
#include "tests/support/yielding_clock.h"

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/hash.h"
#include "fakes/http/server.h"

namespace kexsim::fakes {
namespace {

using namespace std::chrono_literals;
using spdy::ControlType;
using spdy::Frame;
using spdy::Headers;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// What a real client does: deflate each block on one stream primed with the dictionary, sync-flushed.
class RawDeflater {
 public:
  RawDeflater() {
    deflateInit(&z_, Z_DEFAULT_COMPRESSION);
    const std::string& d = spdy::header_dictionary();
    deflateSetDictionary(&z_, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size()));
  }
  ~RawDeflater() { deflateEnd(&z_); }
  std::string block(const Headers& headers) {
    std::string in = spdy::encode_header_block(headers);
    z_.next_in = reinterpret_cast<Bytef*>(in.data());
    z_.avail_in = static_cast<uInt>(in.size());
    std::string out;
    std::array<char, 256> buf;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(buf.data());
      z_.avail_out = static_cast<uInt>(buf.size());
      deflate(&z_, Z_SYNC_FLUSH);
      out.append(buf.data(), buf.size() - z_.avail_out);
    } while (z_.avail_out == 0);
    return out;
  }

 private:
  z_stream z_{};
};

// Raw inflate of one block of a stream, supplying the dictionary when zlib asks for it.
class RawInflater {
 public:
  RawInflater() { inflateInit(&z_); }
  ~RawInflater() { inflateEnd(&z_); }
  std::string block(std::string in) {
    z_.next_in = reinterpret_cast<Bytef*>(in.data());
    z_.avail_in = static_cast<uInt>(in.size());
    std::string out;
    std::array<char, 256> buf;
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buf.data());
      z_.avail_out = static_cast<uInt>(buf.size());
      int rc = inflate(&z_, Z_SYNC_FLUSH);
      if (rc == Z_NEED_DICT) {
        const std::string& d = spdy::header_dictionary();
        need_dict = true;
        inflateSetDictionary(&z_, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size()));
        continue;
      }
      out.append(buf.data(), buf.size() - z_.avail_out);
      if (z_.avail_in == 0 && z_.avail_out != 0) break;
      if (rc != Z_OK) break;
    }
    return out;
  }
  bool need_dict = false;

 private:
  z_stream z_{};
};

Frame take(std::string& buffer) {
  auto frame = spdy::take_frame(buffer);
  EXPECT_TRUE(frame.has_value());
  return frame.value_or(Frame{});
}

TEST(SpdyDictionary, IsTheSpdy3DictionaryByteForByte) {
  const std::string& d = spdy::header_dictionary();
  EXPECT_EQ(d.size(), 1423u);
  EXPECT_EQ(d.substr(0, 11), std::string("\0\0\0\x07options", 11));
  EXPECT_TRUE(d.ends_with("charset=iso-8859-1,utf-,*,enq=0."));
  // FNV-1a (the published 64-bit basis) of spdystream's spdy/dictionary.go bytes.
  EXPECT_EQ(fnv1a(d, 14695981039346656037ULL), 0x1d041c72462c9cbdULL);
}

TEST(SpdyFrames, DataFrameRoundTrip) {
  std::string wire = spdy::data_frame(5, spdy::kFlagFin, "hello");
  EXPECT_EQ(wire, std::string("\0\0\0\x05\x01\0\0\x05hello", 13));
  const Frame f = take(wire);
  EXPECT_FALSE(f.control);
  EXPECT_EQ(f.stream_id, 5u);
  EXPECT_EQ(f.flags, spdy::kFlagFin);
  EXPECT_EQ(f.payload, "hello");
  EXPECT_TRUE(wire.empty());
}

TEST(SpdyFrames, ControlFramesRoundTrip) {
  std::string wire = spdy::ping_frame(7) + spdy::goaway_frame(9, spdy::GoAwayStatus::kProtocolError) +
                     spdy::rst_stream_frame(3, spdy::RstStatus::kCancel) + spdy::window_update_frame(0, 1000) +
                     spdy::syn_stream_frame(1, spdy::kFlagFin, "blk") + spdy::syn_reply_frame(1, 0, "b");
  EXPECT_EQ(wire.substr(0, 12), std::string("\x80\x03\0\x06\0\0\0\x04\0\0\0\x07", 12));
  Frame f = take(wire);
  EXPECT_TRUE(f.control);
  EXPECT_EQ(f.version, 3);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kPing));
  EXPECT_EQ(spdy::read_u32(f.payload, 0), 7u);
  f = take(wire);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kGoAway));
  EXPECT_EQ(spdy::read_u32(f.payload, 0), 9u);
  EXPECT_EQ(spdy::read_u32(f.payload, 4), 1u);
  f = take(wire);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kRstStream));
  EXPECT_EQ(spdy::read_u32(f.payload, 4), 5u);
  f = take(wire);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kWindowUpdate));
  EXPECT_EQ(spdy::read_u32(f.payload, 4), 1000u);
  f = take(wire);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kSynStream));
  EXPECT_EQ(f.flags, spdy::kFlagFin);
  EXPECT_EQ(f.payload, std::string("\0\0\0\x01\0\0\0\0\0\0blk", 13));
  f = take(wire);
  EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kSynReply));
  EXPECT_EQ(f.payload, std::string("\0\0\0\x01"
                                   "b",
                                   5));
  EXPECT_TRUE(wire.empty());
}

TEST(SpdyFrames, IncompleteFramesWaitForMoreBytes) {
  const std::string whole = spdy::data_frame(1, 0, "abcdef");
  for (size_t n = 0; n < whole.size(); ++n) {
    std::string part = whole.substr(0, n);
    EXPECT_FALSE(spdy::take_frame(part).has_value()) << n;
    EXPECT_EQ(part.size(), n);
  }
}

TEST(SpdyHeaders, BlockRoundTripAndMalformedBlocks) {
  const Headers headers{{"streamtype", "stdin"}, {"multi", std::string("a\0b", 3)}, {"empty", ""}};
  const std::string block = spdy::encode_header_block(headers);
  auto back = spdy::decode_header_block(block);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, headers);
  EXPECT_FALSE(spdy::decode_header_block(block.substr(0, block.size() - 1)));
  EXPECT_FALSE(spdy::decode_header_block(block + "x"));
  EXPECT_FALSE(spdy::decode_header_block(std::string("\0\0", 2)));
  EXPECT_FALSE(spdy::decode_header_block(std::string("\0\0\0\x01\xff\xff\xff\xff", 8)));
}

TEST(SpdyHeaders, DecompressesBlocksAClientDeflatedWithTheDictionary) {
  RawDeflater client;
  spdy::HeaderDecompressor server;
  const Headers first{{"streamtype", "error"}};
  const Headers second{{"streamtype", "stdout"}, {"content-type", "text/plain"}};
  auto a = server.decompress(client.block(first));  // Z_NEED_DICT path
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, first);
  auto b = server.decompress(client.block(second));  // the same zlib stream continues
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(*b, second);
}

TEST(SpdyHeaders, CompressedBlocksInflateWithTheDictionary) {
  spdy::HeaderCompressor server;
  RawInflater client;
  const Headers none;
  const Headers some{{"x", "y"}};
  EXPECT_EQ(client.block(server.compress(none)), spdy::encode_header_block(none));
  EXPECT_TRUE(client.need_dict);
  EXPECT_EQ(client.block(server.compress(some)), spdy::encode_header_block(some));
}

TEST(SpdyHeaders, GarbageDoesNotInflateAndPoisonsTheStream) {
  spdy::HeaderDecompressor server;
  auto bad = server.decompress("not zlib at all");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("does not inflate"), std::string::npos) << bad.error().message;
  RawDeflater client;
  EXPECT_FALSE(server.decompress(client.block({{"a", "b"}})));
}

// The client's side of set-up on buffers: SYN_STREAM frames from a raw deflater. Blocks must reach the
// server in the order they were compressed, so open() them one statement at a time.
struct BufferClient {
  RawDeflater deflater;
  std::string open(uint32_t id, const std::string& type, uint8_t flags = 0) {
    return spdy::syn_stream_frame(id, flags, deflater.block({{"streamtype", type}}));
  }
  /// SYN_STREAMs for (id, type) pairs in order.
  std::string open_all(const std::vector<std::pair<uint32_t, std::string>>& streams) {
    std::string out;
    for (const auto& [id, type] : streams) out += open(id, type);
    return out;
  }
};

std::vector<Frame> frames_of(const std::vector<std::string>& wire) {
  std::vector<Frame> out;
  for (std::string w : wire) out.push_back(take(w));
  return out;
}

TEST(SpdyExecConnection, StreamsStdinPingsOutputAndFinish) {
  spdy::ExecConnection conn({.in = true, .out = true, .err = true});
  BufferClient client;
  auto got = conn.receive(client.open_all({{1, "error"}, {3, "stdin"}, {5, "stdout"}}));
  EXPECT_EQ(got.frames, 3);
  ASSERT_EQ(got.replies.size(), 3u);
  for (const Frame& f : frames_of(got.replies)) EXPECT_EQ(f.type, static_cast<uint16_t>(ControlType::kSynReply));
  EXPECT_FALSE(conn.ready());
  const std::string stderr_open = client.open(7, "stderr");
  got = conn.receive(stderr_open.substr(0, 5));  // half a frame
  EXPECT_EQ(got.frames, 0);
  got = conn.receive(stderr_open.substr(5) + spdy::data_frame(3, 0, "echo ") + spdy::ping_frame(1));
  EXPECT_EQ(got.frames, 3);
  ASSERT_EQ(got.replies.size(), 2u);
  EXPECT_EQ(got.replies[1], spdy::ping_frame(1));
  EXPECT_FALSE(conn.ready());
  got = conn.receive(spdy::data_frame(3, spdy::kFlagFin, "hi\n") + spdy::window_update_frame(5, 10));
  EXPECT_TRUE(got.replies.empty());
  EXPECT_TRUE(conn.ready());
  EXPECT_EQ(conn.stdin_data(), "echo hi\n");

  EXPECT_EQ(conn.output(1, "out"), std::vector<std::string>{spdy::data_frame(5, 0, "out")});
  EXPECT_EQ(conn.output(2, "err"), std::vector<std::string>{spdy::data_frame(7, 0, "err")});
  EXPECT_TRUE(conn.output(1, "").empty());
  conn.receive(spdy::rst_stream_frame(7, spdy::RstStatus::kCancel));
  EXPECT_TRUE(conn.output(2, "err").empty());  // the client reset stderr
  EXPECT_EQ(conn.finish("{}"), (std::vector<std::string>{spdy::data_frame(5, spdy::kFlagFin, ""),
                                                         spdy::data_frame(1, spdy::kFlagFin, "{}")}));
  EXPECT_FALSE(conn.peer_going_away());
  conn.receive(spdy::goaway_frame(0, spdy::GoAwayStatus::kOk));
  EXPECT_TRUE(conn.peer_going_away());
  EXPECT_EQ(conn.goaway(), spdy::goaway_frame(7, spdy::GoAwayStatus::kOk));
}

TEST(SpdyExecConnection, TtyMergesStderrIntoStdoutAndWaitsForResize) {
  spdy::ExecConnection conn({.out = true, .err = true, .tty = true});
  BufferClient client;
  conn.receive(client.open_all({{1, "error"}, {3, "stdout"}}));
  EXPECT_FALSE(conn.ready());
  conn.receive(client.open(5, "resize") + spdy::data_frame(5, 0, R"({"Width":80,"Height":24})"));
  EXPECT_TRUE(conn.ready());
  EXPECT_EQ(conn.output(2, "e"), std::vector<std::string>{spdy::data_frame(3, 0, "e")});
}

TEST(SpdyExecConnection, StrayStreamsAndDataAreRefused) {
  spdy::ExecConnection conn({.out = true});
  BufferClient client;
  auto got =
      conn.receive(client.open_all({{1, "portforward"}, {3, "error"}, {5, "error"}}) + spdy::data_frame(9, 0, "x"));
  ASSERT_EQ(got.replies.size(), 4u);
  EXPECT_EQ(got.replies[0], spdy::rst_stream_frame(1, spdy::RstStatus::kRefusedStream));
  EXPECT_EQ(frames_of({got.replies[1]})[0].type, static_cast<uint16_t>(ControlType::kSynReply));
  EXPECT_EQ(got.replies[2], spdy::rst_stream_frame(5, spdy::RstStatus::kRefusedStream));
  EXPECT_EQ(got.replies[3], spdy::rst_stream_frame(9, spdy::RstStatus::kInvalidStream));
  EXPECT_FALSE(conn.failed());
}

TEST(SpdyExecConnection, MalformedFramesEndTheConnectionWithGoAway) {
  const std::string goaway_protocol_error = spdy::goaway_frame(0, spdy::GoAwayStatus::kProtocolError);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"version 2", std::string("\x80\x02\0\x06\0\0\0\x04\0\0\0\x01", 12)},
      {"short ping", std::string("\x80\x03\0\x06\0\0\0\x02\0\x01", 10)},
      {"short SYN_STREAM", std::string("\x80\x03\0\x01\0\0\0\x04\0\0\0\x01", 12)},
      {"SYN_STREAM garbage headers", spdy::syn_stream_frame(1, 0, "garbage")},
      {"even stream id", BufferClient().open(2, "error")},
      {"DATA on stream 0", spdy::data_frame(0, 0, "x")},
      {"long GOAWAY", spdy::control_frame(ControlType::kGoAway, 0, std::string(12, '\0'))},
  };
  for (const auto& [what, wire] : cases) {
    spdy::ExecConnection conn({.in = true});
    auto got = conn.receive(wire + spdy::ping_frame(1));
    EXPECT_TRUE(conn.failed()) << what;
    EXPECT_EQ(got.frames, 2) << what;  // frames after the error are still consumed, not answered
    EXPECT_EQ(got.replies, std::vector<std::string>{goaway_protocol_error}) << what;
    EXPECT_FALSE(conn.ready()) << what;
  }
  spdy::ExecConnection conn({});
  BufferClient client;
  conn.receive(client.open(3, "error"));
  auto got = conn.receive(client.open(1, "stdout"));  // ids must increase
  EXPECT_TRUE(conn.failed());
  EXPECT_EQ(got.replies, std::vector<std::string>{spdy::goaway_frame(3, spdy::GoAwayStatus::kProtocolError)});
}

TEST(SpdyExecConnection, RandomBytesAndMutatedSessionsNeverCrash) {
  // A valid set-up to mutate, then pure noise; every outcome is fine except a crash or a hang.
  BufferClient client;
  const std::string valid = client.open_all({{1, "error"}, {3, "stdin"}, {5, "stdout"}}) +
                            spdy::data_frame(3, spdy::kFlagFin, "echo hi\n") + spdy::ping_frame(1);
  uint64_t seed = 42;
  for (int round = 0; round < 300; ++round) {
    std::string bytes = valid;
    if (round % 3 == 2) {
      bytes.assign(64 + splitmix64(seed) % 512, '\0');
      for (char& c : bytes) c = static_cast<char>(splitmix64(seed));
    } else {
      for (int flips = 0; flips < 1 + round % 4; ++flips)
        bytes[splitmix64(seed) % bytes.size()] = static_cast<char>(splitmix64(seed));
    }
    spdy::ExecConnection conn({.in = true, .out = true});
    size_t at = 0;
    while (at < bytes.size()) {  // in random slices, as reads deliver them
      const size_t n = 1 + splitmix64(seed) % 64;
      conn.receive(std::string_view(bytes).substr(at, n));
      at += n;
    }
    if (conn.failed()) {
      EXPECT_FALSE(conn.ready());
    }
  }
}

// ---- whole sessions over a socket ----

using testing::YieldingClock;

struct ExecHandler : HttpHandler {
  HttpResponse handle(const HttpRequest& request) override {
    requests.push_back(request);
    HttpResponse res;
    res.status = 101;
    res.headers = allowed_protocols;
    res.exec = [this](const std::string& in) {
      stdin_seen = in;
      ++runs;
      ExecOutcome out;
      out.output.push_back({1s, 1, "hello\n"});
      out.output.push_back({3s, 2, "warn\n"});
      out.duration = 5s;
      out.status_json = R"({"metadata":{},"status":"Success"})";
      return out;
    };
    return res;
  }
  std::vector<HttpRequest> requests;
  std::vector<std::pair<std::string, std::string>> allowed_protocols;
  std::string stdin_seen;
  int runs = 0;
};

/// The client's view of a session's frames.
struct Seen {
  std::map<uint32_t, std::string> data;
  std::map<uint32_t, bool> fin;
  std::vector<std::pair<uint32_t, Duration>> data_at;  // stream, offset from the start
  std::vector<uint32_t> pings;
  std::optional<uint32_t> goaway_status;
  bool eof = false;
};

struct SpdyRig {
  SpdyRig() : server(io.get_executor(), clock, handler, "kube-apiserver", std::nullopt) {
    auto p = server.listen();
    EXPECT_TRUE(p);
    port = p ? *p : 0;
  }

  void run(std::function<asio::awaitable<void>()> body) {
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await body();
          server.stop();
          done = true;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run_for(60s);  // a safety net against a hang, not a timing assertion
    ASSERT_TRUE(done) << "the test body did not finish";
    EXPECT_EQ(clock.in_flight, 0) << "unbalanced in-flight accounting";
    EXPECT_GE(clock.min_in_flight, 0);
  }

  /// Connects and sends the upgrade; returns the response head ("" when the connection failed).
  asio::awaitable<std::string> upgrade(std::string query, std::vector<std::string> offers) {
    error_code ec;
    co_await socket.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "";
    std::string req = "POST /api/v1/namespaces/cicd/pods/p/exec?" + query +
                      " HTTP/1.1\r\nHost: k8s.local\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
                      "Upgrade: SPDY/3.1\r\n";
    for (const auto& o : offers) req += "X-Stream-Protocol-Version: " + o + "\r\n";
    req += "\r\n";
    co_await asio::async_write(socket, asio::buffer(req), asio::redirect_error(asio::use_awaitable, ec));
    const size_t n =
        co_await asio::async_read_until(socket, head_buf, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "";
    std::string head(asio::buffers_begin(head_buf.data()), asio::buffers_begin(head_buf.data()) + n);
    head_buf.consume(n);
    co_return head;
  }

  /// Sends frames, each one message in flight until the server reads it.
  asio::awaitable<void> send(std::string frames, int count) {
    for (int i = 0; i < count; ++i) clock.io_begin();
    error_code ec;
    co_await asio::async_write(socket, asio::buffer(frames), asio::redirect_error(asio::use_awaitable, ec));
    EXPECT_FALSE(ec) << ec.message();
  }

  /// Reads one frame; nullopt at EOF. Counts every frame but a GOAWAY (the end, counted at EOF).
  asio::awaitable<std::optional<Frame>> read_frame() {
    for (;;) {
      if (auto f = spdy::take_frame(in)) {
        if (!(f->control && f->type == static_cast<uint16_t>(ControlType::kGoAway))) clock.io_end();
        co_return f;
      }
      if (head_buf.size() > 0) {
        in.append(asio::buffers_begin(head_buf.data()), asio::buffers_end(head_buf.data()));
        head_buf.consume(head_buf.size());
        continue;
      }
      std::array<char, 4096> chunk;
      error_code ec;
      const size_t n =
          co_await socket.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
      in.append(chunk.data(), n);
      if (ec && !spdy::take_frame(in)) {
        if (!eof_counted) clock.io_end();  // the session's end
        eof_counted = true;
        co_return std::nullopt;
      }
    }
  }

  /// Opens a stream and waits for its SYN_REPLY (client-go waits for each before the next).
  asio::awaitable<bool> open(uint32_t id, std::string type) {
    const Headers headers{{"streamtype", type}};
    std::string frame = spdy::syn_stream_frame(id, 0, deflater.block(headers));
    co_await send(std::move(frame), 1);
    auto f = co_await read_frame();
    co_return f && f->control && f->type == static_cast<uint16_t>(ControlType::kSynReply) &&
        spdy::read_u32(f->payload, 0) == id&& decompressor.decompress(f->payload.substr(4));
  }

  /// Reads until EOF, recording what arrives.
  asio::awaitable<void> read_all(Seen& seen, std::function<asio::awaitable<void>(const Seen&)> after_each) {
    const TimePoint start = clock.now();
    while (auto f = co_await read_frame()) {
      if (!f->control) {
        seen.data[f->stream_id] += f->payload;
        if (!f->payload.empty()) seen.data_at.emplace_back(f->stream_id, clock.now() - start);
        if (f->flags & spdy::kFlagFin) seen.fin[f->stream_id] = true;
      } else if (f->type == static_cast<uint16_t>(ControlType::kPing)) {
        seen.pings.push_back(spdy::read_u32(f->payload, 0));
      } else if (f->type == static_cast<uint16_t>(ControlType::kGoAway)) {
        seen.goaway_status = spdy::read_u32(f->payload, 4);
      }
      if (after_each) co_await after_each(seen);
    }
    seen.eof = true;
  }

  asio::io_context io;
  YieldingClock clock;
  ExecHandler handler;
  HttpServer server;
  uint16_t port = 0;
  tcp::socket socket{io};
  asio::streambuf head_buf;
  std::string in;
  bool eof_counted = false;
  RawDeflater deflater;
  spdy::HeaderDecompressor decompressor;
};

const std::vector<std::string> kOffers = {"v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
                                          "v2.channel.k8s.io", "channel.k8s.io"};

TEST(SpdyExecSession, StdinStdoutStderrAndStatusWithTimedOutput) {
  SpdyRig rig;
  Seen seen;
  bool goaway_sent = false;
  rig.run([&]() -> asio::awaitable<void> {
    const std::string query = "command=sh&container=build&stdin=true&stdout=true&stderr=true";
    const std::string head = co_await rig.upgrade(query, kOffers);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n")) << head;
    EXPECT_NE(head.find("X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"), std::string::npos) << head;
    EXPECT_NE(head.find("Upgrade: SPDY/3.1\r\n"), std::string::npos) << head;
    if (head.empty()) co_return;
    EXPECT_TRUE(co_await rig.open(1, "error"));
    EXPECT_TRUE(co_await rig.open(3, "stdin"));
    EXPECT_TRUE(co_await rig.open(5, "stdout"));
    EXPECT_TRUE(co_await rig.open(7, "stderr"));
    co_await rig.send(spdy::data_frame(3, 0, "echo hello\n") + spdy::data_frame(3, 0, std::string(70000, '#')) +
                          spdy::data_frame(3, spdy::kFlagFin, "") + spdy::ping_frame(1),
                      4);
    co_await rig.read_all(seen, [&](const Seen& s) -> asio::awaitable<void> {
      if (s.fin.count(1) && s.fin.count(5) && s.fin.count(7) && !goaway_sent) {
        goaway_sent = true;  // as client-go does when the error stream ends: reset the streams, go away
        std::string bye;
        for (uint32_t id : {1u, 3u, 5u, 7u}) bye += spdy::rst_stream_frame(id, spdy::RstStatus::kCancel);
        co_await rig.send(bye + spdy::goaway_frame(0, spdy::GoAwayStatus::kOk), 5);
      }
    });
  });
  EXPECT_EQ(rig.handler.stdin_seen, "echo hello\n" + std::string(70000, '#'));
  EXPECT_EQ(seen.data[5], "hello\n");
  EXPECT_EQ(seen.data[7], "warn\n");
  EXPECT_EQ(seen.data[1], R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(seen.data_at, (std::vector<std::pair<uint32_t, Duration>>{{5, 1s}, {7, 3s}, {1, 5s}}));
  EXPECT_EQ(seen.pings, std::vector<uint32_t>{1});
  EXPECT_EQ(seen.goaway_status, 0u);
  EXPECT_TRUE(seen.eof);
  ASSERT_EQ(rig.handler.requests.size(), 1u);
  EXPECT_EQ(rig.handler.requests[0].method, "POST");
}

TEST(SpdyExecSession, WithoutStdinTheProcessStartsOnceTheStreamsAreOpen) {
  SpdyRig rig;
  Seen seen;
  rig.run([&]() -> asio::awaitable<void> {
    const std::vector<std::string> offers{"v4.channel.k8s.io"};
    const std::string head = co_await rig.upgrade("command=true&stdout=true", offers);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 101 ")) << head;
    if (head.empty()) co_return;
    EXPECT_TRUE(co_await rig.open(1, "error"));
    EXPECT_TRUE(co_await rig.open(3, "stdout"));
    co_await rig.read_all(seen, [&](const Seen& s) -> asio::awaitable<void> {
      if (s.fin.count(1) && s.fin.size() == 2 && !s.goaway_status)
        co_await rig.send(spdy::goaway_frame(0, spdy::GoAwayStatus::kOk), 1);
    });
  });
  EXPECT_EQ(seen.data[3], "hello\n");  // stderr had no stream: dropped
  EXPECT_EQ(seen.data.size(), 2u);
  EXPECT_EQ(rig.handler.stdin_seen, "");
  EXPECT_TRUE(seen.eof);
}

TEST(SpdyExecSession, NoCommonProtocolIsRefusedBeforeTheUpgrade) {
  SpdyRig rig;
  rig.handler.allowed_protocols = {{"Sec-WebSocket-Protocol", "v5.channel.k8s.io, v4.channel.k8s.io"}};
  rig.run([&]() -> asio::awaitable<void> {
    const std::vector<std::string> offers{"v3.channel.k8s.io", "channel.k8s.io"};
    const std::string head = co_await rig.upgrade("command=true", offers);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 400 ")) << head;
  });
  EXPECT_EQ(rig.handler.runs, 0);
}

TEST(SpdyExecSession, MalformedFrameGetsGoAwayAndAClose) {
  SpdyRig rig;
  Seen seen;
  rig.run([&]() -> asio::awaitable<void> {
    const std::string head = co_await rig.upgrade("command=true&stdin=true&stdout=true", kOffers);
    if (head.empty()) co_return;
    EXPECT_TRUE(co_await rig.open(1, "error"));
    co_await rig.send(spdy::syn_stream_frame(3, 0, "this is no zlib stream"), 1);
    co_await rig.read_all(seen, nullptr);
  });
  EXPECT_EQ(seen.goaway_status, static_cast<uint32_t>(spdy::GoAwayStatus::kProtocolError));
  EXPECT_TRUE(seen.eof);
  EXPECT_EQ(rig.handler.runs, 0);  // a broken connection runs nothing
}

TEST(SpdyExecSession, ClientVanishingMidStdinStillRunsTheProcessAndSettles) {
  SpdyRig rig;
  rig.run([&]() -> asio::awaitable<void> {
    const std::string head = co_await rig.upgrade("command=sh&stdin=true&stdout=true", kOffers);
    if (head.empty()) co_return;
    EXPECT_TRUE(co_await rig.open(1, "error"));
    EXPECT_TRUE(co_await rig.open(3, "stdin"));
    co_await rig.send(spdy::data_frame(3, 0, "partial"), 1);
    error_code ignored;
    rig.socket.shutdown(tcp::socket::shutdown_send, ignored);  // EOF for the server, no FIN on stdin
    Seen seen;
    co_await rig.read_all(seen, nullptr);
    EXPECT_TRUE(seen.eof);
  });
  EXPECT_EQ(rig.handler.runs, 1);
  EXPECT_EQ(rig.handler.stdin_seen, "partial");
}

}  // namespace
}  // namespace kexsim::fakes

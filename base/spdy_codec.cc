#include "base/spdy_codec.h"

#include <array>

#include <zlib.h>

namespace kexsim::spdy {
namespace {

constexpr size_t kHeaderBlockLimit = 1u << 20;  // decompressed; a zip bomb ends the connection
constexpr size_t kHeaderCountLimit = 1024;
constexpr std::string_view kHint = "the peer must speak SPDY/3.1 as moby/spdystream does (k8s-fake.md section 2.3)";

void put_u32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace

// The dictionary's facts (SPDY/3 spec section 2.6.10.1; the same bytes as spdystream spdy/dictionary.go):
// 65 words, each after its 4-byte big-endian length, then one run of status lines, dates and types.
const std::string& header_dictionary() {
  static const std::string dictionary = [] {
    static constexpr std::array<std::string_view, 65> kWords = {"options",
                                                                "head",
                                                                "post",
                                                                "put",
                                                                "delete",
                                                                "trace",
                                                                "accept",
                                                                "accept-charset",
                                                                "accept-encoding",
                                                                "accept-language",
                                                                "accept-ranges",
                                                                "age",
                                                                "allow",
                                                                "authorization",
                                                                "cache-control",
                                                                "connection",
                                                                "content-base",
                                                                "content-encoding",
                                                                "content-language",
                                                                "content-length",
                                                                "content-location",
                                                                "content-md5",
                                                                "content-range",
                                                                "content-type",
                                                                "date",
                                                                "etag",
                                                                "expect",
                                                                "expires",
                                                                "from",
                                                                "host",
                                                                "if-match",
                                                                "if-modified-since",
                                                                "if-none-match",
                                                                "if-range",
                                                                "if-unmodified-since",
                                                                "last-modified",
                                                                "location",
                                                                "max-forwards",
                                                                "pragma",
                                                                "proxy-authenticate",
                                                                "proxy-authorization",
                                                                "range",
                                                                "referer",
                                                                "retry-after",
                                                                "server",
                                                                "te",
                                                                "trailer",
                                                                "transfer-encoding",
                                                                "upgrade",
                                                                "user-agent",
                                                                "vary",
                                                                "via",
                                                                "warning",
                                                                "www-authenticate",
                                                                "method",
                                                                "get",
                                                                "status",
                                                                "200 OK",
                                                                "version",
                                                                "HTTP/1.1",
                                                                "url",
                                                                "public",
                                                                "set-cookie",
                                                                "keep-alive",
                                                                "origin"};
    std::string out;
    for (std::string_view word : kWords) {
      put_u32(out, static_cast<uint32_t>(word.size()));
      out += word;
    }
    out +=
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
        "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
    return out;
  }();
  return dictionary;
}

uint32_t read_u32(std::string_view s, size_t offset) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[offset])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[offset + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[offset + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[offset + 3]));
}

std::optional<Frame> take_frame(std::string& buffer) {
  if (buffer.size() < 8) return std::nullopt;
  const uint32_t word0 = read_u32(buffer, 0);
  const uint32_t word1 = read_u32(buffer, 4);
  const uint32_t length = word1 & kMaxFrameLength;
  if (buffer.size() < 8 + static_cast<size_t>(length)) return std::nullopt;
  Frame frame;
  frame.control = (word0 & 0x80000000u) != 0;
  if (frame.control) {
    frame.version = static_cast<uint16_t>((word0 >> 16) & 0x7fff);
    frame.type = static_cast<uint16_t>(word0 & 0xffff);
  } else {
    frame.stream_id = word0 & 0x7fffffffu;
  }
  frame.flags = static_cast<uint8_t>(word1 >> 24);
  frame.payload = buffer.substr(8, length);
  buffer.erase(0, 8 + static_cast<size_t>(length));
  return frame;
}

std::string data_frame(uint32_t stream_id, uint8_t flags, std::string_view data) {
  std::string out;
  out.reserve(8 + data.size());
  put_u32(out, stream_id & 0x7fffffffu);
  put_u32(out, (static_cast<uint32_t>(flags) << 24) | (static_cast<uint32_t>(data.size()) & kMaxFrameLength));
  out += data;
  return out;
}

std::string control_frame(ControlType type, uint8_t flags, std::string_view data) {
  std::string out;
  out.reserve(8 + data.size());
  put_u16(out, 0x8000 | kVersion);
  put_u16(out, static_cast<uint16_t>(type));
  put_u32(out, (static_cast<uint32_t>(flags) << 24) | (static_cast<uint32_t>(data.size()) & kMaxFrameLength));
  out += data;
  return out;
}

std::string rst_stream_frame(uint32_t stream_id, RstStatus status) {
  std::string data;
  put_u32(data, stream_id & 0x7fffffffu);
  put_u32(data, static_cast<uint32_t>(status));
  return control_frame(ControlType::kRstStream, 0, data);
}

std::string ping_frame(uint32_t id) {
  std::string data;
  put_u32(data, id);
  return control_frame(ControlType::kPing, 0, data);
}

std::string goaway_frame(uint32_t last_good_stream_id, GoAwayStatus status) {
  std::string data;
  put_u32(data, last_good_stream_id & 0x7fffffffu);
  put_u32(data, static_cast<uint32_t>(status));
  return control_frame(ControlType::kGoAway, 0, data);
}

std::string window_update_frame(uint32_t stream_id, uint32_t delta) {
  std::string data;
  put_u32(data, stream_id & 0x7fffffffu);
  put_u32(data, delta & 0x7fffffffu);
  return control_frame(ControlType::kWindowUpdate, 0, data);
}

std::string syn_stream_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers) {
  std::string data;
  put_u32(data, stream_id & 0x7fffffffu);
  put_u32(data, 0);   // associated-to stream
  data.push_back(0);  // priority 0 (3 bits) and unused bits
  data.push_back(0);  // credential slot
  data += compressed_headers;
  return control_frame(ControlType::kSynStream, flags, data);
}

std::string syn_reply_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers) {
  std::string data;
  put_u32(data, stream_id & 0x7fffffffu);
  data += compressed_headers;
  return control_frame(ControlType::kSynReply, flags, data);
}

std::string encode_header_block(const Headers& headers) {
  std::string out;
  put_u32(out, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    put_u32(out, static_cast<uint32_t>(name.size()));
    out += name;
    put_u32(out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

Result<Headers> decode_header_block(std::string_view block) {
  auto truncated = [] { return make_error("SPDY header block is truncated", std::string(kHint)); };
  if (block.size() < 4) return truncated();
  const uint32_t count = read_u32(block, 0);
  if (count > kHeaderCountLimit) return make_error("SPDY header block has too many headers", std::string(kHint));
  size_t at = 4;
  Headers headers;
  for (uint32_t i = 0; i < count; ++i) {
    std::string field[2];
    for (std::string& part : field) {
      if (block.size() - at < 4) return truncated();
      const uint32_t len = read_u32(block, at);
      at += 4;
      if (block.size() - at < len) return truncated();
      part = std::string(block.substr(at, len));
      at += len;
    }
    headers.emplace_back(std::move(field[0]), std::move(field[1]));
  }
  if (at != block.size()) return make_error("SPDY header block has trailing bytes", std::string(kHint));
  return headers;
}

struct HeaderCompressor::Z {
  z_stream s{};
};

HeaderCompressor::HeaderCompressor() : z_(std::make_unique<Z>()) {
  // Best compression, as spdystream's framer; with a dictionary, a fresh deflate stream cannot fail
  // except for lack of memory, which ends the process anyway. A 4 KiB window (the dictionary is 1.4 KiB,
  // a header block a few hundred bytes) and a small hash: zlib's defaults take 268 KiB a stream, which
  // with a thousand jobs' exec connections open at once was a third of the peak memory. Any inflater
  // reads it (the window is declared in the stream header); only the compressed bytes differ.
  constexpr int kWindowBits = 12, kMemLevel = 2;
  deflateInit2(&z_->s, Z_BEST_COMPRESSION, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY);
  const std::string& dict = header_dictionary();
  deflateSetDictionary(&z_->s, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
}

HeaderCompressor::~HeaderCompressor() { deflateEnd(&z_->s); }

std::string HeaderCompressor::compress(const Headers& headers) {
  const std::string block = encode_header_block(headers);
  z_stream& s = z_->s;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  s.avail_in = static_cast<uInt>(block.size());
  std::string out;
  std::array<char, 4096> chunk;
  do {
    s.next_out = reinterpret_cast<Bytef*>(chunk.data());
    s.avail_out = static_cast<uInt>(chunk.size());
    deflate(&s, Z_SYNC_FLUSH);
    out.append(chunk.data(), chunk.size() - s.avail_out);
  } while (s.avail_out == 0);
  return out;
}

struct HeaderDecompressor::Z {
  z_stream s{};
  bool broken = false;
};

HeaderDecompressor::HeaderDecompressor() : z_(std::make_unique<Z>()) {
  // Window bits 0: the window the peer's stream header declares (32 KiB from Go's zlib, 4 KiB from ours).
  if (inflateInit2(&z_->s, 0) != Z_OK) z_->broken = true;
}

HeaderDecompressor::~HeaderDecompressor() { inflateEnd(&z_->s); }

Result<Headers> HeaderDecompressor::decompress(std::string_view block) {
  if (z_->broken) return make_error("SPDY header stream is unusable after an earlier error", std::string(kHint));
  z_stream& s = z_->s;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  s.avail_in = static_cast<uInt>(block.size());
  std::string out;
  std::array<char, 4096> chunk;
  for (;;) {
    s.next_out = reinterpret_cast<Bytef*>(chunk.data());
    s.avail_out = static_cast<uInt>(chunk.size());
    int rc = inflate(&s, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      const std::string& dict = header_dictionary();
      rc = inflateSetDictionary(&s, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
      if (rc == Z_OK) continue;
    }
    out.append(chunk.data(), chunk.size() - s.avail_out);
    if (out.size() > kHeaderBlockLimit) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && s.avail_in == 0) break;  // all input taken, nothing more to give
    if (rc != Z_OK && rc != Z_STREAM_END) {
      z_->broken = true;
      return make_error("SPDY header block does not inflate with the SPDY/3 dictionary" +
                            std::string(s.msg ? std::string(": ") + s.msg : std::string()),
                        std::string(kHint));
    }
    if (s.avail_in == 0 && s.avail_out != 0) break;
    if (rc == Z_STREAM_END) break;
  }
  if (s.avail_in != 0) {
    z_->broken = true;
    return make_error("SPDY header block has bytes after the end of its zlib stream", std::string(kHint));
  }
  auto headers = decode_header_block(out);
  if (!headers) z_->broken = true;  // the stream may be in sync, but the peer is confused: stop here
  return headers;
}

}  // namespace kexsim::spdy

#pragma once
// SPDY/3.1 framing as moby/spdystream speaks it (k8s-fake.md section 2.3): frames, the SPDY/3 header
// dictionary and the zlib-compressed header blocks. Pure byte work: nothing of Kubernetes, no sockets;
// the fake's server side (fakes/http/spdy_exec.h) and the executor's client (executor/kube_exec_stream.cc) use it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace kexsim::spdy {

/// The protocol version in every control frame.
inline constexpr uint16_t kVersion = 3;
/// The largest payload a frame's 24-bit length can carry.
inline constexpr uint32_t kMaxFrameLength = (1u << 24) - 1;

/// Control frame types (spdystream spdy/types.go).
enum class ControlType : uint16_t {
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};

/// FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender's half of the stream ends.
inline constexpr uint8_t kFlagFin = 0x01;
/// FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver never sends on the stream.
inline constexpr uint8_t kFlagUnidirectional = 0x02;

/// RST_STREAM status codes (SPDY/3 section 2.6.3).
enum class RstStatus : uint32_t {
  kProtocolError = 1,
  kInvalidStream = 2,
  kRefusedStream = 3,
  kUnsupportedVersion = 4,
  kCancel = 5,
  kInternalError = 6,
  kFlowControlError = 7,
  kStreamInUse = 8,
  kStreamAlreadyClosed = 9,
};

/// GOAWAY status codes (SPDY/3 section 2.6.6).
enum class GoAwayStatus : uint32_t { kOk = 0, kProtocolError = 1, kInternalError = 2 };

/// A header block in wire order; names are lower-case, several values of one name are NUL-separated.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// One frame with its header blocks still compressed: payload is the DATA bytes or the control frame's data.
struct Frame {
  bool control = false;
  uint16_t version = 0;  ///< control frames
  uint16_t type = 0;     ///< control frames: a ControlType value (unknown types are kept)
  uint8_t flags = 0;
  uint32_t stream_id = 0;  ///< DATA frames (control frames carry theirs in the payload)
  std::string payload;
};

/// The 1423-byte zlib dictionary every SPDY/3 header stream is primed with (SPDY/3 spec 2.6.10.1).
const std::string& header_dictionary();

/// Cuts the next whole frame off the front of buffer; nullopt while it is still incomplete.
std::optional<Frame> take_frame(std::string& buffer);

/// A DATA frame.
std::string data_frame(uint32_t stream_id, uint8_t flags, std::string_view data);
/// A control frame around its data.
std::string control_frame(ControlType type, uint8_t flags, std::string_view data);
/// RST_STREAM for a stream.
std::string rst_stream_frame(uint32_t stream_id, RstStatus status);
/// PING with an id (a peer's ping is echoed unchanged).
std::string ping_frame(uint32_t id);
/// GOAWAY naming the last stream the sender accepted.
std::string goaway_frame(uint32_t last_good_stream_id, GoAwayStatus status);
/// WINDOW_UPDATE for a stream (0: the connection).
std::string window_update_frame(uint32_t stream_id, uint32_t delta);
/// SYN_STREAM (a client opening a stream) with an already compressed header block.
std::string syn_stream_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers);
/// SYN_REPLY (accepting a stream) with an already compressed header block.
std::string syn_reply_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers);

/// The big-endian 32-bit word at offset of s (the caller checked the size).
uint32_t read_u32(std::string_view s, size_t offset);

/// The uncompressed form of a header block: count, then length-prefixed names and values.
std::string encode_header_block(const Headers& headers);
/// Parses an uncompressed header block; an error when a length runs past the end or bytes are left over.
Result<Headers> decode_header_block(std::string_view block);

/// One direction's header compression: one zlib stream for the whole connection, each block flushed.
class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;
  /// The compressed block for headers, continuing this direction's stream.
  std::string compress(const Headers& headers);

 private:
  struct Z;
  std::unique_ptr<Z> z_;
};

/// The other end of a HeaderCompressor. After an error the stream is unusable: close the connection.
class HeaderDecompressor {
 public:
  HeaderDecompressor();
  ~HeaderDecompressor();
  HeaderDecompressor(const HeaderDecompressor&) = delete;
  HeaderDecompressor& operator=(const HeaderDecompressor&) = delete;
  /// Inflates one block (at most 1 MiB of headers) and parses it.
  Result<Headers> decompress(std::string_view block);

 private:
  struct Z;
  std::unique_ptr<Z> z_;
};

}  // namespace kexsim::spdy

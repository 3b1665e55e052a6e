#pragma once
// The server side of one SPDY/3.1 exec connection on byte buffers, as a kubelet answers client-go's SPDY
// executor (k8s-fake.md section 2.3). No sockets here: fakes/http/server.cc owns the connection and the timing.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/spdy_codec.h"

namespace kexsim::fakes::spdy {

// The codec's names (Frame, Headers, frame builders) read here as they do in the protocol.
using namespace ::kexsim::spdy;

/// Which streams an exec connection sets up, from the exec request's query flags.
struct ExecStreamsWanted {
  bool in = false;   ///< stdin=true
  bool out = false;  ///< stdout=true
  bool err = false;  ///< stderr=true
  bool tty = false;  ///< the client opens a resize stream and no stderr stream
};

/// The server side of one SPDY exec connection after the 101: it reads the client's frames, answers
/// each stream with a SYN_REPLY, echoes pings, collects stdin until its FIN, and turns the process's
/// output and Status into DATA frames. A malformed frame ends the connection with GOAWAY(PROTOCOL_ERROR).
class ExecConnection {
 public:
  explicit ExecConnection(ExecStreamsWanted wanted);

  /// What one call of receive() read and wants written, in order.
  struct Received {
    int frames = 0;                    ///< whole frames consumed
    std::vector<std::string> replies;  ///< SYN_REPLY, PING echoes, RST_STREAM, a final GOAWAY
  };
  /// Takes bytes from the client.
  Received receive(std::string_view bytes);

  /// Every wanted stream is open and stdin (if wanted) has ended: the process can run.
  bool ready() const;
  /// The stdin the client sent (complete once ready()).
  const std::string& stdin_data() const { return stdin_; }
  /// The client sent GOAWAY: it reads nothing more.
  bool peer_going_away() const { return peer_going_away_; }
  /// A protocol error ended the connection; the GOAWAY is among the last replies: write them, then close.
  bool failed() const { return failed_; }

  /// DATA frames carrying output of channel 1 (stdout) or 2 (stderr); none when the client did not open
  /// (or reset) that stream. With a tty, stderr goes to stdout, as a terminal merges them.
  std::vector<std::string> output(int channel, std::string_view data) const;
  /// The end of the process: FIN on stdout and stderr, then the Status on the error stream with FIN.
  std::vector<std::string> finish(std::string_view status_json);
  /// The server's last frame: GOAWAY(OK) naming the last stream it accepted.
  std::string goaway() const;

 private:
  struct Stream {
    std::string type;
    bool reset = false;
    bool remote_fin = false;
  };
  void handle(const Frame& frame, Received& out);
  void handle_control(const Frame& frame, Received& out);
  void fail(Received& out);
  std::optional<uint32_t> stream_of(const std::string& type) const;

  ExecStreamsWanted wanted_;
  std::string buffer_;
  HeaderCompressor compressor_;
  HeaderDecompressor decompressor_;
  std::map<uint32_t, Stream> streams_;
  std::map<std::string, uint32_t> by_type_;
  uint32_t last_stream_id_ = 0;
  std::string stdin_;
  bool failed_ = false;
  bool peer_going_away_ = false;
};

}  // namespace kexsim::fakes::spdy

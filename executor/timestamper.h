#pragma once
// FF_TIMESTAMPS: the per-line "<time> <stream><type><line type>" prefix GitLab Runner 16.11+ puts on trace lines.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace kexsim::executor {

/// Which of the runner's trace streams a writer is (common/buildlogger/build_logger.go:
/// StreamExecutorLevel = 0, StreamWorkLevel = 1; Stdout 'O', Stderr 'E').
struct TraceStream {
  uint8_t id = 0;   ///< 0: runner/executor messages, 1: work (script output)
  char type = 'O';  ///< 'O' stdout, 'E' stderr
};

/// One stream's timestamper, placed after masking as upstream's wrap() does. It splits what it
/// is given into physical lines and prefixes each with the clock's time (UTC, microseconds), the
/// stream and ' ' (a new line) or '+' (continues the previous one). Rules as
/// common/buildlogger/internal/timestamper/timestamper.go (19.1+): every "\n" ends a line; a write
/// holding a "\r" after its last "\n" is emitted whole and ended with a "\n", the next line
/// marked '+'; a partial line is held until it grows past 8 KiB (header included), then written
/// out, ended with "\n" and the next line marked '+'. The time of a line is the time its first
/// byte arrived.
class Timestamper {
 public:
  Timestamper(const Clock& clock, TraceStream stream) : clock_(clock), stream_(stream) {}

  /// Appends to `out` what the stream emits for `bytes` (a held partial line stays held).
  void write(std::string_view bytes, std::string& out);
  /// Appends the held partial line, ended with "\n" (the writer's Close()); the next write
  /// starts a fresh line.
  void close(std::string& out);

  /// Upstream's bufSize: the most a partial line is held before it is written out.
  static constexpr size_t kBufferSize = 8 * 1024;

 private:
  void header(std::string& to);

  const Clock& clock_;
  TraceStream stream_;
  bool continuation_ = false;
  std::string held_;  ///< header + partial line, empty when nothing is held
};

/// "YYYY-MM-DDTHH:MM:SS.ffffffZ " + 2 hex digits + type + line type: the 32-byte line prefix.
std::string timestamp_header(TimePoint t, TraceStream stream, bool continuation);

}  // namespace kexsim::executor

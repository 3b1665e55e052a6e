#pragma once
// The time seam shared by the executor and the fakes: now(), sleeping, and transport accounting.

#include <chrono>
#include <cstdint>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/awaitable.hpp>

namespace kexsim {

namespace asio = boost::asio;

using Duration = std::chrono::microseconds;
/// Wall-style time: microseconds since the Unix epoch (virtual in simulation).
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

/// Time as the executor and the fakes see it. Nothing in executor/ or fakes/ may read the wall
/// clock or sleep: they go through a Clock, which in simulation is virtual.
class Clock {
 public:
  virtual ~Clock() = default;

  /// The current time.
  virtual TimePoint now() const = 0;

  /// Suspends the calling coroutine for d (virtual time in simulation).
  virtual asio::awaitable<void> sleep_for(Duration d) = 0;

  /// Transport accounting. A sender calls io_begin() when it hands bytes (a request, a stream
  /// message) to a peer in this process; the receiver calls io_end() once it has consumed them.
  /// A virtual clock never advances while anything is in flight, because the peer's reaction to
  /// those bytes has not happened yet. The real clock ignores both.
  virtual void io_begin() {}
  virtual void io_end() {}
};

/// Holds one unit of in-flight accounting for its lifetime (a request waiting for its response).
class InFlight {
 public:
  explicit InFlight(Clock& clock) : clock_(&clock) { clock_->io_begin(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  InFlight(InFlight&& o) noexcept : clock_(std::exchange(o.clock_, nullptr)) {}
  ~InFlight() { release(); }
  /// Ends the accounting early (idempotent).
  void release() {
    if (clock_) clock_->io_end();
    clock_ = nullptr;
  }

 private:
  Clock* clock_;
};

/// RFC 3339 with seconds and a Z suffix, e.g. 2026-01-01T00:00:00Z (Kubernetes timestamps).
std::string format_rfc3339(TimePoint t);
/// RFC 3339 with microseconds, e.g. 2026-01-01T00:00:00.000000Z (job log timestamps).
std::string format_rfc3339_micro(TimePoint t);
/// Parses YYYY-MM-DDTHH:MM:SS[.frac]Z; returns false on malformed input.
bool parse_rfc3339(const std::string& text, TimePoint& out);
/// Go's time.RFC1123 with GMT, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" (HTTP date headers).
std::string format_rfc1123(TimePoint t);
/// Parses Go's time.RFC1123 layout. As Go's time.Parse, an unknown zone abbreviation reads as UTC.
bool parse_rfc1123(const std::string& text, TimePoint& out);
/// Unix seconds of t.
int64_t unix_seconds(TimePoint t);

}  // namespace kexsim

#pragma once
// The job log as GitLab Runner writes it: levels, colours, sections and masking, byte for byte.

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/profile.h"
#include "executor/timestamper.h"
#include "executor/url_sanitizer.h"

namespace kexsim::executor {

/// Builds the exact trace bytes of one job. Every write goes through the masker: masked
/// variable values become [MASKED], and so does the body of a token after a known prefix.
/// Container output (raw) may end in the beginning of a secret, so the masker holds such a
/// tail back until more bytes arrive or flush(); runner-side lines always flush.
/// As upstream's buildlogger, each stream (runner messages 00O, pod-wait lines 00E, exec stdout
/// 01O and stderr 01E) has its own masker, then, with FF_TIMESTAMPS, its own timestamper: masking
/// comes first, so a secret split across lines or writes is masked before prefixes go in.
/// Sensitive URL parameters (executor/url_sanitizer.h) are masked in every stream from 16.11, or in
/// 15.x–16.10 with FF_USE_IMPROVED_URL_MASKING; otherwise only runner lines are scrubbed.
class JobTrace {
 public:
  /// `sections`: the job's features.trace_sections. `token_prefixes`: besides "glpat-", which
  /// is always masked (e.g. the job's features.token_mask_prefixes). `timestamps`: FF_TIMESTAMPS.
  /// `improved_url_masking`: FF_USE_IMPROVED_URL_MASKING as the runner's config sets it (15.0–16.10).
  JobTrace(Clock& clock, Profile profile, bool sections, std::vector<std::string> masked_values,
           std::vector<std::string> token_prefixes, bool timestamps = false, bool improved_url_masking = false);

  /// A plain runner line ("\033[0K" prefix).
  void println(std::string_view text);
  /// A bold green line (e.g. "Job succeeded").
  void info(std::string_view text);
  /// A yellow "WARNING: " line.
  void warning(std::string_view text);
  /// A bold red "ERROR: " line.
  void error(std::string_view text);
  /// A stage title in bold cyan.
  void stage_header(std::string_view description);
  /// "section_start:<unix seconds>:<name>\r\033[0K" (only when sections are enabled).
  void section_start(std::string_view name);
  /// "section_end:<unix seconds>:<name>\r\033[0K" (only when sections are enabled).
  void section_end(std::string_view name);
  /// Container output, as it came: `channel` 1 is stdout (stream 01O), 2 stderr (01E).
  void raw(int channel, std::string_view bytes);
  /// Container stdout, as it came.
  void raw(std::string_view bytes) { raw(1, bytes); }
  /// CI_DEBUG_SERVICES: a service container's log lines as the runner wraps them (stream 0fO,
  /// buildlogger.StreamStartingServiceLevel); the caller writes whole lines.
  void service_output(std::string_view bytes);
  /// A line without colour or level on the runner's stderr stream (00E: the "Waiting for pod
  /// ..." lines and their conditions).
  void waiting_line(std::string_view text);
  /// Releases any held-back tail of container output and closes the exec streams (end of a stage
  /// or of the job): with FF_TIMESTAMPS a held partial line is written, ended with "\n".
  void flush();
  /// Whether lines carry FF_TIMESTAMPS prefixes.
  bool timestamps() const { return timestamps_; }
  /// The trace's byte limit (`output_limit` KiB; network/trace.go setupLogLimit). The write that
  /// reaches it is cut there and followed by upstream's notice; later bytes are dropped.
  void set_limit(size_t bytes) { limit_ = bytes; }
  /// Whether the limit was reached.
  bool limit_exceeded() const { return limit_exceeded_; }

  /// The trace so far (masked; without a held-back tail).
  const std::string& bytes() const { return committed_; }

 private:
  /// One writer chain of upstream's wrap(): masker state, then the timestamper.
  struct Stream {
    explicit Stream(const Clock& clock, TraceStream id) : timestamper(clock, id) {}
    std::string pending;      ///< masker: a tail that may be the start of a secret
    bool swallowing = false;  ///< masker: inside the body of a token already written as [MASKED]
    UrlSanitizer urls;        ///< sensitive URL parameters (when masks_urls_)
    Timestamper timestamper;
  };
  enum StreamIndex : size_t { kRunnerOut, kRunnerErr, kWorkOut, kWorkErr, kServiceOut, kStreamCount };

  void line(std::string_view prefix, std::string_view text);
  void section(std::string_view kind, std::string_view name);
  void write(StreamIndex stream, std::string_view bytes, bool final);
  void emit(Stream& stream, std::string_view masked);
  void commit(std::string_view bytes);
  void release_held();
  bool could_start_secret(std::string_view rest) const;
  size_t secret_length_at(std::string_view rest) const;

  Clock& clock_;
  Profile profile_;
  bool sections_;
  bool timestamps_;
  bool masks_urls_;  ///< the whole-trace URL-parameter sanitizer is on
  std::vector<std::string> masked_values_;  ///< longest first
  std::vector<std::string> token_prefixes_;
  std::string committed_;
  size_t limit_ = 4 * 1024 * 1024;  ///< common/consts.go DefaultTraceOutputLimit
  bool limit_exceeded_ = false;
  std::string scratch_;          ///< a timestamper's output on its way to commit()
  std::vector<Stream> streams_;  ///< indexed by StreamIndex
};

/// Token prefixes the profile masks by default besides "glpat-" (19.4: FF_MASK_ALL_DEFAULT_TOKENS).
std::vector<std::string> default_token_prefixes(Profile p);

}  // namespace kexsim::executor

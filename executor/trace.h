#pragma once
// The job log as GitLab Runner writes it: levels, colours, sections and masking, byte for byte.

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Builds the exact trace bytes of one job. Every write goes through the masker: masked
/// variable values become [MASKED], and so does the body of a token after a known prefix.
/// Container output (raw) may end in the beginning of a secret, so the masker holds such a
/// tail back until more bytes arrive or flush(); runner-side lines always flush.
/// FF_TIMESTAMPS line prefixes are not produced.
class JobTrace {
 public:
  /// `sections`: the job's features.trace_sections. `token_prefixes`: besides "glpat-", which
  /// is always masked (e.g. the job's features.token_mask_prefixes).
  JobTrace(Clock& clock, Profile profile, bool sections, std::vector<std::string> masked_values,
           std::vector<std::string> token_prefixes);

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
  /// Container output, as it came.
  void raw(std::string_view bytes);
  /// A line without colour or level (the "Waiting for pod ..." lines and their conditions).
  void waiting_line(std::string_view text);
  /// Releases any held-back tail of container output (end of a stage or of the job).
  void flush();

  /// The trace so far (masked; without a held-back tail).
  const std::string& bytes() const { return committed_; }

 private:
  void line(std::string_view prefix, std::string_view text);
  void section(std::string_view kind, std::string_view name);
  void write(std::string_view bytes, bool final);
  bool could_start_secret(std::string_view rest) const;
  size_t secret_length_at(std::string_view rest) const;

  Clock& clock_;
  Profile profile_;
  bool sections_;
  std::vector<std::string> masked_values_;  ///< longest first
  std::vector<std::string> token_prefixes_;
  std::string committed_;
  std::string pending_;
};

/// Token prefixes the profile masks by default besides "glpat-" (19.4: FF_MASK_ALL_DEFAULT_TOKENS).
std::vector<std::string> default_token_prefixes(Profile p);

}  // namespace kexsim::executor

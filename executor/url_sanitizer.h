#pragma once
// Sensitive URL query parameters in the job log: the streaming sanitizer of the whole trace ([MASKED])
// and the older scrub of runner-side lines ([FILTERED]), as each GitLab Runner release applies them.

#include <map>
#include <string>
#include <string_view>

#include "executor/profile.h"

namespace kexsim::executor {

/// What the trace shows in place of a masked value or URL parameter (helpers/trace masking, the sanitizer).
inline constexpr std::string_view kMaskedText = "[MASKED]";

/// One stream's URL-parameter sanitizer (common/buildlogger/internal/urlsanitizer/urlsanitizer.go,
/// 15.4–16.10 helpers/trace/internal/urlsanitizer): after "?key=" or "&key=" with a sensitive key
/// (any case), the value up to '?', '&', a space or a control character becomes "[MASKED]". A key may
/// be split across writes; the value is dropped as it streams and "[MASKED]" is written where it
/// ends, or at close().
class UrlSanitizer {
 public:
  /// Appends to `out` what upstream's Write passes on for `bytes`.
  void write(std::string_view bytes, std::string& out);
  /// The writer is closed: a value still being dropped is written as "[MASKED]".
  void close(std::string& out);

 private:
  std::string match_;    ///< the '?' or '&' and the key read so far (at most 21 bytes, as upstream)
  bool masking_ = false;  ///< dropping a sensitive value
};

/// helpers/url/scrub_secrets.go ScrubSecrets: a runner-side line's sensitive parameters as
/// "key=[FILTERED]" (up to the next '&' or space; X-AMZ-Security-Token from 14.5). Upstream applies
/// it to Println/Infoln/Warningln/Errorln lines while the whole-trace sanitizer is off.
std::string scrub_url_secrets(Profile p, std::string_view line);

/// FF_USE_IMPROVED_URL_MASKING (15.0–16.10) as network/trace.go newJobTrace reads it: from the
/// runner's [runners.feature_flags] only, never a job variable.
bool improved_url_masking(Profile p, const std::map<std::string, bool>& config_flags);

}  // namespace kexsim::executor

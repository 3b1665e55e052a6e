#include "executor/trace.h"

#include <algorithm>

#include "base/strings.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

constexpr std::string_view kClear = "\033[0K";
constexpr std::string_view kReset = "\033[0;m";
constexpr std::string_view kBoldGreen = "\033[32;1m";
constexpr std::string_view kBoldCyan = "\033[36;1m";
constexpr std::string_view kWarning = "\033[0;33mWARNING: ";
constexpr std::string_view kError = "\033[31;1mERROR: ";

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// common/buildlogger/internal/tokensanitizer/token_masker.go alphabet: from 16.1 also '.' and '='
// (routable tokens); kexsim's 13.12 keeps the older set.
bool is_token_char(char c, Profile p) {
  return is_token_char(c) || (token_alphabet_has_dot_and_equals(p) && (c == '.' || c == '='));
}

}  // namespace

JobTrace::JobTrace(Clock& clock, Profile profile, bool sections, std::vector<std::string> masked_values,
                   std::vector<std::string> token_prefixes, bool timestamps, bool improved_url_masking)
    : clock_(clock),
      profile_(profile),
      sections_(sections),
      timestamps_(timestamps),
      masks_urls_(masks_url_params_always(profile) || improved_url_masking) {
  // Stream ids and types: common/buildlogger/build_logger.go (StreamExecutorLevel,
  // StreamWorkLevel); the pod wait writes to (0, Stderr), exec output to (1, Stdout/Stderr)
  // (executors/kubernetes/kubernetes.go getExecutorIoWriters).
  streams_.emplace_back(clock, TraceStream{0, 'O'});
  streams_.emplace_back(clock, TraceStream{0, 'E'});
  streams_.emplace_back(clock, TraceStream{1, 'O'});
  streams_.emplace_back(clock, TraceStream{1, 'E'});
  streams_.emplace_back(clock, TraceStream{15, 'O'});  // common/buildlogger StreamStartingServiceLevel
  for (auto& v : masked_values) {
    if (!v.empty()) masked_values_.push_back(std::move(v));
  }
  // Longest first, so that a secret containing another is masked whole.
  std::stable_sort(masked_values_.begin(), masked_values_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  token_prefixes_.push_back("glpat-");
  for (auto& p : token_prefixes) {
    if (!p.empty() && std::find(token_prefixes_.begin(), token_prefixes_.end(), p) == token_prefixes_.end()) {
      token_prefixes_.push_back(std::move(p));
    }
  }
}

void JobTrace::println(std::string_view text) { line(kClear, text); }
void JobTrace::info(std::string_view text) { line(kBoldGreen, text); }
void JobTrace::warning(std::string_view text) { line(kWarning, text); }
void JobTrace::error(std::string_view text) { line(kError, text); }

void JobTrace::stage_header(std::string_view description) {
  std::string text(kBoldCyan);
  text += description;
  text += kReset;
  println(text);
}

void JobTrace::section_start(std::string_view name) { section("section_start:", name); }
void JobTrace::section_end(std::string_view name) { section("section_end:", name); }

void JobTrace::raw(int channel, std::string_view bytes) { write(channel == 2 ? kWorkErr : kWorkOut, bytes, false); }

void JobTrace::service_output(std::string_view bytes) {
  release_held();
  write(kServiceOut, bytes, true);
}

void JobTrace::waiting_line(std::string_view text) {
  std::string out(text);
  out += '\n';
  release_held();
  write(kRunnerErr, out, true);
}

void JobTrace::flush() {
  for (size_t i = 0; i < kStreamCount; ++i) write(static_cast<StreamIndex>(i), {}, true);
  // The exec writers are closed after each exec; the runner's own stay open.
  for (const StreamIndex i : {kWorkOut, kWorkErr}) {
    if (!timestamps_) continue;
    scratch_.clear();
    streams_[i].timestamper.close(scratch_);
    commit(scratch_);
  }
}

void JobTrace::emit(Stream& stream, std::string_view masked) {
  if (masked.empty()) return;
  if (timestamps_) {
    scratch_.clear();
    stream.timestamper.write(masked, scratch_);
    commit(scratch_);
  } else {
    commit(masked);
  }
}

void JobTrace::commit(std::string_view bytes) {
  // helpers/trace/buffer.go limitWriter: below the masker and the timestamps, so the limit counts
  // what GitLab receives; its notice counts too, and then nothing more is written.
  if (limit_exceeded_ || bytes.empty()) return;
  const size_t capacity = limit_ > committed_.size() ? limit_ - committed_.size() : 0;
  if (bytes.size() < capacity) {
    committed_ += bytes;
    return;
  }
  size_t cut = capacity;
  if (output_limit_keeps_utf8_whole(profile_)) {
    // 14.2+ truncateSafeUTF8: up to 3 bytes back, so that a multi-byte character is not split.
    const auto continuation = [](unsigned char c) { return (c & 0xC0) == 0x80; };
    const auto lead_len = [](unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; };
    for (size_t back = 0; back < 4 && cut > 0; ++back) {
      size_t start = cut - 1;
      while (start > 0 && cut - start < 4 && continuation(static_cast<unsigned char>(bytes[start]))) --start;
      const auto lead = static_cast<unsigned char>(bytes[start]);
      const bool complete = lead < 0x80 || (!continuation(lead) && lead_len(lead) == static_cast<int>(cut - start));
      if (complete) break;
      --cut;  // utf8.DecodeLastRune saw RuneError of size 1
    }
  }
  committed_ += bytes.substr(0, cut);
  // helpers/trace/buffer.go limitWriter.writeLimitExceededMessage: "\n%sJob's log exceeded limit of %v bytes.\n"
  // "Job execution will continue but no more output will be collected.%s\n".
  committed_ += "\n\033[33;1mJob's log exceeded limit of " + std::to_string(limit_) +
                " bytes.\nJob execution will continue but no more output will be collected.\033[0;m\n";
  limit_exceeded_ = true;
}

void JobTrace::line(std::string_view prefix, std::string_view text) {
  std::string out(prefix);
  // GitLab Runner 13.x reset colours after the newline; later releases before it. Without the
  // whole-trace sanitizer, sendLog scrubs the line first (common/build_logger.go; 13.12 with its
  // newline, which a scrubbed value at the end swallows).
  if (!reset_before_newline(profile_)) {
    std::string body(text);
    body += '\n';
    out += masks_urls_ ? body : scrub_url_secrets(profile_, body);
    out += kReset;
  } else {
    out += masks_urls_ ? std::string(text) : scrub_url_secrets(profile_, text);
    out += kReset;
    out += '\n';
  }
  release_held();
  write(kRunnerOut, out, true);
}

void JobTrace::release_held() {
  // A runner line never overtakes a held-back tail of container output: the exec that wrote it has
  // ended or paused, so the tail is released first and bytes keep their arrival order.
  write(kWorkOut, {}, true);
  write(kWorkErr, {}, true);
}

void JobTrace::section(std::string_view kind, std::string_view name) {
  if (!sections_) return;
  std::string out(kind);
  out += std::to_string(unix_seconds(clock_.now()));
  out += ':';
  out += name;
  out += '\r';
  out += kClear;
  release_held();
  write(kRunnerOut, out, true);
}

bool JobTrace::could_start_secret(std::string_view rest) const {
  for (const auto& s : masked_values_) {
    if (rest.size() < s.size() && starts_with(s, rest)) return true;
  }
  // A prefix, or the start of one, may go on in the next write. A token's body is not held: it is
  // masked as it streams (write() swallows the rest), as upstream's tokensanitizer does.
  for (const auto& p : token_prefixes_) {
    if (rest.size() <= p.size() && starts_with(p, rest)) return true;
  }
  return false;
}

size_t JobTrace::secret_length_at(std::string_view rest) const {
  for (const auto& s : masked_values_) {
    if (starts_with(rest, s)) return s.size();
  }
  return 0;
}

void JobTrace::write(StreamIndex index, std::string_view bytes, bool final) {
  Stream& stream = streams_[index];
  // A final write closes the URL sanitizer too: kexsim's streams end or pause there (see release_held).
  const bool urls_first = masks_urls_ && !masks_url_params_after_phrases(profile_);
  std::string sanitized;
  if (urls_first) {
    stream.urls.write(bytes, sanitized);
    if (final) stream.urls.close(sanitized);
    bytes = sanitized;
  }
  stream.pending += bytes;
  const std::string_view buf = stream.pending;
  std::string out;
  size_t i = 0;
  while (i < buf.size()) {
    if (stream.swallowing) {
      // The body of a token already masked in an earlier write.
      if (is_token_char(buf[i], profile_)) {
        ++i;
        continue;
      }
      stream.swallowing = false;
    }
    const std::string_view rest = buf.substr(i);
    if (!final && could_start_secret(rest)) break;
    if (const size_t n = secret_length_at(rest)) {
      out += kMaskedText;
      i += n;
      continue;
    }
    bool masked_token = false;
    for (const auto& p : token_prefixes_) {
      if (!starts_with(rest, p)) continue;
      size_t end = p.size();
      while (end < rest.size() && is_token_char(rest[end], profile_)) ++end;
      if (end == p.size()) continue;  // a prefix alone is not a token
      out += p;
      out += kMaskedText;
      i += end;
      stream.swallowing = end == rest.size() && !final;  // the body may go on in the next write
      masked_token = true;
      break;
    }
    if (!masked_token) out += buf[i++];
  }
  stream.pending.erase(0, i);
  if (final) stream.swallowing = false;  // the writer is closed (end of an exec's output)
  if (masks_urls_ && !urls_first) {
    // 16.11+: phrases first, then URL parameters; kexsim masks token bodies in the same pass as
    // phrases, which gives the same bytes (a token cannot hold '?', '&' or span a parameter's end).
    std::string after;
    stream.urls.write(out, after);
    if (final) stream.urls.close(after);
    out = std::move(after);
  }
  emit(stream, out);
}

std::vector<std::string> default_token_prefixes(Profile p) {
  if (!masks_default_tokens(p)) return {};
  // common/buildlogger/internal/tokensanitizer/token_masker.go DefaultTokenPrefixes (allTokenPrefixes);
  // "glpat-" is always masked (the constructor adds it).
  std::vector<std::string> out = {"gloas-", "gldt-", "glrt-", "glcbt-"};
  if (masks_runner_registration_token_prefix(p)) out.push_back("glrtr-");
  for (const char* prefix :
       {"glptt-", "glft-", "glimt-", "glagent-", "glsoat-", "glffct-", "_gitlab_session=", "gltok-"})
    out.push_back(prefix);
  return out;
}

}  // namespace kexsim::executor

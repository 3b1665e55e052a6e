#include "executor/url_sanitizer.h"

#include <array>

#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// urlsanitizer.go tokenParamKeys (the same six from 15.4 to 19.4; 15.0–15.3 helpers/trace/mask.go
// sensitiveURLTokens had them too).
constexpr std::array<std::string_view, 6> kParamKeys = {"private_token",    "authenticity_token", "rss_token",
                                                        "x-amz-signature",  "x-amz-credential",   "x-amz-security-token"};

// urlsanitizer.go New: cap(match) = len("x-amz-security-token") + 1, the separator included.
constexpr size_t kMatchCap = 21;

// strings.ToLower(key) == a key: ASCII folds, and so do the two runes Go lowercases to ASCII
// (U+212A KELVIN SIGN to 'k', U+0130 to 'i'); any other non-ASCII byte cannot match.
bool is_param_key(std::string_view key) {
  std::string lower;
  for (size_t i = 0; i < key.size();) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x80) {
      lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
    } else if (key.substr(i, 3) == "\xE2\x84\xAA") {
      lower += 'k';
      i += 3;
    } else if (key.substr(i, 2) == "\xC4\xB0") {
      lower += 'i';
      i += 2;
    } else {
      return false;
    }
  }
  for (const auto k : kParamKeys) {
    if (lower == k) return true;
  }
  return false;
}

// urlsanitizer.go isParamEnd through bytes.IndexFunc: '?', '&', unicode.IsSpace or IsControl. The
// non-ASCII ones are U+0080–U+00A0 (C1 controls, NEL, NBSP) and Unicode's other spaces; each is a
// whole valid UTF-8 sequence in this write (a rune split across writes decodes as RuneError upstream).
size_t param_end_length(std::string_view s) {
  const auto b = [&](size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  const unsigned c = b(0);
  if (c == '?' || c == '&' || c == ' ' || c <= 0x1F || c == 0x7F) return 1;
  if (c == 0xC2 && b(1) >= 0x80 && b(1) <= 0xA0) return 2;
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
    return 3;                                                 // U+2000–U+200A, U+2028, U+2029, U+202F
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  return 0;
}

size_t index_param_end(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (param_end_length(s.substr(i)) != 0) return i;
  }
  return std::string_view::npos;
}

// Go's (?i) literal match at s: letters match either case, and 'k'/'s' also U+212A and U+017F (the
// simple case-folding orbits). Returns the bytes matched, 0 for no match.
size_t fold_match(std::string_view s, std::string_view literal) {
  size_t at = 0;
  for (const char l : literal) {
    const std::string_view rest = s.substr(at);
    if (rest.empty()) return 0;
    const char c = rest[0];
    const bool letter = l >= 'a' && l <= 'z';
    if (c == l || (letter && c == l - 'a' + 'A')) {
      ++at;
    } else if (l == 'k' && rest.substr(0, 3) == "\xE2\x84\xAA") {
      at += 3;
    } else if (l == 's' && rest.substr(0, 2) == "\xC5\xBF") {
      at += 2;
    } else {
      return 0;
    }
  }
  return at;
}

// The length of scrub_secrets.go's group 1 at s (then '=' follows), 0 for no match.
size_t scrub_key_length(Profile p, std::string_view s) {
  if (!s.empty() && (s[0] == '?' || s[0] == '&')) {
    for (const std::string_view word : {"private", "authenticity", "rss"}) {
      const size_t w = fold_match(s.substr(1), word);
      if (w == 0) continue;
      const size_t sep = 1 + w;
      if (sep >= s.size() || (s[sep] != '-' && s[sep] != '_')) continue;
      if (const size_t t = fold_match(s.substr(sep + 1), "token")) return sep + 1 + t;
    }
    return 0;
  }
  for (const std::string_view key : {"x-amz-signature", "x-amz-credential", "x-amz-security-token"}) {
    if (key == "x-amz-security-token" && !scrubs_amz_security_token(p)) continue;
    if (const size_t n = fold_match(s, key)) return n;
  }
  return 0;
}

}  // namespace

void UrlSanitizer::write(std::string_view p, std::string& out) {
  // A line-for-line port of URLSanitizer.Write: bytes before and after a value pass through at once,
  // only the key is remembered across writes.
  size_t n = 0;
  size_t last = 0;
  while (n < p.size()) {
    if (masking_) {
      const size_t off = index_param_end(p.substr(n));
      if (off == std::string_view::npos) {
        n = p.size();
        last = n;
        break;
      }
      n += off;
      last = n;
      masking_ = false;
      out += kMaskedText;
    }
    if (match_.size() == kMatchCap) match_.clear();
    if (match_.empty()) {
      const size_t sep = p.find_first_of("?&", n);
      if (sep == std::string_view::npos) {
        n = p.size();
        break;
      }
      match_ += p[sep];
      n = sep + 1;
    }
    if (n >= p.size()) break;
    const size_t end = p.find_first_of("=?&", n);
    if (end == std::string_view::npos) {
      match_ += p[n++];
      continue;
    }
    if (p[end] == '?' || p[end] == '&') {
      match_.clear();
      n = end;
      continue;
    }
    if (end - n + match_.size() > kMatchCap) {
      match_.clear();
      ++n;
      continue;
    }
    match_ += p.substr(n, end - n);
    n = end + 1;
    if (is_param_key(std::string_view(match_).substr(1))) {
      out += p.substr(last, n - last);
      last = n;
      masking_ = true;
    }
    match_.clear();
  }
  if (n > last) out += p.substr(last, n - last);
}

void UrlSanitizer::close(std::string& out) {
  if (masking_) out += kMaskedText;
  masking_ = false;
  match_.clear();
}

std::string scrub_url_secrets(Profile p, std::string_view line) {
  // regexp `(?im)([\?&]((?:private|authenticity|rss)[\-_]token)|X-AMZ-Signature|X-AMZ-Credential
  // |X-AMZ-Security-Token)=[^& ]*` replaced by "$1=[FILTERED]", leftmost first. The value class
  // matches a newline too (Go's ClassNL), so 13.12's line, scrubbed with its "\n", loses it.
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    const size_t key = scrub_key_length(p, line.substr(i));
    if (key == 0 || i + key >= line.size() || line[i + key] != '=') {
      out += line[i++];
      continue;
    }
    out += line.substr(i, key);
    out += "=[FILTERED]";
    i += key + 1;
    while (i < line.size() && line[i] != '&' && line[i] != ' ') ++i;
  }
  return out;
}

bool improved_url_masking(Profile p, const std::map<std::string, bool>& config_flags) {
  // config.IsFeatureFlagOn(featureflags.UseImprovedURLMasking): "can only be configured via Runner's
  // config and not from a job" (helpers/featureflags/flags.go).
  const auto no_job_variable = [](std::string_view) -> const std::string* { return nullptr; };
  return resolve_feature_flags(p, config_flags, no_job_variable).on("FF_USE_IMPROVED_URL_MASKING");
}

}  // namespace kexsim::executor

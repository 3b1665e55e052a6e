#include "fakes/gitlab/log_view.h"

namespace kexsim::fakes {
namespace {

// GitLab's rules, as its job page applies them to the raw trace:
//  - FF_TIMESTAMPS header (gitlab-runner common/buildlogger/internal/timestamper/timestamper.go;
//    recognised by gitlab app/assets/javascripts/ci/job_log_viewer/lib/scanner.js,
//    RUNNER_LOG_LINE_HEADER_REGEX):
//    "YYYY-MM-DDTHH:MM:SS.ffffffZ " + 2 lowercase hex digits (stream id) + 'O'|'E' (stream type) +
//    ' ' (a new line) | '+' (continues the previous line). Whether a log is timestamped is decided
//    once, on its first line: runners prefix every line or none. The timestamper ends a write that
//    holds a "\r" but no "\n" with a "\n" of its own and marks the next line '+', so the bytes
//    before that "\n" and after the next header are one line on the page.
//  - Section markers (gitlab lib/gitlab/regex.rb build_trace_section_regex):
//    section_(start|end):<digits>:<[a-zA-Z0-9_.-]+>, optional options "[k=v,k=v]" (\w+=\w+,
//    separated by "," and an optional space), then the mandatory "\r\033[0K". Anything else, e.g. a
//    script echoing "section_start:1:x", is ordinary text.
//  - ANSI escapes (ECMA-48, as lib/gitlab/ci/ansi2json/converter.rb and scanner.js parse them): CSI is
//    ESC '[' + parameter bytes 0x30-0x3f + intermediate bytes 0x20-0x2f + one final byte 0x40-0x7e.
//  - "\r" (scanner.js addLineContent): the page keeps the text after the last "\r" (an empty rest
//    does not count), so "a 50%\ra 100%" shows "a 100%" and "abc\r\n" shows "abc". Where an escape
//    sits between the "\r" and the text ("50%\r\033[0K100%") the text still replaces the line, as
//    on a terminal.
//  - A line that held only section markers is not a line of the page (scanner.js yields no line).

constexpr size_t kHeaderLength = 32;  // 27 (timestamp) + 1 (space) + 2 (stream id) + 1 + 1

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool in_range(char c, int lo, int hi) {
  const int u = static_cast<unsigned char>(c);
  return u >= lo && u <= hi;
}

/// True when line starts with an FF_TIMESTAMPS header.
bool has_timestamp_header(std::string_view line) {
  // d: digit, x: lowercase hex digit, S: stream type, L: line type; anything else is literal.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ xxSL";
  static_assert(kShape.size() == kHeaderLength);
  if (line.size() < kHeaderLength) return false;
  for (size_t i = 0; i < kHeaderLength; ++i) {
    const char c = line[i];
    bool ok = false;
    switch (kShape[i]) {
      case 'd': ok = is_digit(c); break;
      case 'x': ok = is_digit(c) || (c >= 'a' && c <= 'f'); break;
      case 'S': ok = c == 'O' || c == 'E'; break;
      case 'L': ok = c == ' ' || c == '+'; break;
      default: ok = c == kShape[i];
    }
    if (!ok) return false;
  }
  return true;
}

/// Length of the section marker s starts with, or 0 when s does not start with one.
size_t section_marker_length(std::string_view s) {
  size_t p = 0;
  if (s.starts_with("section_start:"))
    p = 14;
  else if (s.starts_with("section_end:"))
    p = 12;
  else
    return 0;
  const size_t digits = p;
  while (p < s.size() && is_digit(s[p])) ++p;
  if (p == digits || p >= s.size() || s[p] != ':') return 0;
  const size_t name = ++p;
  while (p < s.size() && (is_word(s[p]) || s[p] == '.' || s[p] == '-')) ++p;
  if (p == name) return 0;
  if (p < s.size() && s[p] == '[') {
    ++p;
    for (bool first = true;; first = false) {
      if (!first) {
        if (p < s.size() && s[p] == ']') break;
        if (p >= s.size() || s[p] != ',') return 0;
        ++p;
        if (p < s.size() && s[p] == ' ') ++p;
      }
      const size_t key = p;
      while (p < s.size() && is_word(s[p])) ++p;
      if (p == key || p >= s.size() || s[p] != '=') return 0;
      const size_t value = ++p;
      while (p < s.size() && is_word(s[p])) ++p;
      if (p == value) return 0;
    }
    ++p;  // ']'
  }
  constexpr std::string_view kSuffix = "\r\033[0K";
  if (s.substr(p).starts_with(kSuffix)) return p + kSuffix.size();
  return 0;
}

/// Length of the escape sequence s starts with (s[0] is ESC); an unterminated one runs to the end.
size_t escape_length(std::string_view s) {
  if (s.size() < 2) return s.size();
  const char kind = s[1];
  size_t p = 2;
  if (kind == '[') {  // CSI
    while (p < s.size() && in_range(s[p], 0x30, 0x3f)) ++p;
    while (p < s.size() && in_range(s[p], 0x20, 0x2f)) ++p;
    if (p < s.size() && in_range(s[p], 0x40, 0x7e)) ++p;
    return p;
  }
  if (kind == ']' || kind == 'P' || kind == '_' || kind == '^') {  // OSC, DCS, APC, PM: up to BEL or ST
    for (; p < s.size(); ++p) {
      if (s[p] == '\a') return p + 1;
      if (s[p] == '\033' && p + 1 < s.size() && s[p + 1] == '\\') return p + 2;
    }
    return s.size();
  }
  if (in_range(kind, 0x20, 0x2f)) {  // nF, e.g. ESC ( B
    while (p < s.size() && in_range(s[p], 0x20, 0x2f)) ++p;
    if (p < s.size() && in_range(s[p], 0x30, 0x7e)) ++p;
    return p;
  }
  if (in_range(kind, 0x30, 0x7e)) return 2;  // Fp, Fe, Fs: ESC 7, ESC M, ESC c
  return 1;                                  // a lone ESC
}

/// One line of the page, in both views.
struct ViewLine {
  std::string plain;
  std::string terminal;
  bool terminated = false;  ///< a "\n" ended it in the trace
  bool had_marker = false;
};

/// The page's lines: timestamp headers removed, continuations joined, markers and (for the plain
/// view) escapes and "\r" overwrites applied; lines that held only markers are left out.
std::vector<ViewLine> view_lines(std::string_view raw) {
  // Physical lines joined into the lines of the page.
  struct Joined {
    std::string bytes;
    bool terminated = false;
  };
  std::vector<Joined> joined;
  bool timestamped = false;
  size_t start = 0;
  while (start < raw.size()) {
    const size_t nl = raw.find('\n', start);
    const bool terminated = nl != std::string_view::npos;
    std::string_view line = raw.substr(start, terminated ? nl - start : std::string_view::npos);
    start = terminated ? nl + 1 : raw.size();
    if (joined.empty()) timestamped = has_timestamp_header(line);
    bool continuation = false;
    if (timestamped && has_timestamp_header(line)) {
      continuation = line[kHeaderLength - 1] == '+';
      line.remove_prefix(kHeaderLength);
    }
    if (continuation && !joined.empty()) {
      joined.back().bytes.append(line);
      joined.back().terminated = terminated;
    } else {
      joined.push_back({std::string(line), terminated});
    }
  }

  std::vector<ViewLine> out;
  out.reserve(joined.size());
  for (const auto& j : joined) {
    ViewLine v;
    v.terminated = j.terminated;
    const std::string_view s = j.bytes;
    bool after_cr = false;
    size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == 's') {
        if (const size_t n = section_marker_length(s.substr(i))) {
          v.had_marker = true;
          i += n;
          continue;
        }
      }
      if (c == '\033') {
        const size_t n = escape_length(s.substr(i));
        v.terminal.append(s.substr(i, n));
        i += n;
        continue;
      }
      v.terminal += c;
      ++i;
      if (c == '\r') {
        after_cr = true;
        continue;
      }
      if (after_cr) v.plain.clear();
      after_cr = false;
      v.plain += c;
    }
    if (v.had_marker && v.plain.empty() && v.terminated) continue;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::string render_log_plain(std::string_view raw) {
  std::string out;
  for (const auto& v : view_lines(raw)) {
    out += v.plain;
    if (v.terminated) out += '\n';
  }
  return out;
}

std::string render_log_terminal(std::string_view raw) {
  std::string out;
  for (const auto& v : view_lines(raw)) {
    out += v.terminal;
    if (v.terminated) out += '\n';
  }
  return out;
}

std::vector<std::string> log_lines(std::string_view raw) {
  std::vector<std::string> lines;
  for (auto& v : view_lines(raw))
    if (v.terminated || !v.plain.empty()) lines.push_back(std::move(v.plain));
  return lines;
}

}  // namespace kexsim::fakes

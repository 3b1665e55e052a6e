#include "fakes/runtime/escapes.h"

#include <cctype>

namespace kexsim::fakes::shell {
namespace {

int octal_digit(char c) { return c >= '0' && c <= '7' ? c - '0' : -1; }

int hex_digit(char c) {
  if (std::isdigit(static_cast<unsigned char>(c))) return c - '0';
  const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// The one-letter escapes all dialects share, or 0.
char simple_escape(char e) {
  switch (e) {
    case '\\': return '\\';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'e':
    case 'E': return '\033';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return 0;
  }
}

}  // namespace

size_t unescape_one(std::string_view in, std::string& out, EscapeDialect dialect, bool& stopped) {
  stopped = false;
  if (in.size() < 2 || in[0] != '\\') {
    if (!in.empty()) out.push_back(in[0]);
    return in.empty() ? 0 : 1;
  }
  const char e = in[1];
  if (const char c = simple_escape(e)) {
    out.push_back(c);
    return 2;
  }
  if (e == '"' && dialect != EscapeDialect::kEcho) {
    out.push_back('"');
    return 2;
  }
  if ((e == '\'' || e == '?') && dialect == EscapeDialect::kAnsiC) {
    out.push_back(e);
    return 2;
  }
  if (e == 'c' && dialect == EscapeDialect::kEcho) {
    stopped = true;
    return 2;
  }
  size_t end = 2;
  if (e == 'x') {
    int value = 0;
    while (end < 4 && end < in.size() && hex_digit(in[end]) >= 0) value = value * 16 + hex_digit(in[end++]);
    if (end == 2)
      out += "\\x";
    else
      out.push_back(static_cast<char>(value));
    return end;
  }
  if (octal_digit(e) < 0) {
    out.push_back('\\');
    out.push_back(e);
    return 2;
  }
  // Up to three octal digits; for echo -e and %b a leading \0 does not count (\0NNN).
  const size_t last = dialect == EscapeDialect::kEcho && e == '0' ? 5 : 4;
  int value = octal_digit(e);
  while (end < last && end < in.size() && octal_digit(in[end]) >= 0) value = value * 8 + octal_digit(in[end++]);
  out.push_back(static_cast<char>(value & 0xff));
  return end;
}

bool unescape_backslash(std::string_view in, std::string& out, EscapeDialect dialect) {
  for (size_t i = 0; i < in.size();) {
    const size_t backslash = in.find('\\', i);
    out.append(in.substr(i, backslash == std::string_view::npos ? std::string_view::npos : backslash - i));
    if (backslash == std::string_view::npos) break;
    bool stopped = false;
    i = backslash + unescape_one(in.substr(backslash), out, dialect, stopped);
    if (stopped) return false;
  }
  return true;
}

}  // namespace kexsim::fakes::shell

#include "fakes/runtime/xtrace.h"

namespace kexsim::fakes::shell {
namespace {

// lib/sh/shquote.c sh_contains_shell_metas.
bool has_shell_metas(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (std::string_view(" \t\n'\"\\|&;()<>!{}*[?]^$`").find(c) != std::string_view::npos) return true;
    if (c == '~' && (i == 0 || s[i - 1] == '=' || s[i - 1] == ':')) return true;  // tilde expansion
    if (c == '#' && i == 0) return true;                                          // a comment
  }
  return false;
}

// sh_single_quote: 'it'\''s'.
std::string single_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string prefix(int level) { return std::string(static_cast<size_t>(level < 1 ? 1 : level), '+') + " "; }

}  // namespace

std::string xtrace_word(std::string_view word) {
  if (word.empty()) return "''";
  return has_shell_metas(word) ? single_quote(word) : std::string(word);
}

std::string xtrace_command(int level, const std::vector<std::string>& words) {
  std::string out = prefix(level);
  for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + xtrace_word(words[i]);
  return out + "\n";
}

std::string xtrace_assignment(int level, std::string_view name, std::string_view value) {
  // print_cmd.c xtrace_print_assignment: an empty value prints nothing after the '='.
  return prefix(level) + std::string(name) + "=" + (value.empty() ? std::string() : xtrace_word(value)) + "\n";
}

}  // namespace kexsim::fakes::shell

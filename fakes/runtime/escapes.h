#pragma once
// Backslash escapes as the shell model's readers decode them: a printf format, echo -e and printf's
// %b, and bash's $'...' quoting. One decoder; the dialects differ only in a few escapes.

#include <string>
#include <string_view>

namespace kexsim::fakes::shell {

/// Whose rules apply to the escapes.
enum class EscapeDialect {
  kPrintfFormat,  ///< a printf FORMAT: \NNN is 1-3 octal digits, \" is ", \c stays as is
  kEcho,          ///< echo -e and %b: \0NNN as well as \NNN, \c ends all output, \" stays as is
  kAnsiC,         ///< $'...': a printf format's rules, plus \' and \? for the bare characters
};

/// Decodes the one escape at the start of in (in[0] is its backslash) onto out and returns how many
/// bytes it took; a lone backslash is kept. stopped is set when it was an echo-dialect \c.
size_t unescape_one(std::string_view in, std::string& out, EscapeDialect dialect, bool& stopped);

/// Appends in to out with its backslash escapes decoded; unknown escapes and a trailing backslash
/// are kept. Returns false when an echo-dialect \c ended the output (out holds what came before).
bool unescape_backslash(std::string_view in, std::string& out, EscapeDialect dialect);

}  // namespace kexsim::fakes::shell

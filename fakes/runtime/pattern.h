#pragma once
// Shell pattern matching, as `case` and ${VAR#pattern} use it.

#include <string>
#include <string_view>

namespace kexsim::fakes::shell {

/// Whether all of text matches pattern (* ? [...] [!...]; a backslash makes the next character literal).
bool pattern_match(std::string_view pattern, std::string_view text);

/// text with pattern characters escaped, so that it matches only itself.
std::string pattern_quote(std::string_view text);

}  // namespace kexsim::fakes::shell

#pragma once
// `set -o xtrace` as bash 5.2 prints it (print_cmd.c xtrace_print_word_list): PS4's "+" once per
// level of command substitution, a space, then each word, single-quoted when it holds a shell
// metacharacter (lib/sh/shquote.c sh_contains_shell_metas).

#include <string>
#include <string_view>
#include <vector>

namespace kexsim::fakes::shell {

/// One word as bash's trace shows it: '' when empty, 'quoted' with shell metacharacters, else as is.
std::string xtrace_word(std::string_view word);

/// The trace line of a simple command's expanded words, with its newline ("+ echo hi\n").
std::string xtrace_command(int level, const std::vector<std::string>& words);

/// The trace line of an assignment ("+ NAME='a b'\n"): bash prints one for each NAME=value too that
/// export, readonly and local take.
std::string xtrace_assignment(int level, std::string_view name, std::string_view value);

}  // namespace kexsim::fakes::shell

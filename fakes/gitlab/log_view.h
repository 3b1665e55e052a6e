#pragma once
// The fake GitLab's own view of a job log: the trace bytes it received, shown the way GitLab's job
// page shows them. Scenario expectations and the CLI read the log through this view, so the
// executor's output is judged by code that is not the executor's.

#include <string>
#include <string_view>
#include <vector>

namespace kexsim::fakes {

/// The log as GitLab's job page shows it without colours: FF_TIMESTAMPS line prefixes removed
/// ("+" continuations joined to their line), section markers removed (lines that held only
/// markers vanish), ANSI escape sequences removed, "\r\n" read as a newline and a lone "\r"
/// letting the text after it replace the line. Lines end in "\n" except an unterminated last one.
std::string render_log_plain(std::string_view raw);

/// The log for a colour terminal: timestamp prefixes and section markers removed (with the lines
/// that held only markers), everything else (ANSI colours, "\r") kept for the terminal to apply.
std::string render_log_terminal(std::string_view raw);

/// The plain view split into lines, without their "\n"; an empty trace has no lines.
std::vector<std::string> log_lines(std::string_view raw);

}  // namespace kexsim::fakes

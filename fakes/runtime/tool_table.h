#pragma once
// The shell model's command table: which implementation a command name runs, and how the name
// binds. Apart from tools.h so that a Session can carry its table without knowing the tools.

#include <map>
#include <string>

namespace kexsim::fakes::shell {

struct ToolContext;

/// A command implementation; returns its exit status.
using Tool = int (*)(ToolContext&);

/// How a name binds, as in POSIX: special built-ins beat functions, functions beat the rest, and a
/// scenario-defined command beats a tool model (so scenarios can override, e.g., curl).
enum class ToolTier { kSpecial, kBuiltin, kModel };

/// One entry of the command table.
struct ToolEntry {
  Tool run = nullptr;
  ToolTier tier = ToolTier::kModel;
};

/// Command name -> implementation.
using ToolTable = std::map<std::string, ToolEntry>;

/// Every built-in and tool model the shell model has (built once, never changed; tools.cc).
const ToolTable& default_tools();

}  // namespace kexsim::fakes::shell

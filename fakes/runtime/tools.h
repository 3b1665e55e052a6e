#pragma once
// The commands the shell model knows: shell built-ins (echo, cd, export, test ...) and models of
// the tools stage scripts call (git, curl, cat, mkdir ...). Each takes 0 virtual time unless its
// model says otherwise (sleep, git, curl).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/runtime/shell_state.h"
#include "fakes/runtime/tool_table.h"

namespace kexsim::fakes::shell {

/// What a command sees while it runs: its arguments, standard streams, its shell and the world.
struct ToolContext {
  Session& session;
  ShellEnv& env;
  const Io& io;
  std::vector<std::string> args;  ///< args[0] is the command name as called

  /// Writes to the command's standard output at the current virtual time.
  void out(std::string_view text) const { session.write(io.out, text); }
  /// Writes to the command's standard error at the current virtual time.
  void err(std::string_view text) const { session.write(io.err, text); }
  /// A path argument made absolute against the shell's working directory.
  std::string path(const std::string& p) const { return FileSystem::resolve(env.cwd, p); }
};

/// Registers cd, export, unset, set, exit, shift, trap, read, return, break, continue, local (builtins.cc).
void add_shell_builtins(ToolTable& table);
/// Registers echo, printf, cat, tee, grep, head, tail, wc (text_tools.cc).
void add_text_tools(ToolTable& table);
/// Registers test and [ (test_tool.cc).
void add_test_tool(ToolTable& table);
/// Registers mkdir, rm, chmod, touch, ls, cp, mv, pwd (file_tools.cc).
void add_file_tools(ToolTable& table);
/// Registers curl, wget, getent, nslookup (net_tools.cc).
void add_net_tools(ToolTable& table);
/// Registers git (git_tool.cc).
void add_git_tool(ToolTable& table);
/// Registers gitlab-runner-helper (read-logs; read_logs.cc).
void add_helper_tool(ToolTable& table);
/// Registers docker, the CLI against a docker:dind service (docker_tool.cc).
void add_docker_tool(ToolTable& table);

/// Parses a duration as sleep takes it ("1", "0.5", "2m", "1h"); false when malformed.
bool parse_sleep_seconds(const std::string& text, Duration& out);

}  // namespace kexsim::fakes::shell

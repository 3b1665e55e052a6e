#pragma once
// Runs parsed shell commands against the model: expansions, redirections, pipelines, control flow,
// set -e, subshells, functions, and dispatch to built-ins, tool models and scenario commands.

#include <string>
#include <string_view>
#include <vector>

#include "fakes/runtime/shell_ast.h"
#include "fakes/runtime/shell_state.h"

namespace kexsim::fakes::shell {

/// One shell (or subshell) executing in a Session.
class Interpreter {
 public:
  Interpreter(Session& session, ShellEnv& env) : session_(session), env_(env) {}

  /// Parses and runs script text one complete command at a time; returns the final status.
  int run_script(std::string_view script, const Io& io);
  /// Runs the EXIT trap (if one is set) after a script ended with status; returns the final status.
  int finish(int status, const Io& io);

 private:
  /// A piece of an expanded word, before field splitting.
  struct Piece {
    std::string text;
    bool split = false;     ///< unquoted expansion result: split on IFS
    bool quoted = false;    ///< quoted text: keeps an empty field alive, literal in patterns
    bool boundary = false;  ///< "$@": ends the current field
  };

  // Commands (interpreter.cc).
  int execute(const Command& cmd, const Io& io);
  int dispatch(const Command& cmd, const Io& io);
  int run_checked(const Command& cmd, const Io& io);
  int run_sequence(const Command& cmd, const Io& io);
  int run_and_or(const Command& cmd, const Io& io);
  int run_pipeline(const Command& cmd, const Io& io);
  int run_if(const Command& cmd, const Io& io);
  int run_for(const Command& cmd, const Io& io);
  int run_loop(const Command& cmd, const Io& io);
  int run_case(const Command& cmd, const Io& io);
  int run_simple(const Command& cmd, const Io& io);
  int run_background(const Command& cmd, const Io& io);
  int run_condition(const Command& cmd, const Io& io);
  bool loop_should_stop();
  int run_subshell(const Command& body, const Io& io);
  bool apply_redirects(const std::vector<Redirect>& redirects, Io& io);

  // Command dispatch (dispatch.cc).
  int run_command(const std::vector<std::string>& args, const std::vector<Word>& assignments, const Io& io);
  int run_function(const Command& fn, const std::vector<std::string>& args, const Io& io);
  int run_external(const std::vector<std::string>& args, const Io& io);
  int run_script_file(const std::string& text, const std::string& name, const std::vector<std::string>& args,
                      const Io& io);
  bool run_shell_level_builtin(const std::vector<std::string>& args, const Io& io, int& status);
  int builtin_eval(const std::vector<std::string>& args, const Io& io);
  int builtin_source(const std::vector<std::string>& args, const Io& io);
  int builtin_exec(const std::vector<std::string>& args, const Io& io);
  int builtin_command(const std::vector<std::string>& args, const Io& io);
  int builtin_sh(const std::vector<std::string>& args, const Io& io);
  int builtin_env(const std::vector<std::string>& args, const Io& io);
  int builtin_type(const std::vector<std::string>& args, const Io& io);
  std::string command_path(const std::string& name) const;

  // Expansion (expansion.cc).
  bool expand_fields(const Word& word, const Io& io, std::vector<std::string>& fields);
  bool expand_string(const Word& word, const Io& io, std::string& out);
  bool expand_pattern(const Word& word, const Io& io, std::string& out);
  bool expand_pieces(const std::vector<WordPart>& parts, const Io& io, std::vector<Piece>& out);
  bool expand_param(const WordPart& part, const Io& io, std::vector<Piece>& out);
  bool special_param(const std::string& name, std::string& value, bool& is_set) const;
  std::string command_substitution(const Command& body, const Io& io);
  void expansion_error(const Io& io, const std::string& message);

  Session& session_;
  ShellEnv& env_;
  int errexit_suppressed_ = 0;  ///< >0 inside if/while conditions and non-final && / || operands
  int last_substitution_status_ = -1;
};

}  // namespace kexsim::fakes::shell

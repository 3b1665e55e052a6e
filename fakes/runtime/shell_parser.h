#pragma once
// Parses POSIX shell text (the subset stage scripts and user scripts use) into commands, one
// complete command at a time, as ash does: earlier lines run before a later syntax error is seen.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "fakes/runtime/shell_ast.h"

namespace kexsim::fakes::shell {

/// True for a word written as NAME=value (an assignment when it precedes the command name).
bool is_assignment_word(const std::string& raw);

/// A cursor over shell source that hands out complete commands.
class Parser {
 public:
  explicit Parser(std::string_view source);

  /// The next complete command (up to an unquoted newline, with its here-documents), or nullptr at
  /// the end of the input. Errors read like ash's: "syntax error: unexpected \"fi\"".
  Result<CommandPtr> next();

  /// Parses here-document text: $ expansions and backslash escapes, quotes stay literal.
  static Result<Word> heredoc_word(std::string_view text);

 private:
  struct Token {
    enum class Type { kWord, kNewline, kSemi, kDSemi, kAmp, kAndIf, kOrIf, kPipe, kLParen, kRParen, kRedirect, kEof };
    Type type = Type::kEof;
    Word word;
    Redirect::Op op = Redirect::Op::kOut;
    int fd = 1;
    bool strip_tabs = false;  ///< <<- here-document
    std::string text;
  };
  struct PendingHereDoc {
    std::string delimiter;
    bool strip_tabs = false;
    std::shared_ptr<HereDoc> doc;
  };
  enum class Mode { kUnquoted, kDouble, kParamArg, kParamArgDouble, kHereDoc, kArith };

  // Tokens.
  const Token& peek();
  Token take();
  Token lex();
  void skip_blanks();
  bool lex_operator(Token& tok);
  void read_heredocs();

  // Words.
  Word lex_word();
  void lex_parts(Mode mode, std::vector<WordPart>& parts);
  void lex_dollar(std::vector<WordPart>& parts, bool quoted);
  void lex_dollar_body(std::vector<WordPart>& parts, bool quoted);
  void lex_braced_param(std::vector<WordPart>& parts, bool quoted);
  void lex_backtick(std::vector<WordPart>& parts, bool quoted);
  void lex_ansi_c(std::vector<WordPart>& parts);

  // Grammar.
  CommandPtr parse_list(bool multiline);
  CommandPtr parse_and_or();
  CommandPtr parse_pipeline();
  CommandPtr parse_command();
  CommandPtr parse_simple();
  CommandPtr parse_if();
  CommandPtr parse_for();
  CommandPtr parse_loop(bool until);
  CommandPtr parse_case();
  CommandPtr parse_group();
  CommandPtr parse_subshell();
  bool parse_redirect(const Token& op, std::vector<Redirect>& out);
  void parse_trailing_redirects(Command& cmd);
  bool expect_word(const char* word);
  void skip_newlines();
  bool is_terminator(const Token& tok) const;

  void fail(std::string message);
  void fail_unexpected(const Token& tok, const char* expecting = nullptr);
  bool failed() const { return error_.has_value(); }

  char at(size_t offset = 0) const { return pos_ + offset < src_.size() ? src_[pos_ + offset] : '\0'; }
  bool at_end() const { return pos_ >= src_.size(); }

  std::string_view src_;
  size_t pos_ = 0;
  std::optional<Token> peeked_;
  std::vector<PendingHereDoc> pending_;
  std::optional<std::string> error_;
  int depth_ = 0;  ///< nesting of commands and $ expansions being parsed

  // Deep nesting is never a real script; the limit keeps hostile input from exhausting the stack.
  static constexpr int kMaxDepth = 200;
};

}  // namespace kexsim::fakes::shell

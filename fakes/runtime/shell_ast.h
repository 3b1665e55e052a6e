#pragma once
// The syntax tree of the shell model: words made of quoted and expandable parts, and commands.

#include <memory>
#include <string>
#include <vector>

namespace kexsim::fakes::shell {

struct Word;
struct Command;
using CommandPtr = std::shared_ptr<const Command>;

/// One piece of a word: literal text or something expanded when the command runs.
struct WordPart {
  enum class Kind {
    kLiteral,  ///< text as written (quote characters already removed)
    kParam,    ///< $NAME, ${NAME...}; text is the name
    kCommand,  ///< $(...) or `...`
    kArith,    ///< $((...)); arg holds the expression text
  };
  Kind kind = Kind::kLiteral;
  bool quoted = false;  ///< inside quotes or escaped: never split
  std::string text;
  std::string op;             ///< kParam: "", ":-", "-", ":=", "=", ":+", "+", ":?", "?", "#", "##", "%", "%%", "len"
  std::shared_ptr<Word> arg;  ///< kParam operand, kArith expression
  CommandPtr body;            ///< kCommand
};

/// A shell word as written, e.g. "--depth" or "$HOME/x" or 'a b'.
struct Word {
  std::vector<WordPart> parts;
  std::string raw;  ///< the source text, to recognise reserved words and assignments
};

/// A here-document body, filled in once the parser reaches the end of the line.
struct HereDoc {
  Word body;
  bool expand = true;  ///< false when the delimiter was quoted
};

/// One redirection: `2>&1`, `> file`, `>> file`, `< file`, `<<EOF`, `<<< word`, `&> file`.
struct Redirect {
  enum class Op { kOut, kAppend, kIn, kDupOut, kDupIn, kHereDoc, kHereString, kOutErr, kAppendOutErr };
  Op op = Op::kOut;
  int fd = 1;
  Word target;
  std::shared_ptr<HereDoc> heredoc;
};

/// One `pattern | pattern) body ;;` arm of a case command.
struct CaseItem {
  std::vector<Word> patterns;
  CommandPtr body;  ///< may be null (empty arm)
};

/// A command of any shape; which fields are used depends on kind.
struct Command {
  enum class Kind {
    kSimple,    ///< assignments, words, redirects
    kPipeline,  ///< children joined by |, negated by !
    kAndOr,     ///< children joined by && (and_ops[i] true) or ||
    kSequence,  ///< children run one after another (background[i]: ended by &)
    kSubshell,  ///< ( body )
    kGroup,     ///< { body; }
    kIf,        ///< children: cond, then, [cond, then]..., [else]
    kFor,       ///< name in words; body
    kWhile,     ///< children: cond, body
    kUntil,     ///< children: cond, body
    kCase,      ///< subject word, items
    kFunction,  ///< name() body
  };
  Kind kind = Kind::kSimple;
  std::vector<Word> assignments;
  std::vector<Word> words;
  std::vector<Redirect> redirects;
  std::vector<CommandPtr> children;
  std::vector<bool> and_ops;
  std::vector<bool> background;
  bool negated = false;
  bool has_in = false;  ///< kFor: an `in` list was given
  std::string name;     ///< kFor variable, kFunction name
  Word subject;         ///< kCase
  std::vector<CaseItem> items;
  CommandPtr body;  ///< kSubshell, kGroup, kFor, kFunction
};

}  // namespace kexsim::fakes::shell

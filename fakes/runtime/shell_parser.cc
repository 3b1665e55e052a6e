// The grammar half of the parser: lists, pipelines, compound commands, redirections.

#include "fakes/runtime/shell_parser.h"

#include <cctype>
#include <utility>

namespace kexsim::fakes::shell {
namespace {

bool is_param_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_param_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
}  // namespace

bool is_assignment_word(const std::string& raw) {
  if (raw.empty() || !is_param_start(raw[0])) return false;
  size_t i = 1;
  while (i < raw.size() && is_param_char(raw[i])) ++i;
  return i < raw.size() && raw[i] == '=';
}

namespace {

bool is_valid_name(const std::string& s) {
  if (s.empty() || !is_param_start(s[0])) return false;
  for (char c : s)
    if (!is_param_char(c)) return false;
  return true;
}

// Drops "NAME=" from the front of an assignment word, leaving the value's parts.
Word assignment_value(const Word& word, std::string& name) {
  Word value;
  value.parts = word.parts;
  std::string& first = value.parts.front().text;
  const size_t eq = first.find('=');
  name = first.substr(0, eq);
  first.erase(0, eq + 1);
  if (first.empty() && value.parts.size() > 1) value.parts.erase(value.parts.begin());
  value.raw = word.raw.substr(eq + 1);
  return value;
}

// Counts nesting for the lifetime of one grammar rule.
class DepthGuard {
 public:
  explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int& depth_;
};

}  // namespace

Parser::Parser(std::string_view source) : src_(source) {}

Result<CommandPtr> Parser::next() {
  skip_newlines();
  if (failed()) return make_error(*error_);
  if (peek().type == Token::Type::kEof) return CommandPtr();
  CommandPtr list = parse_list(false);
  if (!failed()) {
    const Token& tok = peek();
    if (tok.type == Token::Type::kNewline)
      take();
    else if (tok.type != Token::Type::kEof)
      fail_unexpected(tok);
  }
  if (failed()) return make_error(*error_);
  return list;
}

bool Parser::is_terminator(const Token& tok) const {
  switch (tok.type) {
    case Token::Type::kEof:
    case Token::Type::kRParen:
    case Token::Type::kDSemi: return true;
    case Token::Type::kWord: {
      const std::string& w = tok.word.raw;
      return w == "then" || w == "elif" || w == "else" || w == "fi" || w == "do" || w == "done" || w == "esac" ||
             w == "}";
    }
    default: return false;
  }
}

void Parser::skip_newlines() {
  while (!failed() && peek().type == Token::Type::kNewline) take();
}

CommandPtr Parser::parse_list(bool multiline) {
  auto seq = std::make_shared<Command>();
  seq->kind = Command::Kind::kSequence;
  while (!failed()) {
    if (multiline) skip_newlines();
    if (failed()) break;
    const Token& tok = peek();
    if (is_terminator(tok) || tok.type == Token::Type::kNewline) break;
    CommandPtr cmd = parse_and_or();
    if (failed()) break;
    seq->children.push_back(cmd);
    seq->background.push_back(false);
    const Token& sep = peek();
    if (sep.type == Token::Type::kSemi) {
      take();
    } else if (sep.type == Token::Type::kAmp) {
      take();
      seq->background.back() = true;
    } else if (sep.type != Token::Type::kNewline) {
      break;
    }
  }
  return seq;
}

CommandPtr Parser::parse_and_or() {
  CommandPtr first = parse_pipeline();
  if (failed()) return nullptr;
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kAndOr;
  node->children.push_back(first);
  while (!failed()) {
    const Token& tok = peek();
    if (tok.type != Token::Type::kAndIf && tok.type != Token::Type::kOrIf) break;
    node->and_ops.push_back(tok.type == Token::Type::kAndIf);
    take();
    skip_newlines();
    CommandPtr next = parse_pipeline();
    if (failed()) return nullptr;
    node->children.push_back(next);
  }
  if (node->children.size() == 1) return first;
  return node;
}

CommandPtr Parser::parse_pipeline() {
  bool negated = false;
  if (peek().type == Token::Type::kWord && peek().word.raw == "!") {
    take();
    negated = true;
  }
  CommandPtr first = parse_command();
  if (failed()) return nullptr;
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kPipeline;
  node->negated = negated;
  node->children.push_back(first);
  while (!failed() && peek().type == Token::Type::kPipe) {
    take();
    skip_newlines();
    CommandPtr next = parse_command();
    if (failed()) return nullptr;
    node->children.push_back(next);
  }
  if (node->children.size() == 1 && !negated) return first;
  return node;
}

CommandPtr Parser::parse_command() {
  DepthGuard guard(depth_);
  if (depth_ > kMaxDepth) {
    fail("syntax error: commands nested too deeply");
    return nullptr;
  }
  const Token& tok = peek();
  if (tok.type == Token::Type::kLParen) return parse_subshell();
  if (tok.type == Token::Type::kWord) {
    const std::string& w = tok.word.raw;
    if (w == "if") return parse_if();
    if (w == "for") return parse_for();
    if (w == "while") return parse_loop(false);
    if (w == "until") return parse_loop(true);
    if (w == "case") return parse_case();
    if (w == "{") return parse_group();
    if (is_terminator(tok) || w == "in") {
      fail_unexpected(tok);
      return nullptr;
    }
  }
  return parse_simple();
}

CommandPtr Parser::parse_simple() {
  auto cmd = std::make_shared<Command>();
  cmd->kind = Command::Kind::kSimple;
  while (!failed()) {
    const Token& tok = peek();
    if (tok.type == Token::Type::kRedirect) {
      Token op = take();
      if (!parse_redirect(op, cmd->redirects)) return nullptr;
    } else if (tok.type == Token::Type::kWord) {
      Token word = take();
      if (cmd->words.empty() && is_assignment_word(word.word.raw))
        cmd->assignments.push_back(std::move(word.word));
      else
        cmd->words.push_back(std::move(word.word));
    } else {
      break;
    }
  }
  if (failed()) return nullptr;
  const Token& after = peek();
  if (after.type == Token::Type::kLParen) {
    if (cmd->words.size() != 1 || !cmd->assignments.empty() || !cmd->redirects.empty() ||
        !is_valid_name(cmd->words[0].raw)) {
      fail_unexpected(after);
      return nullptr;
    }
    take();
    if (peek().type != Token::Type::kRParen) {
      fail_unexpected(peek(), ")");
      return nullptr;
    }
    take();
    skip_newlines();
    auto fn = std::make_shared<Command>();
    fn->kind = Command::Kind::kFunction;
    fn->name = cmd->words[0].raw;
    fn->body = parse_command();
    if (failed()) return nullptr;
    return fn;
  }
  if (cmd->words.empty() && cmd->assignments.empty() && cmd->redirects.empty()) {
    fail_unexpected(after);
    return nullptr;
  }
  // Keep the parsed value word for assignments: "NAME=" is split off at run time.
  for (auto& a : cmd->assignments) {
    std::string name;
    Word value = assignment_value(a, name);
    a.raw = name;
    a.parts = std::move(value.parts);
  }
  return cmd;
}

bool Parser::parse_redirect(const Token& op, std::vector<Redirect>& out) {
  const Token& target = peek();
  if (target.type != Token::Type::kWord) {
    fail_unexpected(target);
    return false;
  }
  Token word = take();
  Redirect r;
  r.op = op.op;
  r.fd = op.fd;
  if (op.op == Redirect::Op::kHereDoc) {
    const bool strip_tabs = op.strip_tabs;
    r.heredoc = std::make_shared<HereDoc>();
    std::string delimiter;
    for (const auto& part : word.word.parts) delimiter += part.text;
    r.heredoc->expand = word.word.raw.find_first_of("'\"\\") == std::string::npos;
    pending_.push_back({delimiter, strip_tabs, r.heredoc});
  }
  r.target = std::move(word.word);
  out.push_back(std::move(r));
  return true;
}

void Parser::parse_trailing_redirects(Command& cmd) {
  while (!failed() && peek().type == Token::Type::kRedirect) {
    Token op = take();
    if (!parse_redirect(op, cmd.redirects)) return;
  }
}

bool Parser::expect_word(const char* word) {
  const Token& tok = peek();
  if (tok.type == Token::Type::kWord && tok.word.raw == word) {
    take();
    return true;
  }
  fail_unexpected(tok, word);
  return false;
}

CommandPtr Parser::parse_if() {
  take();  // if
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kIf;
  while (true) {
    node->children.push_back(parse_list(true));
    if (failed() || !expect_word("then")) return nullptr;
    node->children.push_back(parse_list(true));
    if (failed()) return nullptr;
    const Token& tok = peek();
    if (tok.type == Token::Type::kWord && tok.word.raw == "elif") {
      take();
      continue;
    }
    if (tok.type == Token::Type::kWord && tok.word.raw == "else") {
      take();
      node->children.push_back(parse_list(true));
      if (failed()) return nullptr;
    }
    break;
  }
  if (!expect_word("fi")) return nullptr;
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

CommandPtr Parser::parse_for() {
  take();  // for
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kFor;
  const Token& name = peek();
  if (name.type != Token::Type::kWord || !is_valid_name(name.word.raw)) {
    fail_unexpected(name);
    return nullptr;
  }
  node->name = take().word.raw;
  skip_newlines();
  if (peek().type == Token::Type::kWord && peek().word.raw == "in") {
    take();
    node->has_in = true;
    while (!failed() && peek().type == Token::Type::kWord) node->words.push_back(take().word);
    const Token& sep = peek();
    if (sep.type != Token::Type::kSemi && sep.type != Token::Type::kNewline) {
      fail_unexpected(sep, "do");
      return nullptr;
    }
    take();
  } else if (peek().type == Token::Type::kSemi) {
    take();
  }
  skip_newlines();
  if (failed() || !expect_word("do")) return nullptr;
  node->body = parse_list(true);
  if (failed() || !expect_word("done")) return nullptr;
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

CommandPtr Parser::parse_loop(bool until) {
  take();  // while / until
  auto node = std::make_shared<Command>();
  node->kind = until ? Command::Kind::kUntil : Command::Kind::kWhile;
  node->children.push_back(parse_list(true));
  if (failed() || !expect_word("do")) return nullptr;
  node->children.push_back(parse_list(true));
  if (failed() || !expect_word("done")) return nullptr;
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

CommandPtr Parser::parse_case() {
  take();  // case
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kCase;
  const Token& subject = peek();
  if (subject.type != Token::Type::kWord) {
    fail_unexpected(subject);
    return nullptr;
  }
  node->subject = take().word;
  skip_newlines();
  if (failed() || !expect_word("in")) return nullptr;
  while (!failed()) {
    skip_newlines();
    if (failed()) return nullptr;
    if (peek().type == Token::Type::kWord && peek().word.raw == "esac") break;
    if (peek().type == Token::Type::kLParen) take();
    CaseItem item;
    while (!failed()) {
      const Token& pat = peek();
      if (pat.type != Token::Type::kWord) {
        fail_unexpected(pat);
        return nullptr;
      }
      item.patterns.push_back(take().word);
      if (peek().type != Token::Type::kPipe) break;
      take();
    }
    if (failed()) return nullptr;
    if (peek().type != Token::Type::kRParen) {
      fail_unexpected(peek(), ")");
      return nullptr;
    }
    take();
    item.body = parse_list(true);
    if (failed()) return nullptr;
    node->items.push_back(std::move(item));
    if (peek().type == Token::Type::kDSemi) {
      take();
      continue;
    }
    if (peek().type == Token::Type::kWord && peek().word.raw == "esac") break;
    fail_unexpected(peek(), "esac");
    return nullptr;
  }
  if (!expect_word("esac")) return nullptr;
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

CommandPtr Parser::parse_group() {
  take();  // {
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kGroup;
  node->body = parse_list(true);
  if (failed() || !expect_word("}")) return nullptr;
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

CommandPtr Parser::parse_subshell() {
  take();  // (
  auto node = std::make_shared<Command>();
  node->kind = Command::Kind::kSubshell;
  node->body = parse_list(true);
  if (failed()) return nullptr;
  if (peek().type != Token::Type::kRParen) {
    fail_unexpected(peek(), ")");
    return nullptr;
  }
  take();
  parse_trailing_redirects(*node);
  return failed() ? nullptr : node;
}

void Parser::fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

void Parser::fail_unexpected(const Token& tok, const char* expecting) {
  if (failed()) return;
  // ash names plain words and redirections by their kind, keywords and operators quoted.
  static const char* const kKeywords[] = {"!",   "case", "do", "done", "elif",  "else",  "esac", "fi",
                                          "for", "if",   "in", "then", "until", "while", "{",    "}"};
  std::string message = "syntax error: unexpected ";
  if (tok.type == Token::Type::kEof || tok.type == Token::Type::kNewline) {
    message += tok.text;
  } else if (tok.type == Token::Type::kRedirect) {
    message += "redirection";
  } else if (tok.type == Token::Type::kWord) {
    bool keyword = false;
    for (const char* k : kKeywords) keyword = keyword || tok.word.raw == k;
    message += keyword ? "\"" + tok.word.raw + "\"" : std::string("word");
  } else {
    message += "\"" + tok.text + "\"";
  }
  if (expecting) message += std::string(" (expecting \"") + expecting + "\")";
  fail(std::move(message));
}

}  // namespace kexsim::fakes::shell

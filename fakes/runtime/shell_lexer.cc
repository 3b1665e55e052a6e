// The lexical half of the parser: tokens, words, quoting, $ expansions and here-documents.

#include <cctype>
#include <utility>

#include "fakes/runtime/escapes.h"
#include "fakes/runtime/shell_parser.h"

namespace kexsim::fakes::shell {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_special_param(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-' || c == '0';
}
bool is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' ||
         c == ')';
}

void add_literal(std::vector<WordPart>& parts, std::string_view text, bool quoted) {
  if (!parts.empty() && parts.back().kind == WordPart::Kind::kLiteral && parts.back().quoted == quoted &&
      !text.empty()) {
    parts.back().text += text;
    return;
  }
  WordPart part;
  part.quoted = quoted;
  part.text = std::string(text);
  parts.push_back(std::move(part));
}

}  // namespace

Result<Word> Parser::heredoc_word(std::string_view text) {
  Parser p(text);
  Word word;
  p.lex_parts(Mode::kHereDoc, word.parts);
  if (p.failed()) return make_error(*p.error_);
  word.raw = std::string(text);
  return word;
}

const Parser::Token& Parser::peek() {
  if (!peeked_) peeked_ = lex();
  return *peeked_;
}

Parser::Token Parser::take() {
  peek();
  Token tok = std::move(*peeked_);
  peeked_.reset();
  if (tok.type == Token::Type::kNewline && !pending_.empty()) read_heredocs();
  return tok;
}

void Parser::skip_blanks() {
  while (!at_end()) {
    const char c = at();
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '\\' && at(1) == '\n') {
      pos_ += 2;
    } else if (c == '#') {
      while (!at_end() && at() != '\n') ++pos_;
    } else {
      break;
    }
  }
}

Parser::Token Parser::lex() {
  skip_blanks();
  Token tok;
  if (failed() || at_end()) {
    tok.type = Token::Type::kEof;
    tok.text = "end of file";
    return tok;
  }
  if (at() == '\n') {
    ++pos_;
    tok.type = Token::Type::kNewline;
    tok.text = "newline";
    return tok;
  }
  if (lex_operator(tok)) return tok;
  tok.type = Token::Type::kWord;
  tok.word = lex_word();
  tok.text = tok.word.raw;
  return tok;
}

bool Parser::lex_operator(Token& tok) {
  size_t digits = 0;
  while (std::isdigit(static_cast<unsigned char>(at(digits)))) ++digits;
  const bool io_number = digits > 0 && digits < 4 && (at(digits) == '<' || at(digits) == '>');
  const size_t start = pos_;
  int fd = -1;
  if (io_number) {
    fd = std::stoi(std::string(src_.substr(pos_, digits)));
    pos_ += digits;
  }
  auto op = [&](Token::Type type, size_t len) {
    pos_ += len;
    tok.type = type;
    tok.text = std::string(src_.substr(start, pos_ - start));
    return true;
  };
  auto redir = [&](Redirect::Op o, size_t len, int default_fd) {
    tok.op = o;
    tok.fd = fd >= 0 ? fd : default_fd;
    return op(Token::Type::kRedirect, len);
  };
  const char c = at(), c1 = at(1), c2 = at(2);
  if (c == '>') {
    if (c1 == '>') return redir(Redirect::Op::kAppend, 2, 1);
    if (c1 == '&') return redir(Redirect::Op::kDupOut, 2, 1);
    if (c1 == '|') return redir(Redirect::Op::kOut, 2, 1);
    return redir(Redirect::Op::kOut, 1, 1);
  }
  if (c == '<') {
    if (c1 == '<' && c2 == '<') return redir(Redirect::Op::kHereString, 3, 0);
    if (c1 == '<' && c2 == '-') {
      tok.strip_tabs = true;
      return redir(Redirect::Op::kHereDoc, 3, 0);
    }
    if (c1 == '<') return redir(Redirect::Op::kHereDoc, 2, 0);
    if (c1 == '&') return redir(Redirect::Op::kDupIn, 2, 0);
    if (c1 == '>') return redir(Redirect::Op::kIn, 2, 0);
    return redir(Redirect::Op::kIn, 1, 0);
  }
  if (io_number) {
    pos_ = start;
    return false;
  }
  if (c == '&' && c1 == '&') return op(Token::Type::kAndIf, 2);
  if (c == '&' && c1 == '>' && c2 == '>') return redir(Redirect::Op::kAppendOutErr, 3, 1);
  if (c == '&' && c1 == '>') return redir(Redirect::Op::kOutErr, 2, 1);
  if (c == '&') return op(Token::Type::kAmp, 1);
  if (c == '|' && c1 == '|') return op(Token::Type::kOrIf, 2);
  if (c == '|') return op(Token::Type::kPipe, 1);
  if (c == ';' && c1 == ';') return op(Token::Type::kDSemi, 2);
  if (c == ';') return op(Token::Type::kSemi, 1);
  if (c == '(') return op(Token::Type::kLParen, 1);
  if (c == ')') return op(Token::Type::kRParen, 1);
  return false;
}

void Parser::read_heredocs() {
  std::vector<PendingHereDoc> pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) {
    std::string body;
    while (!at_end()) {
      size_t end = src_.find('\n', pos_);
      if (end == std::string_view::npos) end = src_.size();
      std::string_view line = src_.substr(pos_, end - pos_);
      pos_ = end < src_.size() ? end + 1 : end;
      if (p.strip_tabs)
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      if (line == p.delimiter) break;
      body.append(line);
      body.push_back('\n');
    }
    if (p.doc->expand) {
      auto word = heredoc_word(body);
      if (!word.ok()) {
        fail(word.error().message);
        return;
      }
      p.doc->body = std::move(word.value());
    } else {
      add_literal(p.doc->body.parts, body, true);
      p.doc->body.raw = body;
    }
  }
}

// ---- words ----

Word Parser::lex_word() {
  Word word;
  const size_t start = pos_;
  if (at() == '~' && (at(1) == '/' || at(1) == '\0' || is_meta(at(1)))) {
    WordPart home;
    home.kind = WordPart::Kind::kParam;
    home.quoted = true;
    home.text = "HOME";
    word.parts.push_back(std::move(home));
    ++pos_;
  }
  lex_parts(Mode::kUnquoted, word.parts);
  word.raw = std::string(src_.substr(start, pos_ - start));
  return word;
}

void Parser::lex_parts(Mode mode, std::vector<WordPart>& parts) {
  const bool quoted =
      mode == Mode::kDouble || mode == Mode::kParamArgDouble || mode == Mode::kHereDoc || mode == Mode::kArith;
  int paren_depth = 0;
  while (!failed()) {
    if (at_end()) {
      if (mode == Mode::kDouble || mode == Mode::kParamArg || mode == Mode::kParamArgDouble)
        fail("syntax error: unterminated quoted string");
      if (mode == Mode::kArith) fail("syntax error: missing '))'");
      return;
    }
    const char c = at();
    switch (mode) {
      case Mode::kUnquoted:
        if (is_meta(c)) return;
        break;
      case Mode::kDouble:
        if (c == '"') return;
        break;
      case Mode::kParamArg:
      case Mode::kParamArgDouble:
        if (c == '}') return;
        break;
      case Mode::kHereDoc: break;
      case Mode::kArith:
        if (c == '(') ++paren_depth;
        if (c == ')') {
          if (paren_depth == 0) return;
          --paren_depth;
        }
        break;
    }
    if (c == '\\') {
      const char n = at(1);
      if (n == '\n') {
        pos_ += 2;
        continue;
      }
      if (n == '\0' && at_end()) {
        add_literal(parts, "\\", quoted);
        ++pos_;
        continue;
      }
      bool escapes = true;
      if (quoted) {
        escapes = n == '$' || n == '`' || n == '\\' || (n == '"' && mode != Mode::kHereDoc) ||
                  (n == '}' && mode == Mode::kParamArgDouble);
      }
      if (escapes) {
        add_literal(parts, std::string_view(&src_[pos_ + 1], 1), true);
        pos_ += 2;
      } else {
        add_literal(parts, "\\", quoted);
        ++pos_;
      }
      continue;
    }
    if (c == '\'' && (mode == Mode::kUnquoted || mode == Mode::kParamArg)) {
      const size_t end = src_.find('\'', pos_ + 1);
      if (end == std::string_view::npos) {
        fail("syntax error: unterminated quoted string");
        return;
      }
      WordPart part;
      part.quoted = true;
      part.text = std::string(src_.substr(pos_ + 1, end - pos_ - 1));
      if (!part.text.empty())
        add_literal(parts, part.text, true);
      else
        parts.push_back(std::move(part));
      pos_ = end + 1;
      continue;
    }
    if (c == '"' && (mode == Mode::kUnquoted || mode == Mode::kParamArg || mode == Mode::kParamArgDouble)) {
      ++pos_;
      const size_t before = parts.size();
      lex_parts(Mode::kDouble, parts);
      if (failed()) return;
      if (at() != '"') {
        fail("syntax error: unterminated quoted string");
        return;
      }
      ++pos_;
      if (parts.size() == before) {
        WordPart empty;
        empty.quoted = true;
        parts.push_back(std::move(empty));
      }
      continue;
    }
    if (c == '$') {
      lex_dollar(parts, quoted);
      continue;
    }
    if (c == '`') {
      lex_backtick(parts, quoted);
      continue;
    }
    add_literal(parts, std::string_view(&src_[pos_], 1), quoted);
    ++pos_;
  }
}

void Parser::lex_dollar(std::vector<WordPart>& parts, bool quoted) {
  if (depth_ > kMaxDepth) {
    fail("syntax error: expansions nested too deeply");
    return;
  }
  ++depth_;
  lex_dollar_body(parts, quoted);
  --depth_;
}

void Parser::lex_dollar_body(std::vector<WordPart>& parts, bool quoted) {
  const char n = at(1);
  if (n == '(' && at(2) == '(') {
    pos_ += 3;
    WordPart part;
    part.kind = WordPart::Kind::kArith;
    part.quoted = quoted;
    part.arg = std::make_shared<Word>();
    lex_parts(Mode::kArith, part.arg->parts);
    if (failed()) return;
    if (at() != ')' || at(1) != ')') {
      fail("syntax error: missing '))'");
      return;
    }
    pos_ += 2;
    parts.push_back(std::move(part));
    return;
  }
  if (n == '(') {
    pos_ += 2;
    WordPart part;
    part.kind = WordPart::Kind::kCommand;
    part.quoted = quoted;
    part.body = parse_list(true);
    if (failed()) return;
    const Token& close = peek();
    if (close.type != Token::Type::kRParen) {
      fail_unexpected(close, ")");
      return;
    }
    // The closing parenthesis was lexed into the lookahead; drop it so lexing resumes after it.
    peeked_.reset();
    parts.push_back(std::move(part));
    return;
  }
  if (n == '{') {
    lex_braced_param(parts, quoted);
    return;
  }
  if (n == '\'' && !quoted) {
    lex_ansi_c(parts);
    return;
  }
  WordPart part;
  part.kind = WordPart::Kind::kParam;
  part.quoted = quoted;
  if (is_name_start(n)) {
    size_t i = 1;
    while (is_name_char(at(i))) ++i;
    part.text = std::string(src_.substr(pos_ + 1, i - 1));
    pos_ += i;
  } else if (std::isdigit(static_cast<unsigned char>(n)) || is_special_param(n)) {
    part.text = std::string(1, n);
    pos_ += 2;
  } else {
    add_literal(parts, "$", quoted);
    ++pos_;
    return;
  }
  parts.push_back(std::move(part));
}

void Parser::lex_braced_param(std::vector<WordPart>& parts, bool quoted) {
  pos_ += 2;  // ${
  WordPart part;
  part.kind = WordPart::Kind::kParam;
  part.quoted = quoted;
  if (at() == '#' && at(1) != '}' &&
      (is_name_start(at(1)) || std::isdigit(static_cast<unsigned char>(at(1))) || is_special_param(at(1)))) {
    part.op = "len";
    ++pos_;
  }
  if (is_name_start(at())) {
    const size_t start = pos_;
    while (is_name_char(at())) ++pos_;
    part.text = std::string(src_.substr(start, pos_ - start));
  } else if (std::isdigit(static_cast<unsigned char>(at()))) {
    const size_t start = pos_;
    while (std::isdigit(static_cast<unsigned char>(at()))) ++pos_;
    part.text = std::string(src_.substr(start, pos_ - start));
  } else if (is_special_param(at())) {
    part.text = std::string(1, at());
    ++pos_;
  } else {
    fail("syntax error: bad substitution");
    return;
  }
  if (at() == '}') {
    ++pos_;
    parts.push_back(std::move(part));
    return;
  }
  if (part.op == "len") {
    fail("syntax error: bad substitution");
    return;
  }
  static const char* const kOps[] = {":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%"};
  for (const char* op : kOps) {
    const std::string_view o(op);
    if (src_.substr(pos_, o.size()) == o) {
      part.op = std::string(o);
      pos_ += o.size();
      break;
    }
  }
  if (part.op.empty()) {
    fail("syntax error: bad substitution");
    return;
  }
  part.arg = std::make_shared<Word>();
  lex_parts(quoted ? Mode::kParamArgDouble : Mode::kParamArg, part.arg->parts);
  if (failed()) return;
  if (at() != '}') {
    fail("syntax error: missing '}'");
    return;
  }
  ++pos_;
  parts.push_back(std::move(part));
}

void Parser::lex_backtick(std::vector<WordPart>& parts, bool quoted) {
  ++pos_;
  std::string inner;
  while (!at_end() && at() != '`') {
    if (at() == '\\' && (at(1) == '`' || at(1) == '\\' || at(1) == '$')) {
      inner.push_back(at(1));
      pos_ += 2;
      continue;
    }
    inner.push_back(at());
    ++pos_;
  }
  if (at_end()) {
    fail("syntax error: unterminated quoted string");
    return;
  }
  ++pos_;
  Parser sub(inner);
  auto seq = std::make_shared<Command>();
  seq->kind = Command::Kind::kSequence;
  while (true) {
    auto cmd = sub.next();
    if (!cmd.ok()) {
      fail(cmd.error().message);
      return;
    }
    if (!cmd.value()) break;
    seq->children.push_back(cmd.value());
    seq->background.push_back(false);
  }
  WordPart part;
  part.kind = WordPart::Kind::kCommand;
  part.quoted = quoted;
  part.body = seq;
  parts.push_back(std::move(part));
}

void Parser::lex_ansi_c(std::vector<WordPart>& parts) {
  pos_ += 2;  // $'
  // The body ends at the first quote no backslash escapes.
  size_t end = pos_;
  while (end < src_.size() && src_[end] != '\'') end += src_[end] == '\\' ? 2 : 1;
  if (end >= src_.size()) {
    pos_ = src_.size();
    fail("syntax error: unterminated quoted string");
    return;
  }
  std::string out;
  unescape_backslash(src_.substr(pos_, end - pos_), out, EscapeDialect::kAnsiC);
  pos_ = end + 1;
  WordPart part;
  part.quoted = true;
  part.text = std::move(out);
  parts.push_back(std::move(part));
}

}  // namespace kexsim::fakes::shell

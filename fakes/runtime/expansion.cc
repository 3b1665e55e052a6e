// Word expansion: parameters, command substitution, arithmetic, field splitting, quote removal.

#include <cctype>
#include <string>

#include "fakes/runtime/arith.h"
#include "fakes/runtime/interpreter.h"
#include "fakes/runtime/pattern.h"

namespace kexsim::fakes::shell {
namespace {

// $$ of the modelled shell: any stable number will do.
constexpr const char* kShellPid = "12";

bool is_ifs_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// Removes the shortest or longest prefix/suffix of value matching pattern (${V#p} ${V##p} ${V%p} ${V%%p}).
std::string remove_affix(const std::string& value, const std::string& pattern, const std::string& op) {
  const bool prefix = op[0] == '#';
  const bool longest = op.size() == 2;
  const size_t n = value.size();
  if (prefix) {
    for (size_t k = 0; k <= n; ++k) {
      const size_t len = longest ? n - k : k;
      if (pattern_match(pattern, std::string_view(value).substr(0, len))) return value.substr(len);
    }
  } else {
    for (size_t k = 0; k <= n; ++k) {
      const size_t len = longest ? n - k : k;
      if (pattern_match(pattern, std::string_view(value).substr(n - len))) return value.substr(0, n - len);
    }
  }
  return value;
}

}  // namespace

bool Interpreter::expand_fields(const Word& word, const Io& io, std::vector<std::string>& fields) {
  std::vector<Piece> pieces;
  if (!expand_pieces(word.parts, io, pieces)) return false;
  const std::string* ifs_var = env_.get("IFS");
  const std::string ifs = ifs_var ? *ifs_var : " \t\n";
  std::string current;
  bool have = false;
  auto end_field = [&] {
    fields.push_back(current);
    current.clear();
    have = false;
  };
  for (const Piece& p : pieces) {
    if (p.boundary) {
      if (have) end_field();
      continue;
    }
    if (!p.split) {
      current += p.text;
      if (p.quoted || !p.text.empty()) have = true;
      continue;
    }
    for (char c : p.text) {
      if (ifs.find(c) == std::string::npos) {
        current.push_back(c);
        have = true;
      } else if (is_ifs_space(c)) {
        if (have) end_field();
      } else {
        end_field();
      }
    }
  }
  if (have) end_field();
  return true;
}

bool Interpreter::expand_string(const Word& word, const Io& io, std::string& out) {
  std::vector<Piece> pieces;
  if (!expand_pieces(word.parts, io, pieces)) return false;
  out.clear();
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].boundary) {
      out.push_back(' ');
      continue;
    }
    out += pieces[i].text;
  }
  return true;
}

bool Interpreter::expand_pattern(const Word& word, const Io& io, std::string& out) {
  std::vector<Piece> pieces;
  if (!expand_pieces(word.parts, io, pieces)) return false;
  out.clear();
  for (const Piece& p : pieces) {
    if (p.boundary)
      out.push_back(' ');
    else
      out += p.quoted ? pattern_quote(p.text) : p.text;
  }
  return true;
}

bool Interpreter::expand_pieces(const std::vector<WordPart>& parts, const Io& io, std::vector<Piece>& out) {
  for (const WordPart& part : parts) {
    switch (part.kind) {
      case WordPart::Kind::kLiteral: out.push_back(Piece{part.text, false, part.quoted, false}); break;
      case WordPart::Kind::kParam:
        // A quoted expansion is a field even when empty ("${X:-}"); only "$@" may vanish.
        if (part.quoted && !(part.text == "@" && part.op.empty())) out.push_back(Piece{"", false, true, false});
        if (!expand_param(part, io, out)) return false;
        break;
      case WordPart::Kind::kCommand: {
        std::string text = command_substitution(*part.body, io);
        if (env_.exiting) return false;
        out.push_back(Piece{std::move(text), !part.quoted, part.quoted, false});
        break;
      }
      case WordPart::Kind::kArith: {
        std::string expr;
        if (!expand_string(*part.arg, io, expr)) return false;
        auto value = eval_arith(expr, [this](const std::string& name) { return env_.value(name); });
        if (!value.ok()) {
          expansion_error(io, value.error().message);
          return false;
        }
        out.push_back(Piece{std::to_string(value.value()), !part.quoted, part.quoted, false});
        break;
      }
    }
  }
  return true;
}

bool Interpreter::special_param(const std::string& name, std::string& value, bool& is_set) const {
  is_set = true;
  if (name == "?") {
    value = std::to_string(env_.status);
  } else if (name == "$") {
    value = kShellPid;
  } else if (name == "!") {
    is_set = env_.last_background_pid != 0;
    value = is_set ? std::to_string(env_.last_background_pid) : "";
  } else if (name == "#") {
    value = std::to_string(env_.positional.size());
  } else if (name == "0") {
    value = env_.script_name;
  } else if (name == "-") {
    value.clear();
    if (env_.errexit) value += 'e';
    if (env_.nounset) value += 'u';
    if (env_.xtrace) value += 'x';
  } else if (name == "@" || name == "*") {
    value = join(env_.positional, " ");
    is_set = !env_.positional.empty();
  } else if (std::isdigit(static_cast<unsigned char>(name[0]))) {
    const size_t index = name.size() > 9 ? 0 : std::stoul(name);
    is_set = index >= 1 && index <= env_.positional.size();
    value = is_set ? env_.positional[index - 1] : "";
  } else {
    return false;
  }
  return true;
}

bool Interpreter::expand_param(const WordPart& part, const Io& io, std::vector<Piece>& out) {
  const std::string& name = part.text;
  // "$@" keeps each positional parameter a field of its own.
  if (name == "@" && part.quoted && part.op.empty()) {
    for (size_t i = 0; i < env_.positional.size(); ++i) {
      if (i) out.push_back(Piece{"", false, false, true});
      out.push_back(Piece{env_.positional[i], false, true, false});
    }
    return true;
  }
  std::string value;
  bool is_set = false;
  if (!special_param(name, value, is_set)) {
    const std::string* v = env_.get(name);
    is_set = v != nullptr;
    value = v ? *v : "";
  }
  const std::string& op = part.op;
  const bool split = !part.quoted;
  auto word_value = [&](std::vector<Piece>& into) {
    std::vector<Piece> arg;
    if (!expand_pieces(part.arg->parts, io, arg)) return false;
    for (Piece& p : arg) {
      if (!p.quoted && split) p.split = true;
      if (part.quoted) p.quoted = true;
      into.push_back(std::move(p));
    }
    return true;
  };
  if (op.empty() || op == "len") {
    if (!is_set && env_.nounset && name != "@" && name != "*") {
      expansion_error(io, name + ": parameter not set");
      return false;
    }
    if (op == "len") value = std::to_string(value.size());
    out.push_back(Piece{value, split, part.quoted, false});
    return true;
  }
  const bool colon = op[0] == ':';
  const char kind = colon ? op[1] : op[0];
  const bool use_word = !is_set || (colon && value.empty());
  switch (kind) {
    case '-':
      if (use_word) return word_value(out);
      out.push_back(Piece{value, split, part.quoted, false});
      return true;
    case '=': {
      if (!use_word) {
        out.push_back(Piece{value, split, part.quoted, false});
        return true;
      }
      std::string assigned;
      if (!expand_string(*part.arg, io, assigned)) return false;
      env_.vars[name] = assigned;
      out.push_back(Piece{assigned, split, part.quoted, false});
      return true;
    }
    case '+':
      if (!use_word) return word_value(out);
      out.push_back(Piece{"", false, part.quoted, false});
      return true;
    case '?': {
      if (!use_word) {
        out.push_back(Piece{value, split, part.quoted, false});
        return true;
      }
      std::string message;
      if (!expand_string(*part.arg, io, message)) return false;
      if (message.empty()) message = is_set ? "parameter null" : "parameter not set";
      expansion_error(io, name + ": " + message);
      return false;
    }
    default: {  // # ## % %%
      std::string pattern;
      if (!expand_pattern(*part.arg, io, pattern)) return false;
      out.push_back(Piece{remove_affix(value, pattern, op), split, part.quoted, false});
      return true;
    }
  }
}

std::string Interpreter::command_substitution(const Command& body, const Io& io) {
  auto buffer = std::make_shared<std::vector<OutputChunk>>();
  Io sub = io;
  sub.out = Sink::to_buffer(buffer);
  ++env_.xtrace_level;  // bash traces a command substitution's commands with "++"
  last_substitution_status_ = run_subshell(body, sub);
  --env_.xtrace_level;
  std::string text;
  for (const auto& chunk : *buffer) text += chunk.data;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void Interpreter::expansion_error(const Io& io, const std::string& message) {
  session_.write(io.err, "sh: " + message + "\n");
  env_.exit(2);
}

}  // namespace kexsim::fakes::shell

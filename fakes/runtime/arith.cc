#include "fakes/runtime/arith.h"

#include <cctype>
#include <optional>

namespace kexsim::fakes::shell {
namespace {

// Precedence climbing over the binary operators, lowest first.
class ArithParser {
 public:
  ArithParser(std::string_view s, const std::function<std::string(const std::string&)>& lookup, int depth = 0)
      : s_(s), lookup_(lookup), depth_(depth) {}

  std::optional<int64_t> parse() {
    auto v = binary(0);
    skip();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }
  std::string error = "arithmetic syntax error";

 private:
  static constexpr const char* kLevels[][6] = {
      {"||"},       {"&&"},     {"|"},           {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"},
      {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
  };
  static constexpr int kLevelCount = 10;

  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(std::string_view op) {
    skip();
    if (s_.substr(pos_, op.size()) != op) return false;
    // Do not read "<" out of "<<", "&" out of "&&", "|" out of "||".
    if (op.size() == 1 && pos_ + 1 < s_.size() && (op == "<" || op == ">" || op == "&" || op == "|") &&
        s_[pos_ + 1] == op[0])
      return false;
    if (op.size() == 1 && pos_ + 1 < s_.size() && (op == "<" || op == ">" || op == "!") && s_[pos_ + 1] == '=')
      return false;
    pos_ += op.size();
    return true;
  }

  std::optional<int64_t> binary(int level) {
    if (level == kLevelCount) return unary();
    auto left = binary(level + 1);
    while (left) {
      const char* matched = nullptr;
      for (const char* op : kLevels[level])
        if (op && eat(op)) {
          matched = op;
          break;
        }
      if (!matched) break;
      auto right = binary(level + 1);
      if (!right) return std::nullopt;
      left = apply(matched, *left, *right);
    }
    return left;
  }

  std::optional<int64_t> apply(std::string_view op, int64_t a, int64_t b) {
    if (op == "||") return (a || b) ? 1 : 0;
    if (op == "&&") return (a && b) ? 1 : 0;
    if (op == "|") return a | b;
    if (op == "^") return a ^ b;
    if (op == "&") return a & b;
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    if (op == "<=") return a <= b;
    if (op == ">=") return a >= b;
    if (op == "<") return a < b;
    if (op == ">") return a > b;
    if (op == "<<") return static_cast<int64_t>(static_cast<uint64_t>(a) << (b & 63));
    if (op == ">>") return a >> (b & 63);
    if (op == "+") return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    if (op == "-") return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
    if (op == "*") return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    if (b == 0) {
      error = "divide by zero";
      return std::nullopt;
    }
    if (b == -1) return op == "/" ? static_cast<int64_t>(0 - static_cast<uint64_t>(a)) : 0;
    return op == "/" ? a / b : a % b;
  }

  std::optional<int64_t> unary() {
    if (nesting_ > kMaxNesting) {
      error = "expression nested too deeply";
      return std::nullopt;
    }
    ++nesting_;
    auto v = unary_operand();
    --nesting_;
    return v;
  }

  std::optional<int64_t> unary_operand() {
    if (eat("!")) {
      auto v = unary();
      return v ? std::optional<int64_t>(!*v) : std::nullopt;
    }
    if (eat("~")) {
      auto v = unary();
      return v ? std::optional<int64_t>(~*v) : std::nullopt;
    }
    if (eat("-")) {
      auto v = unary();
      return v ? std::optional<int64_t>(static_cast<int64_t>(0 - static_cast<uint64_t>(*v))) : std::nullopt;
    }
    if (eat("+")) return unary();
    return primary();
  }

  std::optional<int64_t> primary() {
    skip();
    if (eat("(")) {
      if (nesting_ > kMaxNesting) {
        error = "expression nested too deeply";
        return std::nullopt;
      }
      ++nesting_;
      auto v = binary(0);
      --nesting_;
      if (!v || !eat(")")) return std::nullopt;
      return v;
    }
    if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) return number();
    if (pos_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
      const size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
      const std::string value = lookup_(std::string(s_.substr(start, pos_ - start)));
      if (value.empty()) return 0;
      if (depth_ > 16) {
        error = "expression recursion loop detected";
        return std::nullopt;
      }
      ArithParser inner(value, lookup_, depth_ + 1);
      auto v = inner.parse();
      if (!v) error = inner.error;
      return v;
    }
    return std::nullopt;
  }

  std::optional<int64_t> number() {
    int base = 10;
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && (s_[pos_ + 1] == 'x' || s_[pos_ + 1] == 'X')) {
      base = 16;
      pos_ += 2;
    } else if (s_[pos_] == '0') {
      base = 8;
    }
    uint64_t v = 0;
    size_t digits = 0;
    while (pos_ < s_.size() && std::isalnum(static_cast<unsigned char>(s_[pos_]))) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_])));
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
      if (d >= base) return std::nullopt;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      ++pos_;
      ++digits;
    }
    if (digits == 0 && base == 16) return std::nullopt;
    return static_cast<int64_t>(v);
  }

  std::string_view s_;
  size_t pos_ = 0;
  const std::function<std::string(const std::string&)>& lookup_;
  int depth_;
  // Nesting of parentheses and unary operators; the limit keeps hostile input off the stack's end.
  int nesting_ = 0;
  static constexpr int kMaxNesting = 500;
};

}  // namespace

Result<int64_t> eval_arith(std::string_view expr, const std::function<std::string(const std::string&)>& lookup) {
  ArithParser p(expr, lookup);
  auto v = p.parse();
  if (!v) return make_error(p.error);
  return *v;
}

}  // namespace kexsim::fakes::shell

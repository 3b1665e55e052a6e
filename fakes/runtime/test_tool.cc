// test and [: string, integer and file tests against the model's file system.

#include <cctype>
#include <optional>

#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {
namespace {

bool is_unary(const std::string& op) {
  return op.size() == 2 && op[0] == '-' && std::string("nzfdexsrwLhbcptSgkuGO").find(op[1]) != std::string::npos;
}

bool is_binary(const std::string& op) {
  return op == "=" || op == "==" || op == "!=" || op == "<" || op == ">" || op == "-eq" || op == "-ne" || op == "-lt" ||
         op == "-le" || op == "-gt" || op == "-ge" || op == "-nt" || op == "-ot" || op == "-ef";
}

// Recursive descent over the operands: or := and (-o and)*, and := not (-a not)*, not := ! not | primary.
class TestEval {
 public:
  TestEval(ToolContext& ctx, std::vector<std::string> args) : ctx_(ctx), args_(std::move(args)) {}

  // 0 true, 1 false, 2 error (already reported).
  int run() {
    if (args_.empty()) return 1;
    const bool value = or_expr();
    if (error_) return 2;
    if (pos_ < args_.size()) return fail(args_[pos_] + ": unknown operand");
    return value ? 0 : 1;
  }

 private:
  bool or_expr() {
    bool v = and_expr();
    while (!error_ && pos_ < args_.size() && args_[pos_] == "-o") {
      ++pos_;
      v = and_expr() || v;
    }
    return v;
  }
  bool and_expr() {
    bool v = not_expr();
    while (!error_ && pos_ < args_.size() && args_[pos_] == "-a") {
      ++pos_;
      v = not_expr() && v;
    }
    return v;
  }
  bool not_expr() {
    if (pos_ < args_.size() && args_[pos_] == "!" && args_.size() - pos_ > 1) {
      ++pos_;
      return !not_expr();
    }
    return primary();
  }
  bool primary() {
    if (pos_ >= args_.size()) {
      fail("argument expected");
      return false;
    }
    const size_t left = args_.size() - pos_;
    if (args_[pos_] == "(" && left > 1 && !(left >= 3 && is_binary(args_[pos_ + 1]))) {
      ++pos_;
      const bool v = or_expr();
      if (pos_ >= args_.size() || args_[pos_] != ")") {
        fail("closing paren expected");
        return false;
      }
      ++pos_;
      return v;
    }
    if (left >= 3 && is_binary(args_[pos_ + 1])) {
      const std::string& a = args_[pos_];
      const std::string& op = args_[pos_ + 1];
      const std::string& b = args_[pos_ + 2];
      pos_ += 3;
      return binary(a, op, b);
    }
    if (left >= 2 && is_unary(args_[pos_])) {
      const std::string op = args_[pos_];
      const std::string operand = args_[pos_ + 1];
      pos_ += 2;
      return unary(op, operand);
    }
    return !args_[pos_++].empty();
  }

  bool unary(const std::string& op, const std::string& operand) {
    if (op == "-n") return !operand.empty();
    if (op == "-z") return operand.empty();
    if (op == "-t") return false;
    const std::string path = ctx_.path(operand);
    const bool system_file = path == "/etc/hosts" || path == "/etc/hostname" || path == "/dev/null";
    const File* f = ctx_.session.fs.file(path);
    const bool is_dir = ctx_.session.fs.is_dir(path);
    const bool exists = system_file || f || is_dir;
    switch (op[1]) {
      case 'e':
      case 'r':
      case 'w': return exists;
      case 'f': return (system_file && path != "/dev/null") || f;
      case 'd': return is_dir;
      case 'x': return is_dir || (f && f->executable);
      case 's':
        if (system_file) return ctx_.session.read_file(path).ok() && !ctx_.session.read_file(path).value().empty();
        return is_dir || (f && !f->content.empty());
      case 'c': return path == "/dev/null";
      default: return false;
    }
  }

  std::optional<long long> number(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t digits = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    size_t end = i;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (digits == end || i != s.size() || end - start > 18) {
      fail(s + ": bad number");
      return std::nullopt;
    }
    return std::stoll(s.substr(start, end - start));
  }

  bool binary(const std::string& a, const std::string& op, const std::string& b) {
    if (op == "=" || op == "==") return a == b;
    if (op == "!=") return a != b;
    if (op == "<") return a < b;
    if (op == ">") return a > b;
    if (op == "-nt" || op == "-ot" || op == "-ef") return false;
    auto x = number(a);
    auto y = number(b);
    if (!x || !y) return false;
    if (op == "-eq") return *x == *y;
    if (op == "-ne") return *x != *y;
    if (op == "-lt") return *x < *y;
    if (op == "-le") return *x <= *y;
    if (op == "-gt") return *x > *y;
    return *x >= *y;
  }

  int fail(const std::string& message) {
    // busybox reports with the shell's name: "sh: abc: bad number".
    if (!error_) ctx_.err("sh: " + message + "\n");
    error_ = true;
    return 2;
  }

  ToolContext& ctx_;
  std::vector<std::string> args_;
  size_t pos_ = 0;
  bool error_ = false;
};

int tool_test(ToolContext& ctx) {
  std::vector<std::string> args(ctx.args.begin() + 1, ctx.args.end());
  if (ctx.args[0] == "[") {
    if (args.empty() || args.back() != "]") {
      ctx.err("sh: missing ]\n");
      return 2;
    }
    args.pop_back();
  }
  return TestEval(ctx, std::move(args)).run();
}

}  // namespace

void add_test_tool(ToolTable& table) {
  table["test"] = {tool_test, ToolTier::kBuiltin};
  table["["] = {tool_test, ToolTier::kBuiltin};
}

}  // namespace kexsim::fakes::shell

// Shell built-ins that change the shell itself: cd, export, set, exit, trap, read, control flow.

#include <cctype>

#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {
namespace {

bool is_name(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool parse_count(const std::string& s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  out = std::stoi(s);
  return true;
}

// Single-quotes a value the way `export -p` and `set` print it.
std::string shell_quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'')
      out += "'\"'\"'";
    else
      out.push_back(c);
  }
  return out + "'";
}

int tool_cd(ToolContext& ctx) {
  std::string target;
  size_t i = 1;
  while (i < ctx.args.size() && (ctx.args[i] == "-P" || ctx.args[i] == "-L")) ++i;
  bool print = false;
  if (i >= ctx.args.size()) {
    const std::string* home = ctx.env.get("HOME");
    target = home && !home->empty() ? *home : "/";
  } else if (ctx.args[i] == "-") {
    target = ctx.env.value("OLDPWD");
    print = true;
  } else {
    target = ctx.args[i];
  }
  const std::string path = ctx.path(target);
  if (!ctx.session.fs.is_dir(path)) {
    const char* why = ctx.session.fs.is_file(path) ? "Not a directory" : "No such file or directory";
    ctx.err("sh: cd: can't cd to " + target + ": " + why + "\n");
    return 2;
  }
  ctx.env.vars["OLDPWD"] = ctx.env.cwd;
  ctx.env.cwd = path;
  ctx.env.vars["PWD"] = path;
  if (print) ctx.out(path + "\n");
  return 0;
}

int tool_pwd(ToolContext& ctx) {
  ctx.out(ctx.env.cwd + "\n");
  return 0;
}

// export, readonly and local: all set variables; export also marks them for child processes.
int tool_declare(ToolContext& ctx) {
  const bool do_export = ctx.args[0] == "export";
  size_t i = 1;
  while (i < ctx.args.size() && ctx.args[i].size() > 1 && ctx.args[i][0] == '-' && ctx.args[i] != "-p") ++i;
  if (i >= ctx.args.size() || ctx.args[i] == "-p") {
    if (ctx.args[0] == "local") return 0;
    std::string listing;
    for (const auto& name : ctx.env.exported) {
      const std::string* v = ctx.env.get(name);
      listing += ctx.args[0] + " " + name + (v ? "=" + shell_quote(*v) : "") + "\n";
    }
    ctx.out(listing);
    return 0;
  }
  int status = 0;
  for (; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (!is_name(name)) {
      ctx.err("sh: " + ctx.args[0] + ": " + name + ": bad variable name\n");
      status = 1;
      continue;
    }
    if (eq != std::string::npos) ctx.env.vars[name] = a.substr(eq + 1);
    if (do_export) ctx.env.exported.insert(name);
  }
  return status;
}

int tool_unset(ToolContext& ctx) {
  bool functions = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a == "-f") {
      functions = true;
    } else if (a == "-v") {
      functions = false;
    } else if (functions) {
      ctx.env.functions.erase(a);
    } else {
      ctx.env.vars.erase(a);
      ctx.env.exported.erase(a);
    }
  }
  return 0;
}

// busybox ash's long option names, in its order; only the first four change the model.
constexpr const char* kOptionNames[] = {"errexit", "noglob",   "ignoreeof", "monitor",   "noexec",
                                        "xtrace",  "verbose",  "noclobber", "allexport", "notify",
                                        "nounset", "errtrace", "vi",        "pipefail"};

bool* option_flag(ShellEnv& env, const std::string& name) {
  if (name == "errexit") return &env.errexit;
  if (name == "pipefail") return &env.pipefail;
  if (name == "nounset") return &env.nounset;
  if (name == "xtrace") return &env.xtrace;
  return nullptr;
}

bool set_named_option(ShellEnv& env, const std::string& name, bool on) {
  bool known = false;
  for (const char* n : kOptionNames) known = known || name == n;
  if (bool* flag = option_flag(env, name)) *flag = on;
  return known;
}

// `set -o` / `set +o` listings as ash prints them (stage scripts grep the former for "pipefail").
std::string option_listing(ShellEnv& env, bool as_commands) {
  std::string out;
  for (const char* name : kOptionNames) {
    const bool* flag = option_flag(env, name);
    const bool on = flag && *flag;
    if (as_commands) {
      out += std::string("set ") + (on ? "-o " : "+o ") + name + "\n";
    } else {
      std::string line = name;
      line.resize(16, ' ');
      out += line + (on ? "on" : "off") + "\n";
    }
  }
  return out;
}

int tool_set(ToolContext& ctx) {
  if (ctx.args.size() == 1) {
    std::string listing;
    for (const auto& [name, value] : ctx.env.vars) listing += name + "=" + shell_quote(value) + "\n";
    ctx.out(listing);
    return 0;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a == "--" || a == "-") {
      ctx.env.positional.assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(i) + 1, ctx.args.end());
      return 0;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) {
      ctx.env.positional.assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(i), ctx.args.end());
      return 0;
    }
    const bool on = a[0] == '-';
    for (size_t k = 1; k < a.size(); ++k) {
      switch (a[k]) {
        case 'e': ctx.env.errexit = on; break;
        case 'u': ctx.env.nounset = on; break;
        case 'x': ctx.env.xtrace = on; break;
        case 'o':
          if (i + 1 >= ctx.args.size()) {
            ctx.out(option_listing(ctx.env, !on));
            break;
          }
          if (!set_named_option(ctx.env, ctx.args[++i], on)) {
            ctx.err("sh: set: illegal option -o " + ctx.args[i] + "\n");
            return 2;
          }
          break;
        default: break;
      }
    }
  }
  return 0;
}

int tool_exit(ToolContext& ctx) {
  int code = ctx.env.status;
  if (ctx.args.size() > 1 && !parse_count(ctx.args[1], code)) {
    ctx.err("sh: exit: Illegal number: " + ctx.args[1] + "\n");
    code = 2;
  }
  code &= 0xff;
  ctx.env.exit(code);
  return code;
}

int tool_return(ToolContext& ctx) {
  int code = ctx.env.status;
  if (ctx.args.size() > 1 && !parse_count(ctx.args[1], code)) {
    ctx.err("sh: return: Illegal number: " + ctx.args[1] + "\n");
    code = 2;
  }
  code &= 0xff;
  ctx.env.status = code;
  if (ctx.env.function_depth == 0)
    ctx.env.exit(code);
  else
    ctx.env.returning = true;
  return code;
}

int tool_break_continue(ToolContext& ctx) {
  int n = 1;
  if (ctx.args.size() > 1 && (!parse_count(ctx.args[1], n) || n < 1)) {
    ctx.err("sh: " + ctx.args[0] + ": Illegal number: " + ctx.args[1] + "\n");
    return 2;
  }
  if (ctx.env.loop_depth == 0) return 0;
  n = std::min(n, ctx.env.loop_depth);
  if (ctx.args[0] == "break")
    ctx.env.breaks = n;
  else
    ctx.env.continues = n;
  return 0;
}

int tool_shift(ToolContext& ctx) {
  int n = 1;
  if (ctx.args.size() > 1 && !parse_count(ctx.args[1], n)) {
    ctx.err("sh: shift: Illegal number: " + ctx.args[1] + "\n");
    return 2;
  }
  if (static_cast<size_t>(n) > ctx.env.positional.size()) {
    ctx.err("sh: shift: can't shift that many\n");
    return 2;
  }
  ctx.env.positional.erase(ctx.env.positional.begin(), ctx.env.positional.begin() + n);
  return 0;
}

// Only EXIT traps ever fire: nothing sends signals to a modelled process.
int tool_trap(ToolContext& ctx) {
  if (ctx.args.size() == 1) {
    std::string listing;
    for (const auto& [cond, action] : ctx.env.traps) listing += "trap -- " + shell_quote(action) + " " + cond + "\n";
    ctx.out(listing);
    return 0;
  }
  size_t i = 1;
  if (ctx.args[i] == "--") ++i;
  if (i >= ctx.args.size() || ctx.args[i] == "-l" || ctx.args[i] == "-p") return 0;
  int unused = 0;
  const bool reset = ctx.args[i] == "-" || parse_count(ctx.args[i], unused);
  const std::string action = ctx.args[i];
  if (!reset) ++i;
  for (; i < ctx.args.size(); ++i) {
    std::string cond = ctx.args[i];
    if (cond == "0") cond = "EXIT";
    if (reset)
      ctx.env.traps.erase(cond);
    else
      ctx.env.traps[cond] = action;
  }
  return 0;
}

int tool_read(ToolContext& ctx) {
  bool raw = false;
  size_t i = 1;
  for (; i < ctx.args.size() && ctx.args[i].size() > 1 && ctx.args[i][0] == '-'; ++i) {
    const std::string& a = ctx.args[i];
    if (a == "-r") raw = true;
    if ((a == "-p" || a == "-t" || a == "-n" || a == "-u" || a == "-d") && i + 1 < ctx.args.size()) ++i;
  }
  std::vector<std::string> names(ctx.args.begin() + static_cast<std::ptrdiff_t>(i), ctx.args.end());
  if (names.empty()) names.push_back("REPLY");
  std::string line;
  Duration at{0};
  const bool got = ctx.io.in->read_line(line, at);
  if (got) ctx.session.now = std::max(ctx.session.now, at);
  if (!raw) {
    std::string unescaped;
    for (size_t k = 0; k < line.size(); ++k) {
      if (line[k] == '\\' && k + 1 < line.size()) ++k;
      unescaped.push_back(line[k]);
    }
    line = std::move(unescaped);
  }
  // Split on IFS whitespace; the last name takes the rest of the line.
  size_t pos = line.find_first_not_of(" \t");
  for (size_t n = 0; n < names.size(); ++n) {
    std::string value;
    if (pos != std::string::npos) {
      if (n + 1 == names.size()) {
        value = line.substr(pos);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
        pos = std::string::npos;
      } else {
        const size_t end = line.find_first_of(" \t", pos);
        value = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? end : line.find_first_not_of(" \t", end);
      }
    }
    ctx.env.vars[names[n]] = value;
  }
  return got ? 0 : 1;
}

}  // namespace

void add_shell_builtins(ToolTable& table) {
  for (const char* name : {"export", "readonly", "local"}) table[name] = {tool_declare, ToolTier::kSpecial};
  table["unset"] = {tool_unset, ToolTier::kSpecial};
  table["set"] = {tool_set, ToolTier::kSpecial};
  table["exit"] = {tool_exit, ToolTier::kSpecial};
  table["return"] = {tool_return, ToolTier::kSpecial};
  table["break"] = {tool_break_continue, ToolTier::kSpecial};
  table["continue"] = {tool_break_continue, ToolTier::kSpecial};
  table["shift"] = {tool_shift, ToolTier::kSpecial};
  table["trap"] = {tool_trap, ToolTier::kSpecial};
  table["cd"] = {tool_cd, ToolTier::kBuiltin};
  table["pwd"] = {tool_pwd, ToolTier::kBuiltin};
  table["read"] = {tool_read, ToolTier::kBuiltin};
}

}  // namespace kexsim::fakes::shell

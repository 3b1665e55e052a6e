// Command dispatch: which implementation a command name runs, and the built-ins that need the
// interpreter itself (eval, ., exec, command, sh -c, env, wait).

#include <algorithm>
#include <optional>

#include "fakes/runtime/interpreter.h"
#include "fakes/runtime/scenario_command.h"
#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {
namespace {

// Deep recursion is a script bug (or a hostile script); stop before the host's stack does.
constexpr int kMaxFunctionDepth = 100;

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_shell_program(const std::string& name) { return name == "sh" || name == "bash" || name == "ash"; }

// A new shell process inherits only the exported variables and the working directory.
ShellEnv process_env(const ShellEnv& parent) {
  ShellEnv child;
  for (const auto& name : parent.exported) {
    if (const std::string* v = parent.get(name)) {
      child.vars[name] = *v;
      child.exported.insert(name);
    }
  }
  child.cwd = parent.cwd;
  return child;
}

std::vector<std::string> tail(const std::vector<std::string>& args, size_t from) {
  if (from >= args.size()) return {};
  return {args.begin() + static_cast<std::ptrdiff_t>(from), args.end()};
}

}  // namespace

int Interpreter::run_command(const std::vector<std::string>& args, const std::vector<Word>& assignments, const Io& io) {
  const std::string& name = args[0];
  const ToolEntry* tool = session_.tool(name);
  // What the pod's service daemons wrote by now (dind's certificates) is there for every command.
  if (const PodServices* services = session_.world.services())
    land_service_files(*services, session_.fs, session_.start + session_.now);
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& a : assignments) {
    std::string v;
    if (!expand_string(a, io, v)) return env_.exit_code;
    values.emplace_back(a.raw, std::move(v));
  }
  const bool special =
      (tool && tool->tier == ToolTier::kSpecial) || name == "eval" || name == "." || name == "source" || name == "exec";
  int status = 0;
  if (special) {
    // Assignments before a special built-in stay set afterwards (POSIX).
    for (auto& [k, v] : values) env_.vars[k] = v;
    if (run_shell_level_builtin(args, io, status)) return status;
    ToolContext ctx{session_, env_, io, args};
    return tool->run(ctx);
  }
  struct Saved {
    std::string name;
    std::optional<std::string> value;
    bool exported;
  };
  std::vector<Saved> saved;
  for (auto& [k, v] : values) {
    const std::string* old = env_.get(k);
    saved.push_back({k, old ? std::optional<std::string>(*old) : std::nullopt, env_.exported.count(k) > 0});
    env_.vars[k] = v;
    env_.exported.insert(k);
  }
  auto fn = env_.functions.find(name);
  if (fn != env_.functions.end()) {
    status = run_function(*fn->second, args, io);
  } else if (run_shell_level_builtin(args, io, status)) {
  } else if (tool && tool->tier == ToolTier::kBuiltin) {
    ToolContext ctx{session_, env_, io, args};
    status = tool->run(ctx);
  } else {
    status = run_external(args, io);
  }
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
    if (it->value)
      env_.vars[it->name] = *it->value;
    else
      env_.vars.erase(it->name);
    if (!it->exported) env_.exported.erase(it->name);
  }
  return status;
}

int Interpreter::run_function(const Command& fn, const std::vector<std::string>& args, const Io& io) {
  if (env_.function_depth >= kMaxFunctionDepth) {
    session_.write(io.err, "sh: " + args[0] + ": function nesting too deep\n");
    env_.exit(2);
    return 2;
  }
  std::vector<std::string> saved = std::move(env_.positional);
  env_.positional = tail(args, 1);
  ++env_.function_depth;
  int status = execute(fn, io);
  --env_.function_depth;
  if (env_.returning) {
    env_.returning = false;
    status = env_.status;
  }
  env_.positional = std::move(saved);
  return status;
}

int Interpreter::run_external(const std::vector<std::string>& args, const Io& io) {
  const std::string& name = args[0];
  const std::string base = basename_of(name);
  const bool has_slash = name.find('/') != std::string::npos;
  const CommandSpec* spec = session_.world.command(name);
  if (!spec && has_slash) spec = session_.world.command(base);
  if (spec) return run_scenario_command(*spec, base, session_, io);
  if (is_shell_program(base) && (!has_slash || session_.fs.is_file(FileSystem::resolve(env_.cwd, name))))
    return builtin_sh(args, io);
  if (base == "env") return builtin_env(args, io);
  // The helper image's entry wrapper: a shell that reads its script from stdin (the attach
  // strategy types `gitlab-runner-build <<< /scripts-P-J/<stage>`).
  if (base == "gitlab-runner-build") return builtin_sh({"sh"}, io);
  const ToolEntry* tool = session_.tool(base);
  if (tool && tool->tier != ToolTier::kSpecial) {
    ToolContext ctx{session_, env_, io, args};
    return tool->run(ctx);
  }
  if (has_slash) {
    const std::string path = FileSystem::resolve(env_.cwd, name);
    if (const File* f = session_.fs.file(path)) {
      if (!f->executable) {
        session_.write(io.err, "sh: " + name + ": Permission denied\n");
        return 126;
      }
      return run_script_file(f->content, name, tail(args, 1), io);
    }
  }
  session_.write(io.err, "sh: " + name + ": not found\n");
  return 127;
}

int Interpreter::run_script_file(const std::string& text, const std::string& name, const std::vector<std::string>& args,
                                 const Io& io) {
  ShellEnv child = process_env(env_);
  child.script_name = name;
  child.positional = args;
  Interpreter sub(session_, child);
  const int status = sub.run_script(text, io);
  return sub.finish(status, io);
}

bool Interpreter::run_shell_level_builtin(const std::vector<std::string>& args, const Io& io, int& status) {
  const std::string& name = args[0];
  if (name == "eval")
    status = builtin_eval(args, io);
  else if (name == "." || name == "source")
    status = builtin_source(args, io);
  else if (name == "exec")
    status = builtin_exec(args, io);
  else if (name == "command")
    status = builtin_command(args, io);
  else if (name == "type")
    status = builtin_type(args, io);
  else if (name == "wait") {
    session_.now = std::max(session_.now, session_.background_end);
    status = 0;
  } else {
    return false;
  }
  return true;
}

int Interpreter::builtin_eval(const std::vector<std::string>& args, const Io& io) {
  std::string text;
  for (size_t i = 1; i < args.size(); ++i) text += (i > 1 ? " " : "") + args[i];
  env_.status = 0;
  return run_script(text, io);
}

int Interpreter::builtin_source(const std::vector<std::string>& args, const Io& io) {
  if (args.size() < 2) return 0;
  auto content = session_.read_file(FileSystem::resolve(env_.cwd, args[1]));
  if (!content.ok()) {
    session_.write(io.err, "sh: " + args[0] + ": can't open '" + args[1] + "'\n");
    env_.exit(2);
    return 2;
  }
  std::vector<std::string> saved = env_.positional;
  if (args.size() > 2) env_.positional = tail(args, 2);
  const int status = run_script(content.value(), io);
  if (args.size() > 2) env_.positional = std::move(saved);
  return status;
}

int Interpreter::builtin_exec(const std::vector<std::string>& args, const Io& io) {
  if (args.size() < 2) return 0;
  const int status = run_command(tail(args, 1), {}, io);
  env_.exit(status);
  return status;
}

std::string Interpreter::command_path(const std::string& name) const {
  if (name.find('/') != std::string::npos) return session_.fs.exists(FileSystem::resolve(env_.cwd, name)) ? name : "";
  if (env_.functions.count(name)) return name;
  const ToolEntry* tool = session_.tool(name);
  if ((tool && tool->tier != ToolTier::kModel) || name == "eval" || name == "." || name == "exec" ||
      name == "command" || name == "type" || name == "wait")
    return name;
  if (is_shell_program(name)) return "/bin/" + name;
  if (tool || name == "env" || session_.world.command(name)) return "/usr/bin/" + name;
  return "";
}

int Interpreter::builtin_command(const std::vector<std::string>& args, const Io& io) {
  size_t i = 1;
  bool describe = false;
  while (i < args.size() && (args[i] == "-v" || args[i] == "-V" || args[i] == "-p")) {
    if (args[i] != "-p") describe = true;
    ++i;
  }
  if (i >= args.size()) return 0;
  if (describe) {
    int status = 0;
    for (; i < args.size(); ++i) {
      const std::string path = command_path(args[i]);
      if (path.empty())
        status = 1;
      else
        session_.write(io.out, path + "\n");
    }
    return status;
  }
  std::vector<std::string> rest = tail(args, i);
  int status = 0;
  if (run_shell_level_builtin(rest, io, status)) return status;
  const ToolEntry* tool = session_.tool(rest[0]);
  if (tool && tool->tier != ToolTier::kModel) {
    ToolContext ctx{session_, env_, io, rest};
    return tool->run(ctx);
  }
  return run_external(rest, io);
}

int Interpreter::builtin_type(const std::vector<std::string>& args, const Io& io) {
  int status = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string path = command_path(args[i]);
    if (path.empty()) {
      session_.write(io.out, args[i] + ": not found\n");
      status = 127;
    } else if (path == args[i] && env_.functions.count(args[i])) {
      session_.write(io.out, args[i] + " is a function\n");
    } else if (path == args[i] && path.find('/') == std::string::npos) {
      session_.write(io.out, args[i] + " is a shell builtin\n");
    } else {
      session_.write(io.out, args[i] + " is " + path + "\n");
    }
  }
  return status;
}

int Interpreter::builtin_sh(const std::vector<std::string>& args, const Io& io) {
  ShellEnv child = process_env(env_);
  bool command_string = false;
  size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    const bool on = a[0] == '-';
    for (size_t k = 1; k < a.size(); ++k) {
      const char f = a[k];
      if (f == 'c') command_string = true;
      if (f == 'e') child.errexit = on;
      if (f == 'u') child.nounset = on;
      if (f == 'x') child.xtrace = on;
      if (f == 'o' && i + 1 < args.size()) {
        const std::string& opt = args[++i];
        if (opt == "pipefail") child.pipefail = on;
        if (opt == "errexit") child.errexit = on;
        if (opt == "nounset") child.nounset = on;
      }
    }
  }
  std::string text;
  if (command_string) {
    if (i >= args.size()) {
      session_.write(io.err, "sh: -c requires an argument\n");
      return 2;
    }
    text = args[i++];
    child.script_name = i < args.size() ? args[i++] : args[0];
  } else if (i < args.size()) {
    auto content = session_.read_file(FileSystem::resolve(env_.cwd, args[i]));
    if (!content.ok()) {
      session_.write(io.err, "sh: can't open '" + args[i] + "': " + content.error().message + "\n");
      return 2;
    }
    text = content.value();
    child.script_name = args[i++];
  } else {
    for (const auto& chunk : io.in->take_all()) text += chunk.data;
  }
  child.positional = tail(args, i);
  Interpreter sub(session_, child);
  const int status = sub.run_script(text, io);
  return sub.finish(status, io);
}

int Interpreter::builtin_env(const std::vector<std::string>& args, const Io& io) {
  size_t i = 1;
  bool clear = false;
  std::vector<std::string> unset_names;
  std::vector<std::pair<std::string, std::string>> sets;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-i" || a == "-") {
      clear = true;
    } else if (a == "-u" && i + 1 < args.size()) {
      unset_names.push_back(args[++i]);
    } else if (a.find('=') != std::string::npos && a[0] != '=') {
      const size_t eq = a.find('=');
      sets.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else {
      break;
    }
  }
  // Run the rest with a changed environment, then put the shell's variables back.
  const ShellEnv saved = env_;
  if (clear) {
    for (const auto& n : env_.exported) env_.vars.erase(n);
    env_.exported.clear();
  }
  for (const auto& n : unset_names) {
    env_.vars.erase(n);
    env_.exported.erase(n);
  }
  for (const auto& [k, v] : sets) {
    env_.vars[k] = v;
    env_.exported.insert(k);
  }
  int status = 0;
  if (i < args.size()) {
    status = run_external(tail(args, i), io);
  } else {
    std::string listing;
    for (const auto& n : env_.exported)
      if (const std::string* v = env_.get(n)) listing += n + "=" + *v + "\n";
    session_.write(io.out, listing);
  }
  env_.vars = saved.vars;
  env_.exported = saved.exported;
  return status;
}

}  // namespace kexsim::fakes::shell

#include "fakes/runtime/interpreter.h"

#include <algorithm>

#include "fakes/runtime/pattern.h"
#include "fakes/runtime/shell_parser.h"
#include "fakes/runtime/xtrace.h"

namespace kexsim::fakes::shell {
namespace {

// A script runs synchronously inside one call, so an endless loop must end somewhere. The limit is
// far above what a stage script runs, and the message says what happened.
constexpr uint64_t kMaxSteps = 100000;

// Scripts calling scripts, eval and subshells nest; past this the host's stack is at risk.
constexpr int kMaxDepth = 400;

// Background jobs get made-up process ids; they only need to be stable.
constexpr int kFirstBackgroundPid = 100;

}  // namespace

int Interpreter::run_script(std::string_view script, const Io& io) {
  Parser parser(script);
  while (!env_.interrupted() && !session_.killed) {
    auto next = parser.next();
    if (!next.ok()) {
      session_.write(io.err, "sh: " + next.error().message + "\n");
      env_.exit(2);
      break;
    }
    if (!next.value()) break;
    env_.status = execute(*next.value(), io);
  }
  return env_.exiting ? env_.exit_code : env_.status;
}

int Interpreter::finish(int status, const Io& io) {
  if (session_.killed) return kKilledStatus;  // SIGKILL runs no trap
  auto it = env_.traps.find("EXIT");
  if (it == env_.traps.end()) return status;
  const std::string action = it->second;
  env_.traps.erase(it);
  env_.exiting = false;
  env_.returning = false;
  env_.breaks = env_.continues = 0;
  env_.status = status;
  run_script(action, io);
  return env_.exiting ? env_.exit_code : status;
}

int Interpreter::execute(const Command& cmd, const Io& io) {
  if (session_.depth >= kMaxDepth) {
    session_.write(io.err, "sh: kexsim: commands nested too deeply (runaway recursion?)\n");
    env_.exit(2);
    return 2;
  }
  if (session_.killed) return kKilledStatus;  // the container is gone: nothing runs any more
  ++session_.depth;
  const int status = dispatch(cmd, io);
  --session_.depth;
  return status;
}

int Interpreter::dispatch(const Command& cmd, const Io& io) {
  if (cmd.kind == Command::Kind::kSimple) return run_simple(cmd, io);
  if (cmd.kind == Command::Kind::kSequence) return run_sequence(cmd, io);
  if (cmd.kind == Command::Kind::kAndOr) return run_and_or(cmd, io);
  if (cmd.kind == Command::Kind::kPipeline) return run_pipeline(cmd, io);
  if (cmd.kind == Command::Kind::kFunction) {
    env_.functions[cmd.name] = cmd.body;
    return 0;
  }
  // Compound commands: their redirections apply to everything inside.
  Io inner = io;
  if (!apply_redirects(cmd.redirects, inner)) return 1;
  switch (cmd.kind) {
    case Command::Kind::kSubshell: return run_subshell(*cmd.body, inner);
    case Command::Kind::kGroup: return run_sequence(*cmd.body, inner);
    case Command::Kind::kIf: return run_if(cmd, inner);
    case Command::Kind::kFor: return run_for(cmd, inner);
    case Command::Kind::kWhile:
    case Command::Kind::kUntil: return run_loop(cmd, inner);
    case Command::Kind::kCase: return run_case(cmd, inner);
    default: return 0;
  }
}

int Interpreter::run_checked(const Command& cmd, const Io& io) {
  const int status = execute(cmd, io);
  const bool negated = cmd.kind == Command::Kind::kPipeline && cmd.negated;
  if (status != 0 && env_.errexit && errexit_suppressed_ == 0 && !negated && !env_.interrupted()) env_.exit(status);
  return status;
}

int Interpreter::run_sequence(const Command& cmd, const Io& io) {
  int status = 0;
  for (size_t i = 0; i < cmd.children.size() && !env_.interrupted(); ++i) {
    const Command& child = *cmd.children[i];
    if (cmd.background[i])
      status = run_background(child, io);
    else if (child.kind == Command::Kind::kAndOr)
      status = run_and_or(child, io);
    else
      status = run_checked(child, io);
    env_.status = status;
  }
  return status;
}

int Interpreter::run_and_or(const Command& cmd, const Io& io) {
  int status = 0;
  const size_t last = cmd.children.size() - 1;
  for (size_t i = 0; i <= last && !env_.interrupted(); ++i) {
    if (i > 0) {
      const bool is_and = cmd.and_ops[i - 1];
      if (is_and != (status == 0)) continue;
    }
    if (i == last) {
      status = run_checked(*cmd.children[i], io);
    } else {
      ++errexit_suppressed_;
      status = execute(*cmd.children[i], io);
      --errexit_suppressed_;
    }
    env_.status = status;
  }
  return status;
}

int Interpreter::run_pipeline(const Command& cmd, const Io& io) {
  if (cmd.negated) ++errexit_suppressed_;
  int status = 0;
  if (cmd.children.size() == 1) {
    status = execute(*cmd.children[0], io);
  } else {
    // Every stage starts when the pipeline starts; a stage that reads its input sees each piece
    // when it was written, so `a | tee f` keeps a's timing. Each stage runs in a subshell.
    const Duration start = session_.now;
    Duration end = start;
    std::shared_ptr<InputBuffer> input = io.in;
    int last_failure = 0;
    for (size_t i = 0; i < cmd.children.size(); ++i) {
      const bool last = i + 1 == cmd.children.size();
      Io stage = io;
      stage.in = input;
      auto buffer = std::make_shared<std::vector<OutputChunk>>();
      if (!last) stage.out = Sink::to_buffer(buffer);
      session_.now = start;
      status = run_subshell(*cmd.children[i], stage);
      if (status != 0) last_failure = status;
      end = std::max(end, session_.now);
      input = std::make_shared<InputBuffer>(std::move(*buffer));
    }
    session_.now = end;
    if (env_.pipefail && status == 0) status = last_failure;
  }
  if (cmd.negated) {
    --errexit_suppressed_;
    status = status == 0 ? 1 : 0;
  }
  return status;
}

int Interpreter::run_condition(const Command& cmd, const Io& io) {
  ++errexit_suppressed_;
  const int status = execute(cmd, io);
  --errexit_suppressed_;
  env_.status = status;
  return status;
}

int Interpreter::run_if(const Command& cmd, const Io& io) {
  const size_t n = cmd.children.size();
  for (size_t i = 0; i + 1 < n; i += 2) {
    const int cond = run_condition(*cmd.children[i], io);
    if (env_.interrupted()) return cond;
    if (cond == 0) return execute(*cmd.children[i + 1], io);
  }
  if (n % 2 == 1) return execute(*cmd.children[n - 1], io);
  return 0;
}

bool Interpreter::loop_should_stop() {
  if (session_.killed) return true;
  if (env_.breaks > 0) {
    --env_.breaks;
    return true;
  }
  if (env_.continues > 0) {
    if (--env_.continues > 0) return true;  // continue an outer loop
    return false;
  }
  return env_.interrupted();
}

int Interpreter::run_for(const Command& cmd, const Io& io) {
  std::vector<std::string> items;
  if (cmd.has_in) {
    for (const auto& w : cmd.words)
      if (!expand_fields(w, io, items)) return 1;
  } else {
    items = env_.positional;
  }
  int status = 0;
  ++env_.loop_depth;
  for (const auto& item : items) {
    env_.vars[cmd.name] = item;
    status = execute(*cmd.body, io);
    if (loop_should_stop()) break;
  }
  --env_.loop_depth;
  return status;
}

int Interpreter::run_loop(const Command& cmd, const Io& io) {
  const bool until = cmd.kind == Command::Kind::kUntil;
  int status = 0;
  ++env_.loop_depth;
  while (true) {
    const int cond = run_condition(*cmd.children[0], io);
    if (env_.interrupted()) break;
    if ((cond == 0) == until) break;
    status = execute(*cmd.children[1], io);
    if (loop_should_stop()) break;
  }
  --env_.loop_depth;
  return status;
}

int Interpreter::run_case(const Command& cmd, const Io& io) {
  std::string subject;
  if (!expand_string(cmd.subject, io, subject)) return 1;
  for (const auto& item : cmd.items) {
    for (const auto& pattern_word : item.patterns) {
      std::string pattern;
      if (!expand_pattern(pattern_word, io, pattern)) return 1;
      if (pattern_match(pattern, subject)) return item.body ? execute(*item.body, io) : 0;
    }
  }
  return 0;
}

int Interpreter::run_background(const Command& cmd, const Io& io) {
  // A background job runs beside the script: it starts now and the script goes on at once. The
  // exec only ends once the job has (it holds the output streams open).
  const Duration start = session_.now;
  Io job = io;
  job.in = std::make_shared<InputBuffer>();
  run_subshell(cmd, job);
  session_.background_end = std::max(session_.background_end, session_.now);
  session_.now = start;
  env_.last_background_pid = env_.last_background_pid ? env_.last_background_pid + 1 : kFirstBackgroundPid;
  return 0;
}

int Interpreter::run_subshell(const Command& body, const Io& io) {
  ShellEnv child = env_;
  child.exiting = child.returning = false;
  child.breaks = child.continues = 0;
  child.loop_depth = 0;
  child.traps.clear();
  Interpreter sub(session_, child);
  sub.errexit_suppressed_ = errexit_suppressed_;
  int status = sub.execute(body, io);
  if (child.exiting) status = child.exit_code;
  return sub.finish(status, io);
}

int Interpreter::run_simple(const Command& cmd, const Io& io) {
  if (++session_.steps > kMaxSteps) {
    session_.write(io.err, "sh: kexsim: the shell model stopped this script after " + std::to_string(kMaxSteps) +
                               " commands (an endless loop?)\n");
    env_.exit(124);
    return 124;
  }
  last_substitution_status_ = -1;
  std::vector<std::string> args;
  for (size_t i = 0; i < cmd.words.size(); ++i) {
    const Word& w = cmd.words[i];
    // Declaration utilities take NAME=value operands whole, like assignments.
    const bool declaration = i > 0 && !args.empty() &&
                             (args[0] == "export" || args[0] == "readonly" || args[0] == "local") &&
                             is_assignment_word(w.raw);
    if (declaration) {
      std::string value;
      if (!expand_string(w, io, value)) return env_.exit_code;
      args.push_back(std::move(value));
    } else if (!expand_fields(w, io, args)) {
      return env_.exit_code;
    }
  }
  // set -x: the expanded words go to the shell's stderr, before the command's own redirections.
  if (env_.xtrace && !args.empty()) {
    std::string trace = xtrace_command(env_.xtrace_level, args);
    if (args[0] == "export" || args[0] == "readonly" || args[0] == "local") {
      for (size_t i = 1; i < args.size(); ++i) {
        const size_t eq = args[i].find('=');
        if (eq != std::string::npos && eq > 0)
          trace += xtrace_assignment(env_.xtrace_level, args[i].substr(0, eq), args[i].substr(eq + 1));
      }
    }
    session_.write(io.err, trace);
  }
  Io cmd_io = io;
  if (!apply_redirects(cmd.redirects, cmd_io)) return env_.exiting ? env_.exit_code : 1;
  if (args.empty()) {
    for (const auto& a : cmd.assignments) {
      std::string value;
      if (!expand_string(a, io, value)) return env_.exit_code;
      if (env_.xtrace) session_.write(io.err, xtrace_assignment(env_.xtrace_level, a.raw, value));
      env_.vars[a.raw] = std::move(value);
    }
    return last_substitution_status_ >= 0 ? last_substitution_status_ : 0;
  }
  return run_command(args, cmd.assignments, cmd_io);
}

bool Interpreter::apply_redirects(const std::vector<Redirect>& redirects, Io& io) {
  for (const auto& r : redirects) {
    std::string target;
    if (r.op == Redirect::Op::kHereDoc) {
      if (!expand_string(r.heredoc->body, io, target)) return false;
      io.in = std::make_shared<InputBuffer>(std::vector<OutputChunk>{{session_.now, 1, target}});
      continue;
    }
    if (!expand_string(r.target, io, target)) return false;
    switch (r.op) {
      case Redirect::Op::kHereString:
        io.in = std::make_shared<InputBuffer>(std::vector<OutputChunk>{{session_.now, 1, target + "\n"}});
        break;
      case Redirect::Op::kIn: {
        auto content = session_.read_file(FileSystem::resolve(env_.cwd, target));
        if (!content.ok()) {
          session_.write(io.err, "sh: can't open " + target + ": no such file\n");
          return false;
        }
        io.in = std::make_shared<InputBuffer>(std::vector<OutputChunk>{{session_.now, 1, content.value()}});
        break;
      }
      case Redirect::Op::kDupIn: break;
      case Redirect::Op::kDupOut: {
        Sink sink = target == "1" ? io.out : target == "2" ? io.err : Sink::null();
        if (target != "1" && target != "2" && target != "-") {
          session_.write(io.err, "sh: " + target + ": bad file descriptor\n");
          return false;
        }
        if (r.fd == 1) io.out = sink;
        if (r.fd == 2) io.err = sink;
        break;
      }
      case Redirect::Op::kOut:
      case Redirect::Op::kAppend:
      case Redirect::Op::kOutErr:
      case Redirect::Op::kAppendOutErr: {
        Sink sink;
        if (target == "/dev/null") {
          sink = Sink::null();
        } else if (target == "/dev/stdout") {
          sink = io.out;
        } else if (target == "/dev/stderr") {
          sink = io.err;
        } else {
          const std::string path = FileSystem::resolve(env_.cwd, target);
          if (session_.fs.is_dir(path)) {
            session_.write(io.err, "sh: can't create " + target + ": Is a directory\n");
            return false;
          }
          if (!session_.fs.is_dir(FileSystem::parent(path))) {
            session_.write(io.err, "sh: can't create " + target + ": nonexistent directory\n");
            return false;
          }
          const bool append = r.op == Redirect::Op::kAppend || r.op == Redirect::Op::kAppendOutErr;
          session_.fs.write(path, "", append);
          sink = Sink::to_file(path);
        }
        const bool both = r.op == Redirect::Op::kOutErr || r.op == Redirect::Op::kAppendOutErr;
        if (r.fd == 1 || both) io.out = sink;
        if (r.fd == 2 || both) io.err = sink;
        break;
      }
      case Redirect::Op::kHereDoc: break;
    }
  }
  return true;
}

}  // namespace kexsim::fakes::shell

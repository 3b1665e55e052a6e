#include "fakes/runtime/shell.h"

#include <algorithm>
#include <exception>

#include "fakes/runtime/interpreter.h"

namespace kexsim::fakes {
namespace {

// Background jobs and pipes write out of order; the stream is ordered by time, then merged so
// each stream has one chunk per instant.
std::vector<OutputChunk> normalize(std::vector<OutputChunk> chunks) {
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const OutputChunk& a, const OutputChunk& b) { return a.at < b.at; });
  std::vector<OutputChunk> out;
  for (auto& c : chunks) {
    if (c.data.empty()) continue;
    if (!out.empty() && out.back().at == c.at && out.back().stream == c.stream)
      out.back().data += c.data;
    else
      out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::shared_ptr<shell::Volumes> make_volumes() { return std::make_shared<shell::Volumes>(); }

ShellResult interpret(const std::string& script, const ShellOptions& options, ContainerWorld& world) {
  std::shared_ptr<shell::Volumes> volumes = options.volumes ? options.volumes : make_volumes();
  shell::Session session(world, *volumes, options.tools ? *options.tools : shell::default_tools());
  session.start = options.start;
  session.timed_paths = options.timed_paths;
  session.memory = options.memory.get();
  // The exec'd shell is a process of the container too.
  const int shell_process = session.memory ? session.memory->start("sh") : 0;
  // A limit too small for the exec's shell (e.g. helper_memory_limit = "1Mi"): the OOM killer acts
  // before the first line runs, and the exec ends 137 with the shell (or the whole container) gone.
  if (session.memory) {
    const OomVerdict verdict = session.memory->grow(shell_process, footprint::kShell);
    if (verdict.kind == OomVerdict::Kind::kContainerDied || verdict.kind == OomVerdict::Kind::kGrowerKilled)
      session.killed = true;
  }
  shell::ShellEnv env;
  for (const auto& [name, value] : options.env) {
    env.vars[name] = value;
    env.exported.insert(name);
  }
  env.cwd = shell::FileSystem::resolve("/", options.cwd);
  env.vars["PWD"] = env.cwd;
  session.fs.make_dir(env.cwd);
  const shell::Io io;
  int code = 0;
  try {
    shell::Interpreter interpreter(session, env);
    code = interpreter.finish(interpreter.run_script(script, io), io);
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; report it as the shell would report a crash.
    session.write(io.err, std::string("sh: internal error: ") + e.what() + "\n");
    code = 2;
  }
  if (session.memory) session.memory->exit(shell_process);
  if (session.killed) code = shell::kKilledStatus;
  ShellResult result;
  result.output = normalize(std::move(session.output));
  result.duration = std::max(session.now, session.background_end);
  result.exit_code = code;
  result.appends = std::move(session.appends);
  return result;
}

}  // namespace kexsim::fakes

#pragma once
// The state the shell model keeps while a script runs: what one exec shares across subshells
// (world, files, virtual time, output) and what each (sub)shell owns (variables, cwd, options).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "fakes/runtime/file_system.h"
#include "fakes/runtime/memory.h"
#include "fakes/runtime/output.h"
#include "fakes/runtime/shell_ast.h"
#include "fakes/runtime/tool_table.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes::shell {

/// The status a shell reports for a child killed by SIGKILL (128 + 9), and an exec's status when the
/// container itself was killed.
inline constexpr int kKilledStatus = 137;

/// Where one output file descriptor goes.
struct Sink {
  enum class Kind { kStream, kNull, kFile, kBuffer };
  Kind kind = Kind::kStream;
  int stream = 1;                                    ///< kStream: 1 stdout, 2 stderr
  std::string path;                                  ///< kFile: absolute path
  std::shared_ptr<std::vector<OutputChunk>> buffer;  ///< kBuffer: a pipe or $(...)

  /// Output to the exec's stdout (1) or stderr (2).
  static Sink to_stream(int s) { return Sink{Kind::kStream, s, {}, nullptr}; }
  /// Output that is dropped (/dev/null).
  static Sink null() { return Sink{Kind::kNull, 0, {}, nullptr}; }
  /// Output appended to a file.
  static Sink to_file(std::string p) { return Sink{Kind::kFile, 0, std::move(p), nullptr}; }
  /// Output collected for a pipe or a command substitution.
  static Sink to_buffer(std::shared_ptr<std::vector<OutputChunk>> b) {
    return Sink{Kind::kBuffer, 0, {}, std::move(b)};
  }
};

/// What a command reads on standard input, with the virtual time each piece arrived.
class InputBuffer {
 public:
  /// Empty input (as from /dev/null).
  InputBuffer() = default;
  /// Input that arrives piece by piece (a pipe).
  explicit InputBuffer(std::vector<OutputChunk> chunks) : chunks_(std::move(chunks)) {}

  /// True when everything has been read.
  bool at_end();
  /// The unread pieces (consumed).
  std::vector<OutputChunk> take_all();
  /// The next line without its newline, and when its last byte arrived; false at the end.
  bool read_line(std::string& line, Duration& at);

 private:
  std::vector<OutputChunk> chunks_;
  size_t chunk_ = 0;
  size_t offset_ = 0;
};

/// A command's standard streams.
struct Io {
  Sink out = Sink::to_stream(1);
  Sink err = Sink::to_stream(2);
  std::shared_ptr<InputBuffer> in = std::make_shared<InputBuffer>();
};

/// A git work tree the model created (git init / git clone).
struct GitWorkTree {
  std::map<std::string, std::string> remotes;  ///< name -> URL
  std::map<std::string, std::string> refs;     ///< local ref name -> sha, e.g. refs/remotes/origin/main
  std::string head;                            ///< checked-out sha, empty before the first checkout
};

/// An append that lands in the volumes at a virtual time (a line a background script tees to a log).
struct PendingAppend {
  TimePoint at{};
  std::string path;
  std::string data;
};

/// What outlives one exec in a pod (its volumes): files, directories and git work trees.
struct Volumes {
  FileSystem fs;
  std::map<std::string, GitWorkTree> git;  ///< by absolute work-tree directory
  std::vector<PendingAppend> pending;      ///< timed appends not landed yet, in time order

  /// Queues appends made by a script that started at start (kept in time order, ties in order made).
  void schedule(TimePoint start, const std::vector<FileAppend>& appends);
  /// Writes every queued append due by now.
  void land_due(TimePoint now);
  /// When the next queued append lands, if any.
  std::optional<TimePoint> next_landing() const;
};

/// What the shell and all its subshells share during one exec.
struct Session {
  Session(ContainerWorld& w, Volumes& v, const ToolTable& t = default_tools())
      : world(w), fs(v.fs), git(v.git), tools(t) {}

  ContainerWorld& world;
  FileSystem& fs;
  std::map<std::string, GitWorkTree>& git;
  const ToolTable& tools;      ///< the built-ins and tool models this exec knows
  TimePoint start{};           ///< when the exec started (for date)
  Duration now{0};             ///< virtual time since the exec started
  Duration background_end{0};  ///< when the last background job finishes
  std::vector<OutputChunk> output;
  uint64_t steps = 0;              ///< commands run, to stop endless loops
  int depth = 0;                   ///< nesting of commands being run, to stop runaway recursion
  MemoryCgroup* memory = nullptr;  ///< the container's cgroup (null: no memory accounting)
  bool killed = false;             ///< the container was OOM-killed during this exec: everything stops

  /// Runs a child process whose footprint grows to bytes: the kernel's verdict. A dead container
  /// marks the session killed; the child is uncharged afterwards (it ended or was killed).
  OomVerdict charge(const std::string& name, uint64_t bytes);

  /// The built-in or tool model called name, or nullptr.
  const ToolEntry* tool(const std::string& name) const {
    auto it = tools.find(name);
    return it == tools.end() ? nullptr : &it->second;
  }
  /// Writes data to a sink at the current virtual time.
  void write(const Sink& sink, std::string_view data) { write_at(sink, data, now); }
  /// Writes data to a sink as produced at a given time (pipes replay their input's timing).
  void write_at(const Sink& sink, std::string_view data, Duration at);
  /// Appends to a file at a time: at once, or returned timed when under a timed path.
  void append_file(const std::string& path, std::string_view data, Duration at);
  std::vector<std::string> timed_paths;  ///< see ShellOptions::timed_paths
  std::vector<FileAppend> appends;       ///< appends under timed_paths, in order made
  /// A file's content, including the system files a container has (/etc/hosts, /etc/hostname).
  Result<std::string> read_file(const std::string& path);
};

/// One shell's (or subshell's) own state.
struct ShellEnv {
  std::map<std::string, std::string> vars;
  std::set<std::string> exported;
  std::vector<std::string> positional;  ///< $1 ...
  std::string script_name = "sh";       ///< $0
  std::string cwd = "/";
  bool errexit = false;
  bool pipefail = false;
  bool nounset = false;
  bool xtrace = false;
  /// How many '+' the trace prints: one more inside each $(...).
  int xtrace_level = 1;
  int status = 0;  ///< $?
  std::map<std::string, CommandPtr> functions;
  std::map<std::string, std::string> traps;  ///< condition ("EXIT") -> action
  int last_background_pid = 0;

  // Pending control flow, unwound by the interpreter.
  bool exiting = false;
  int exit_code = 0;
  bool returning = false;
  int breaks = 0;
  int continues = 0;
  int loop_depth = 0;
  int function_depth = 0;

  /// True while control flow is unwinding (exit, return, break, continue).
  bool interrupted() const { return exiting || returning || breaks > 0 || continues > 0; }
  /// Ends this shell (or subshell) with a status.
  void exit(int code) {
    exiting = true;
    exit_code = code;
  }
  /// A variable's value, or nullptr when unset.
  const std::string* get(const std::string& name) const {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  }
  /// A variable's value, or "" when unset.
  std::string value(const std::string& name) const {
    const std::string* v = get(name);
    return v ? *v : std::string();
  }
};

}  // namespace kexsim::fakes::shell

#include "fakes/runtime/process_table.h"

#include <algorithm>
#include <charconv>

namespace kexsim::fakes::shell {
namespace {

// "123" -> 123; nullopt for anything else (a /proc entry name is all digits).
std::optional<int> parse_pid(std::string_view s) {
  int pid = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), pid);
  if (ec != std::errc() || end != s.data() + s.size() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

int ProcessTable::spawn(int parent, std::vector<std::string> argv, TimePoint at) {
  Process p;
  p.pid = next_pid_++;
  p.parent = parent;
  p.argv = std::move(argv);
  p.started = at;
  processes_[p.pid] = std::move(p);
  return next_pid_ - 1;
}

void ProcessTable::exit(int pid, int code, TimePoint at) {
  auto it = processes_.find(pid);
  if (it == processes_.end() || (it->second.ended && *it->second.ended <= at)) return;
  it->second.ended = at;
  it->second.exit_status = code;
}

void ProcessTable::trap(int pid, int signal, int code) {
  if (auto it = processes_.find(pid); it != processes_.end()) it->second.trapped[signal] = code;
}

bool ProcessTable::kill(int pid, int signal, TimePoint at) {
  if (!alive(pid, at)) return false;
  Process& p = processes_[pid];
  p.ended = at;
  // SIGKILL cannot be trapped; a trapped signal runs the trap's `exit N`.
  auto trapped = p.trapped.find(signal);
  p.exit_status = signal != kSigKill && trapped != p.trapped.end() ? trapped->second : 128 + signal;
  return true;
}

bool ProcessTable::alive(int pid, TimePoint at) const {
  const Process* p = find(pid);
  return p && p->started <= at && (!p->ended || at < *p->ended);
}

std::vector<int> ProcessTable::pids(TimePoint at) const {
  std::vector<int> out;
  for (const auto& [pid, p] : processes_)
    if (alive(pid, at)) out.push_back(pid);
  return out;
}

std::vector<int> ProcessTable::children(int pid, TimePoint at) const {
  std::vector<int> out;
  for (const auto& [child, p] : processes_)
    if (p.parent == pid && alive(child, at)) out.push_back(child);
  return out;
}

const ProcessTable::Process* ProcessTable::find(int pid) const {
  auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : &it->second;
}

std::optional<std::string> ProcessTable::read(const std::string& path, TimePoint at) const {
  constexpr std::string_view kProc = "/proc/";
  if (path.rfind(kProc, 0) != 0) return std::nullopt;
  const std::string_view rest = std::string_view(path).substr(kProc.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::optional<int> pid = parse_pid(rest.substr(0, slash));
  if (!pid || !alive(*pid, at)) return std::nullopt;
  const std::string_view file = rest.substr(slash + 1);
  if (file == "cmdline") {
    std::string out;
    for (const std::string& arg : find(*pid)->argv) out += arg + '\0';
    return out;
  }
  // fs/proc/array.c get_children_pid: "%d " per child; the thread id is the pid (one thread each).
  if (file == "task/" + std::to_string(*pid) + "/children") {
    std::string out;
    for (int child : children(*pid, at)) out += std::to_string(child) + " ";
    return out;
  }
  return std::nullopt;
}

void cut_result_at(ShellResult& result, Duration after, int exit_code) {
  if (after < Duration(0)) after = Duration(0);
  if (result.duration <= after) return;
  std::erase_if(result.output, [after](const OutputChunk& chunk) { return chunk.at > after; });
  std::erase_if(result.appends, [after](const FileAppend& append) { return append.at > after; });
  result.duration = after;
  result.exit_code = exit_code;
}

}  // namespace kexsim::fakes::shell

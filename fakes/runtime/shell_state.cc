#include "fakes/runtime/shell_state.h"

#include <algorithm>

namespace kexsim::fakes::shell {

bool InputBuffer::at_end() {
  while (chunk_ < chunks_.size() && offset_ >= chunks_[chunk_].data.size()) {
    ++chunk_;
    offset_ = 0;
  }
  return chunk_ >= chunks_.size();
}

std::vector<OutputChunk> InputBuffer::take_all() {
  std::vector<OutputChunk> out;
  while (!at_end()) {
    OutputChunk c = chunks_[chunk_];
    c.data.erase(0, offset_);
    out.push_back(std::move(c));
    ++chunk_;
    offset_ = 0;
  }
  return out;
}

bool InputBuffer::read_line(std::string& line, Duration& at) {
  line.clear();
  if (at_end()) return false;
  while (!at_end()) {
    const OutputChunk& c = chunks_[chunk_];
    at = c.at;
    const size_t nl = c.data.find('\n', offset_);
    if (nl != std::string::npos) {
      line.append(c.data, offset_, nl - offset_);
      offset_ = nl + 1;
      return true;
    }
    line.append(c.data, offset_, std::string::npos);
    offset_ = c.data.size();
  }
  return true;
}

void Session::write_at(const Sink& sink, std::string_view data, Duration at) {
  if (data.empty()) return;
  switch (sink.kind) {
    case Sink::Kind::kNull: return;
    case Sink::Kind::kFile: append_file(sink.path, data, at); return;
    case Sink::Kind::kBuffer: sink.buffer->push_back(OutputChunk{at, 1, std::string(data)}); return;
    case Sink::Kind::kStream:
      if (!output.empty() && output.back().stream == sink.stream && output.back().at == at) {
        output.back().data.append(data);
        return;
      }
      output.push_back(OutputChunk{at, sink.stream, std::string(data)});
      return;
  }
}

void Session::append_file(const std::string& path, std::string_view data, Duration at) {
  for (const std::string& dir : timed_paths) {
    if (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/') {
      appends.push_back(FileAppend{at, path, std::string(data)});
      return;
    }
  }
  fs.write(path, std::string(data), true);
}

void Volumes::schedule(TimePoint start, const std::vector<FileAppend>& made) {
  for (const FileAppend& a : made) {
    PendingAppend p{start + a.at, a.path, a.data};
    // After every append due at the same time or earlier: ties keep the order they were made in.
    auto it = std::upper_bound(pending.begin(), pending.end(), p.at,
                               [](TimePoint t, const PendingAppend& q) { return t < q.at; });
    pending.insert(it, std::move(p));
  }
}

void Volumes::land_due(TimePoint now) {
  size_t n = 0;
  while (n < pending.size() && pending[n].at <= now) {
    fs.write(pending[n].path, pending[n].data, true);
    ++n;
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
}

std::optional<TimePoint> Volumes::next_landing() const {
  if (pending.empty()) return std::nullopt;
  return pending.front().at;
}

Result<std::string> Session::read_file(const std::string& path) {
  if (path == "/etc/hosts") return world.etc_hosts();
  if (path == "/etc/hostname") return world.hostname() + "\n";
  if (path == "/dev/null") return std::string();
  if (const File* f = fs.file(path)) return f->content;
  if (fs.is_dir(path)) return make_error("Is a directory");
  return make_error("No such file or directory");
}

OomVerdict Session::charge(const std::string& name, uint64_t bytes) {
  if (!memory) return {};
  const int id = memory->start(name);
  const OomVerdict verdict = memory->grow(id, bytes);
  if (verdict.kind == OomVerdict::Kind::kContainerDied) killed = true;
  memory->exit(id);
  return verdict;
}

}  // namespace kexsim::fakes::shell

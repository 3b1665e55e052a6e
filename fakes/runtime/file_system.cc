#include "fakes/runtime/file_system.h"

namespace kexsim::fakes::shell {
namespace {

bool starts_with_dir(const std::string& path, const std::string& dir) {
  if (dir == "/") return path.size() > 1 && path[0] == '/';
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// The first key in a sorted container that lies below dir, if any.
template <class Container>
bool any_below(const Container& c, const std::string& dir) {
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  auto it = c.lower_bound(prefix);
  if (it == c.end()) return false;
  const std::string& key = [&]() -> const std::string& {
    if constexpr (std::is_same_v<Container, std::set<std::string>>)
      return *it;
    else
      return it->first;
  }();
  return starts_with_dir(key, dir);
}

}  // namespace

FileSystem::FileSystem() {
  for (const char* d : {"/", "/bin", "/builds", "/dev", "/etc", "/home", "/proc", "/root", "/tmp", "/usr/bin",
                        "/usr/local/bin", "/var/tmp"})
    dirs_.insert(d);
  for (const char* f : {"/bin/sh", "/usr/bin/env", "/usr/bin/git"}) files_[f] = File{"", true};
}

std::string FileSystem::resolve(const std::string& cwd, const std::string& path) {
  const std::string joined = !path.empty() && path[0] == '/' ? path : cwd + "/" + path;
  std::vector<std::string> segments;
  size_t i = 0;
  while (i <= joined.size()) {
    size_t j = joined.find('/', i);
    if (j == std::string::npos) j = joined.size();
    const std::string seg = joined.substr(i, j - i);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& s : segments) out += "/" + s;
  return out.empty() ? "/" : out;
}

std::string FileSystem::parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

bool FileSystem::is_dir(const std::string& path) const { return dirs_.count(path) > 0 || any_below(dirs_, path); }

bool FileSystem::is_file(const std::string& path) const { return files_.count(path) > 0; }

bool FileSystem::has_children(const std::string& path) const {
  return any_below(dirs_, path) || any_below(files_, path);
}

std::vector<std::string> FileSystem::list(const std::string& path) const {
  std::set<std::string> names;
  auto collect = [&](const std::string& p) {
    if (!starts_with_dir(p, path)) return;
    const size_t from = path == "/" ? 1 : path.size() + 1;
    names.insert(p.substr(from, p.find('/', from) - from));
  };
  for (const auto& d : dirs_) collect(d);
  for (const auto& [f, unused] : files_) collect(f);
  return {names.begin(), names.end()};
}

File* FileSystem::file(const std::string& path) {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

const File* FileSystem::file(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

void FileSystem::make_dir(const std::string& path) { dirs_.insert(path); }

void FileSystem::write(const std::string& path, const std::string& data, bool append) {
  File& f = files_[path];
  if (append)
    f.content += data;
  else
    f.content = data;
}

void FileSystem::remove(const std::string& path) {
  files_.erase(path);
  dirs_.erase(path);
  const std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = files_.lower_bound(prefix); it != files_.end() && starts_with_dir(it->first, path);)
    it = files_.erase(it);
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && starts_with_dir(*it, path);) it = dirs_.erase(it);
}

void FileSystem::copy(const std::string& from, const std::string& to) {
  if (from == to) return;
  std::map<std::string, File> new_files;
  std::set<std::string> new_dirs;
  if (auto it = files_.find(from); it != files_.end()) new_files[to] = it->second;
  if (dirs_.count(from) || any_below(dirs_, from) || any_below(files_, from)) new_dirs.insert(to);
  for (auto it = files_.lower_bound(from + "/"); it != files_.end() && starts_with_dir(it->first, from); ++it)
    new_files[to + it->first.substr(from.size())] = it->second;
  for (auto it = dirs_.lower_bound(from + "/"); it != dirs_.end() && starts_with_dir(*it, from); ++it)
    new_dirs.insert(to + it->substr(from.size()));
  for (auto& [p, f] : new_files) files_[p] = f;
  dirs_.insert(new_dirs.begin(), new_dirs.end());
}

void FileSystem::move(const std::string& from, const std::string& to) {
  if (from == to) return;
  copy(from, to);
  remove(from);
}

}  // namespace kexsim::fakes::shell

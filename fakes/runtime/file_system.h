#pragma once
// The container's file system as the shell model sees it: files the script wrote, directories it
// made, and the few system paths scripts look at. Nothing touches the host's disk.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kexsim::fakes::shell {

/// One regular file.
struct File {
  std::string content;
  bool executable = false;
};

/// An in-memory tree of absolute, normalised paths.
class FileSystem {
 public:
  /// Starts with the directories and executables every image has (/, /builds, /tmp, /bin/sh ...).
  FileSystem();

  /// path made absolute against cwd and normalised ("." and ".." resolved, no trailing slash).
  static std::string resolve(const std::string& cwd, const std::string& path);
  /// The parent directory of an absolute path ("/" for "/x").
  static std::string parent(const std::string& path);

  /// A directory made, implied by something below it, or one every image has.
  bool is_dir(const std::string& path) const;
  /// A regular file the script (or the image) has.
  bool is_file(const std::string& path) const;
  /// A file or a directory.
  bool exists(const std::string& path) const { return is_dir(path) || is_file(path); }
  /// True when something lives below the directory.
  bool has_children(const std::string& path) const;
  /// Names directly below a directory, sorted.
  std::vector<std::string> list(const std::string& path) const;

  /// The file at path, or nullptr.
  File* file(const std::string& path);
  /// The file at path, or nullptr.
  const File* file(const std::string& path) const;

  /// Creates the directory (its ancestors count as existing from then on).
  void make_dir(const std::string& path);
  /// Creates or truncates (append=false) a file and writes data to it.
  void write(const std::string& path, const std::string& data, bool append);
  /// Removes a file, or a directory with everything below it.
  void remove(const std::string& path);
  /// Copies a file, or a directory with everything below it, to a new path.
  void copy(const std::string& from, const std::string& to);
  /// Moves a file or a directory tree to a new path.
  void move(const std::string& from, const std::string& to);

 private:
  std::set<std::string> dirs_;
  std::map<std::string, File> files_;
};

}  // namespace kexsim::fakes::shell

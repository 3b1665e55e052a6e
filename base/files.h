#pragma once
// Whole-file reads that return errors as values, and a private temporary directory that removes
// itself. Used by config and scenario loading, the harness and tests.

#include <filesystem>
#include <string>

#include "base/result.h"

namespace kexsim {

/// The whole content of path, or an Error naming the path and errno's text (e.g. "open
/// /run/token: no such file or directory") with where = path.
Result<std::string> read_file(const std::string& path);

/// Writes content to path, replacing it; an Error names the path on failure.
Status write_file(const std::string& path, const std::string& content);

/// A fresh directory under the system temp dir (mode 0700), removed with everything in it when
/// the object goes. ok() is false when it could not be made (error() says why).
class TempDir {
 public:
  /// prefix names the directory, e.g. "kexsim-run" gives /tmp/kexsim-run-XXXXXX.
  explicit TempDir(const std::string& prefix = "kexsim");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  /// True when the directory exists.
  bool ok() const { return !path_.empty(); }
  /// Why it could not be made (when !ok()).
  const std::string& error() const { return error_; }
  /// The directory.
  const std::filesystem::path& path() const { return path_; }
  /// path()/name as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Keeps the directory on disk when this object goes (e.g. a user asked for it).
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  std::string error_;
  bool keep_ = false;
};

}  // namespace kexsim

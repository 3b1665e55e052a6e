#pragma once
// A ZIP archive with stored (uncompressed) entries: what the helper's artifact and cache tool models
// write and read. Real unzip reads it; entries keep the order they were added in.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace kexsim::fakes::shell {

/// One archive member: a file with its bytes, or a directory (name ends with '/').
struct ZipEntry {
  std::string name;
  std::string content;
  bool directory() const { return !name.empty() && name.back() == '/'; }
};

/// The archive's bytes (local headers, central directory, end record; fixed 1980-01-01 times).
std::string zip_store(const std::vector<ZipEntry>& entries);

/// The entries of an archive zip_store wrote (stored entries only); an error names what is wrong.
Result<std::vector<ZipEntry>> zip_read(std::string_view archive);

}  // namespace kexsim::fakes::shell

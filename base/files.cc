#include "base/files.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kexsim {
namespace {

// errno's text as Go prints it in os.PathError ("no such file or directory"): lower-case first letter.
std::string errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("open " + path + ": " + errno_text(errno), "check that the file exists and is readable", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error("read " + path + ": " + errno_text(errno), "check that the file is readable", path);
  return text.str();
}

Status write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return make_error("open " + path + ": " + errno_text(errno), "check that the directory exists and is writable",
                      path);
  out << content;
  out.flush();
  if (!out) return make_error("write " + path + ": " + errno_text(errno), "check free space and permissions", path);
  return {};
}

TempDir::TempDir(const std::string& prefix) {
  std::error_code ec;
  const auto base = std::filesystem::temp_directory_path(ec);
  if (ec) {
    error_ = "no temporary directory: " + ec.message();
    return;
  }
  std::string tmpl = (base / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) {
    error_ = "mkdtemp " + tmpl + ": " + errno_text(errno);
    return;
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty() || keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace kexsim

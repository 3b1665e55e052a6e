#pragma once
// What the `kexsim serve` tests share: a scenario of the source tree served for no time at all (its
// exit code and output), and the files serve wrote.

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "base/files.h"
#include "sim/serve.h"

namespace kexsim::sim::serve_testing {

/// One `kexsim serve --for 0`: its exit code, standard output and standard error.
struct Served {
  int code = 0;
  std::string out, err;
};

/// Serves `rel` (a path in the source tree) writing into `dir` ("": serve's own temporary directory).
inline Served serve_source(const std::string& rel, const std::string& dir) {
  std::ostringstream out, err;
  Served served;
  served.code = serve({std::string(KEXSIM_SOURCE_DIR) + "/" + rel, std::nullopt, dir, 0.0}, out, err);
  served.out = out.str();
  served.err = err.str();
  return served;
}

/// A file serve wrote, "" when there is none.
inline std::string read_text(const std::filesystem::path& path) {
  auto text = read_file(path.string());
  return text ? *text : std::string();
}

}  // namespace kexsim::sim::serve_testing

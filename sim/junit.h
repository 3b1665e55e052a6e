#pragma once
// JUnit XML as GitLab's unit test reports parse it.

#include <string>
#include <vector>

namespace kexsim::sim {

/// One scenario as a JUnit test case.
struct JunitCase {
  std::string classname;  ///< shown by GitLab as the suite: the scenario group
  std::string name;       ///< the scenario name
  std::string file;
  double wall_seconds = 0;
  double virtual_seconds = 0;
  std::string failure;     ///< empty when it passed
  std::string system_out;  ///< the plain job log
};

/// A <testsuites> document with one <testsuite>.
std::string render_junit(const std::string& suite, const std::vector<JunitCase>& cases);

}  // namespace kexsim::sim

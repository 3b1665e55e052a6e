#pragma once
// A project as a scenario declares it ([[gitlab.projects]]): who may read its repository and the
// submodules its commits carry.

#include <optional>
#include <string>
#include <vector>

namespace kexsim::fakes {

/// One project of the fake GitLab beyond what its jobs imply.
struct ProjectDefinition {
  /// One submodule of the project's commits.
  struct Submodule {
    std::string path;     ///< where it sits in the work tree ("lib")
    std::string project;  ///< the project it checks out ("root/lib"), served by the same fake GitLab
    std::string url;      ///< .gitmodules' url: relative ("../lib.git") or absolute
  };
  std::string path;  ///< "root/mycicd"
  std::string default_branch = "main";
  bool is_private = false;  ///< anonymous git requests get 401 (a job token is needed)
  /// Projects whose job tokens may read this one (GitLab's CI/CD job token allowlist); unset: any job's.
  std::optional<std::vector<std::string>> job_token_allowlist;
  std::vector<Submodule> submodules;
};

}  // namespace kexsim::fakes

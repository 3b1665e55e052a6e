#pragma once
// Where the job's project is cloned (CI_PROJECT_DIR): the runner's default under builds_dir, or
// the job's GIT_CLONE_PATH when [runners.custom_build_dir] allows it (common/build.go StartBuild,
// getCustomBuildDir).

#include <string>
#include <string_view>

#include "base/result.h"
#include "executor/config.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Go's path.Clean: one slash between names, no "." names, ".." resolved lexically; "" is ".".
std::string go_path_clean(std::string_view path);

/// Go's filepath.Rel on Unix paths: target relative to base, lexically, or the error Rel gives
/// when one path is absolute and the other is not.
Result<std::string> go_path_rel(std::string_view base, std::string_view target);

/// [runners.custom_build_dir] enabled, else the Kubernetes executor's default (DefaultCustomBuildsDirEnabled: true).
bool custom_build_dir_enabled(const RunnerConfig& runner);

/// getCustomBuildDir: default_dir when clone_path (GIT_CLONE_PATH, expanded) is empty, else
/// clone_path if custom builds dirs are enabled and it lies within root_dir. The error is a
/// BuildError's message (not retried); the caller wraps it as its release's Prepare does.
Result<std::string> job_build_dir(Profile p, std::string_view root_dir, std::string default_dir,
                                  std::string_view clone_path, bool enabled);

}  // namespace kexsim::executor

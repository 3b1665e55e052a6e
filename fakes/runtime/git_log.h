#pragma once
// `git log` over the git model's object store: the commits reachable from a start commit, newest
// first, in git's default (medium) format, --oneline, or a --format/--pretty=format: string.

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "fakes/runtime/file_system.h"

namespace kexsim::fakes::shell {

/// What `git log` was asked for (the options the model knows).
struct GitLogOptions {
  std::optional<int> max_count;  ///< -n N, -N, --max-count=N
  enum class Style { kMedium, kOneline, kFormat } style = Style::kMedium;
  std::string format;      ///< --format / --pretty=format: / tformat: (Style::kFormat)
  bool separator = false;  ///< format: (not tformat:) puts the newline between commits, not after each
  bool first_parent = false;
  bool no_merges = false;
  std::string revision = "HEAD";
  bool revision_given = false;  ///< named on the command line (else HEAD)
};

/// Parses log's arguments (after "log"). Error: an option the model does not know, worded as git
/// words it ("unrecognized argument: --x"), or a bad count.
Result<GitLogOptions> parse_git_log_args(const std::vector<std::string>& args);

/// The log text from commit (a full sha) on. The walk stops where the store has no object (a
/// shallow clone's boundary), as git's does at a graft.
std::string format_git_log(const FileSystem& fs, const std::string& git_dir, const std::string& commit,
                           const GitLogOptions& options);

}  // namespace kexsim::fakes::shell

#pragma once
// Models of the helper's artifact commands (`gitlab-runner-helper artifacts-uploader` and
// `artifacts-downloader`, commands/helpers/*.go upstream): they match paths on the container's
// file system, zip them, and talk to GitLab's runner API over the pod's network, printing the
// helper's logrus lines as its release words them.

#include <string>
#include <utility>
#include <vector>

#include "fakes/runtime/file_system.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes::shell {

struct ToolContext;

/// The helper image's GitLab Runner release, from its tag ("x86_64-v19.4.0", or a revision before 16.8).
struct HelperRelease {
  int major = 19;
  int minor = 4;
  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
};

/// The release of a helper image reference; unknown tags count as the newest release.
HelperRelease helper_release_of(const std::string& image);

/// A logrus level as the helper's RunnerTextFormatter prints it.
enum class LogLevel { kInfo, kWarning, kError, kFatal };

/// One helper log line (log/runner_formatter.go): prefix and colour by level, the message padded to
/// 50 columns, then " key=value" for each field in sorted order. Ends with a newline.
std::string helper_log_line(LogLevel level, const std::string& message,
                            std::vector<std::pair<std::string, std::string>> fields = {});

/// helpers.ShortenToken as the release does it (17.9: the glcbt- prefix goes and 9 characters stay).
std::string shorten_token(const std::string& token, HelperRelease release);

/// What a set of --path/--exclude patterns selects below the working directory.
struct ArchiveSelection {
  std::vector<std::string> files;  ///< relative paths, sorted; directories end with '/'
  std::string log;                 ///< the helper's lines about each path
};

/// fileArchiver.enumerate: globs each path (doublestar: * ? [..] and **) relative to wd, walks each
/// match, and logs "<path>: found N matching artifact files and directories" or the warning.
ArchiveSelection select_files(const FileSystem& fs, const std::string& wd, const std::vector<std::string>& paths,
                              const std::vector<std::string>& excludes, HelperRelease release);

/// Go's net/http error text for a connection that failed from a pod ("dial tcp: lookup ...").
std::string go_dial_error(const ConnectOutcome& outcome, const std::string& host, int port, HelperRelease release);

/// `gitlab-runner-helper artifacts-uploader ...`.
int artifacts_uploader(ToolContext& ctx);
/// `gitlab-runner-helper artifacts-downloader ...`.
int artifacts_downloader(ToolContext& ctx);

}  // namespace kexsim::fakes::shell

#pragma once
// The helper image's `gitlab-runner-helper read-logs` (commands/helpers/read_logs.go): the log file
// the attach strategy's stage scripts tee into, printed from an offset as "<offset after line> <line>".
// The formatting and argument rules live here; following the file over virtual time is the exec
// layer's (fakes/kube/attach.cc), since the shell model runs a command in one go.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace kexsim::fakes::read_logs {

/// read_logs.go: an empty file is polled again after this long.
inline constexpr Duration kPollInterval = std::chrono::milliseconds(500);
/// read_logs.go defaultCheckFileExistsInterval: a missing file is looked for again after this long.
inline constexpr Duration kCheckFileInterval = std::chrono::seconds(1);
/// read_logs.go outputLogFileNotExistsExitCode: the file does not exist (any more).
inline constexpr int kFileNotExistsExitCode = 100;
/// common/consts.go DefaultReaderBufferSize: a longer line is printed in pieces.
inline constexpr size_t kReaderBufferSize = 16 * 1024;

/// The command line after `gitlab-runner-helper read-logs`.
struct Args {
  std::string path;
  int64_t offset = 0;
  Duration wait_file_timeout = kCheckFileInterval;  ///< newReadLogsCommand's default
};

/// Parses `--path P --offset N --wait-file-timeout D` (also `--flag=value`); D is a Go duration.
Result<Args> parse_args(const std::vector<std::string>& args);

/// Parses a Go duration ("1m0s", "500ms", "2h"); nullopt when malformed.
std::optional<Duration> parse_go_duration(std::string_view text);

/// How many times the file is looked for before giving up (fileLogStreamProvider.Open).
int open_attempts(Duration wait_file_timeout);

/// Everything of content past offset as read-logs prints it: one "<offset after slice> <slice>\n"
/// per line or 16 KiB piece, a slice without its own newline (a partial last line, or a piece)
/// given one. offset moves past what was printed.
std::string format_from(std::string_view content, int64_t& offset);

/// What read-logs prints before exit 1 (ReadLogsCommand.Execute).
std::string error_line(const std::string& path, std::string_view error);

/// read_logs.go errWaitingFileTimeout.
inline constexpr std::string_view kWaitingFileTimeout = "timeout waiting for file to be created";
/// read_logs.go errNoAttemptsToOpenFile.
inline constexpr std::string_view kNoAttempts = "no attempts to open log file configured";

}  // namespace kexsim::fakes::read_logs

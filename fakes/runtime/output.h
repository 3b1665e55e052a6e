#pragma once
// What a modelled process leaves behind: its output, timed in virtual time from the moment it
// started, its exit status and how long it ran. Knows no transport: the exec layer turns it into
// messages.

#include <string>
#include <vector>

#include "base/clock.h"

namespace kexsim::fakes {

/// One piece of a process's output, written at a virtual offset from the process start.
struct OutputChunk {
  Duration at{0};
  int stream = 1;  ///< 1 stdout, 2 stderr
  std::string data;
};

/// A write to a file whose readers follow it (a log another container tails): when, where, what.
struct FileAppend {
  Duration at{0};
  std::string path;
  std::string data;
};

/// A finished process: output ordered by time (one chunk per stream and instant), when it ended
/// (relative to its start, background jobs included) and its exit status.
struct ShellResult {
  std::vector<OutputChunk> output;
  Duration duration{0};
  int exit_code = 0;
  /// Appends to files under ShellOptions::timed_paths, in the order made; the caller lands them in
  /// the volumes at their times (see shell::Volumes::land_due).
  std::vector<FileAppend> appends;
};

}  // namespace kexsim::fakes

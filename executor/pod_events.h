#pragma once
// FF_PRINT_POD_EVENTS' event lines (19.4 executors/kubernetes/kubernetes.go printPodEvents): each event the
// runner's events watch delivers is a "Type\tReason\tMessage" row through a text/tabwriter
// (minwidth 3, tabwidth 1, padding 3, spaces), flushed after every event, under a header written once.
// The watch itself (watchPodEvents) is not wired yet: this is the formatting, ready for it.

#include <string>
#include <vector>

namespace kexsim::executor {

/// Go's text/tabwriter with printPodEvents' settings, flushed after each row: the header row stays
/// buffered until the first event, so those two are aligned together; later rows each align alone.
class PodEventPrinter {
 public:
  /// The job-log lines one event gives (the first call also gives the header line).
  std::vector<std::string> print(const std::string& type, const std::string& reason, const std::string& message);

 private:
  bool header_written_ = false;
};

/// tabwriter's alignment of one flushed block of rows: every cell but a row's last is padded to its
/// column's width (the widest cell of the block's consecutive rows + padding, at least minwidth).
std::vector<std::string> tabwriter_block(const std::vector<std::vector<std::string>>& rows, size_t minwidth = 3,
                                         size_t padding = 3);

}  // namespace kexsim::executor

#pragma once
// FF_PRINT_POD_EVENTS' event lines (19.4 executors/kubernetes/kubernetes.go printPodEvents): each event the
// runner's events watch delivers is a "Type\tReason\tMessage" row through a text/tabwriter
// (minwidth 3, tabwidth 1, padding 3, spaces), flushed after every event, under a header written once.
// The watch itself (watchPodEvents): one events WATCH with fieldSelector=involvedObject.name=<pod>, opened
// once the pod exists, read until the job's Cleanup stops it or the server ends it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/steady_timer.hpp>

#include "executor/kube_client.h"

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

/// The events watch of FF_PRINT_POD_EVENTS and its printer; owned through a shared_ptr (its reader holds one).
class PodEventsWatch : public std::enable_shared_from_this<PodEventsWatch> {
 public:
  /// sink takes each job-log line (the executor-level stderr stream upstream writes to).
  PodEventsWatch(asio::any_io_executor ex, KubeClient& kube, std::string ns, std::string pod,
                 std::function<void(std::string_view)> sink);
  /// watchPodEvents: opens the watch and returns once the server answered (the error when it refused).
  asio::awaitable<Result<bool>> start();
  /// eventsStream.Stop(): nothing is printed after it.
  void stop();
  /// One watch event: an Event object is printed, anything else (a Status) skipped; for tests too.
  void on_event(const std::string& type, const nlohmann::json& object);
  /// The watch request's path and query.
  std::string path() const;

 private:
  asio::any_io_executor ex_;
  KubeClient& kube_;
  std::string ns_, pod_;
  std::function<void(std::string_view)> sink_;
  PodEventPrinter printer_;
  std::shared_ptr<WatchControl> control_ = std::make_shared<WatchControl>();
  std::optional<Result<bool>> opened_;
  std::shared_ptr<asio::steady_timer> open_wait_;
};

/// tabwriter's alignment of one flushed block of rows: every cell but a row's last is padded to its
/// column's width (the widest cell of the block's consecutive rows + padding, at least minwidth).
std::vector<std::string> tabwriter_block(const std::vector<std::vector<std::string>>& rows, size_t minwidth = 3,
                                         size_t padding = 3);

}  // namespace kexsim::executor

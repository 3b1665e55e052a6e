#pragma once
// `GET /api/v1/namespaces/NS/pods/NAME/log`: what each container wrote to stdout and stderr, kept as the
// kubelet's CRI log files keep it (one record per line, stamped with the virtual time of the write), and
// served with upstream's PodLogOptions (container, follow, previous, timestamps, tailLines, limitBytes,
// sinceSeconds, sinceTime) and refusals: the API server's for the container name
// (pkg/registry/core/pod/strategy.go validateContainer), the kubelet's for the container's state
// (pkg/kubelet/kubelet_pods.go validateContainerLogStatus).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/http/types.h"
#include "fakes/kube/status.h"

namespace kexsim::fakes {

/// One line of a container's log: when its newline was written, on which stream, its text (no newline).
struct LogLine {
  TimePoint at{};
  int stream = 1;  ///< 1 stdout, 2 stderr
  std::string text;
};

/// What the containers of every pod wrote, by pod uid and container name (the kubelet's log files).
class ContainerLogs {
 public:
  /// Appends a write of `data` to stream at `at`: each complete line becomes a record; a partial line
  /// waits for the rest of it on that stream (containerd's log writer reads whole lines).
  void write(const std::string& uid, const std::string& container, TimePoint at, int stream, const std::string& data);
  /// The container's complete lines in time order (empty when it wrote nothing).
  const std::vector<LogLine>& lines(const std::string& uid, const std::string& container) const;
  /// Forgets a deleted pod's logs (the kubelet removes its log directory).
  void forget(const std::string& uid);

 private:
  struct Log {
    std::vector<LogLine> lines;
    std::map<int, std::pair<TimePoint, std::string>> partial;  ///< stream -> its unfinished line
  };
  std::map<std::pair<std::string, std::string>, Log> logs_;
};

/// The query of a log request (core/v1 PodLogOptions).
struct PodLogOptions {
  std::string container;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  std::optional<int64_t> since_seconds;
  std::optional<TimePoint> since_time;
};

/// Decodes and validates the query as the API server does (ValidatePodLogOptions: 422 PodLogOptions "NAME"
/// is invalid); pod names the pod for the message. kubernetes_minor: from 1.32 a `stream` is refused (the
/// PodLogsQuerySplitStreams gate is off), before it is ignored.
ApiResult<PodLogOptions> parse_pod_log_options(const HttpRequest& request, const std::string& pod,
                                               int kubernetes_minor = 33);

/// The container a log request is for: the one asked for, or the only one; otherwise the API server's 400
/// (`a container name must be specified for pod P, choose one of: [a b]`, init containers first).
ApiResult<std::string> log_container(const nlohmann::json& pod, const std::string& requested);

/// Why the kubelet has no log for the container of the pod (as a read presents it), or none when it has:
/// `container "X" in pod "P" is waiting to start: ContainerCreating`, `... image can't be pulled`,
/// `previous terminated container "X" in pod "P" not found`.
std::optional<std::string> log_state_error(const nlohmann::json& pod, const std::string& container, bool previous);

/// The kubelet's timestamp prefix: RFC3339 with nine fixed fractional digits (types.RFC3339NanoFixed).
std::string format_log_timestamp(TimePoint at);

/// The log as served at `now` from lines (the lines written by then): tailLines from the end, then the
/// lines since sinceSeconds/sinceTime, each with its timestamp when asked, cut at limitBytes.
std::string render_pod_log(const std::vector<LogLine>& lines, const PodLogOptions& options, TimePoint now);

/// The body of a `follow=true` log: what render_pod_log gives at first, then each line as its time comes,
/// in chunks, until the container stops running (or the pod, or the server, goes); limitBytes counts the whole.
class LogFollowStream : public HttpBodyStream, public std::enable_shared_from_this<LogFollowStream> {
 public:
  /// lines reads the container's log now (null when the pod is gone); running says whether it still runs.
  LogFollowStream(Clock& clock, PodLogOptions options, std::function<const std::vector<LogLine>*()> lines,
                  std::function<bool()> running, std::weak_ptr<void> alive);
  asio::awaitable<std::optional<std::string>> next() override;
  void cancel() override { cancelled_ = true; }

 private:
  /// The text of the lines due by now that were not sent yet (the first call: the tail and since filter).
  std::string collect();

  Clock& clock_;
  PodLogOptions options_;
  std::function<const std::vector<LogLine>*()> lines_;
  std::function<bool()> running_;
  std::weak_ptr<void> alive_;
  size_t sent_lines_ = 0;  ///< how many of the log's lines are behind us (sent or skipped)
  bool started_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  int64_t bytes_sent_ = 0;
};

}  // namespace kexsim::fakes

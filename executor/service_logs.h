#pragma once
// CI_DEBUG_SERVICES: the service containers' own logs in the job log (executors/kubernetes/kubernetes.go
// captureServiceContainersLogs and captureContainerLogs, helpers/service/logger.go). After the pod runs
// and the log processor starts, each service's container is followed through pods/log
// (follow=true&timestamps=true) and every line it writes reaches the trace as
// "\033[0;37m[service:NAME] <kubelet timestamp> <line>\033[0;m".

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "base/clock.h"
#include "executor/kube_client.h"
#include "executor/kube_retry.h"
#include "executor/kube_watch.h"
#include "executor/service_log_targets.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// waitForRunningContainer's pod watch: the query after "pods?" for pod, client-go's order and timeout.
std::string running_pod_watch_query(const std::string& pod, int timeout_seconds);
/// captureContainerLogs' PodLogOptions{Container, Follow, Timestamps}: the query after "log?".
std::string followed_log_query(const std::string& container);

/// The follow-up of one job's service logs: opens each stream in turn, then reads them in the background
/// until the container's log ends or stop().
class ServiceLogCapture : public std::enable_shared_from_this<ServiceLogCapture> {
 public:
  /// Where the lines and warnings go (the job trace).
  struct Sinks {
    std::function<void(std::string_view bytes)> output;  ///< wrapped lines, for the 0f stream
    std::function<void(std::string_view line)> warning;  ///< a runner WARNING line
  };
  ServiceLogCapture(asio::any_io_executor ex, Clock& clock, KubeClient& kube, std::string ns, std::string pod,
                    int poll_timeout_seconds, KubeRetryPolicy retry, Profile profile, Sinks sinks);

  /// Opens the targets' streams one after the other (17.5+: each after a watch saw its container run), as
  /// captureServiceContainersLogs does before the stages start; the reading goes on in the background.
  asio::awaitable<void> start(std::vector<ServiceLogTarget> targets);
  /// Ends every stream; nothing reaches the sinks after this.
  void stop();

 private:
  asio::awaitable<Result<bool>> wait_for_running(const std::string& container);
  asio::awaitable<Result<bool>> open(const ServiceLogTarget& target, std::shared_ptr<WatchControl> control);
  static asio::awaitable<void> follow(std::shared_ptr<ServiceLogCapture> self, ServiceLogTarget target,
                                      std::shared_ptr<WatchControl> control);

  asio::any_io_executor ex_;
  Clock& clock_;
  KubeClient& kube_;
  std::string ns_, pod_;
  int poll_timeout_;
  KubeRetryPolicy retry_;
  Profile profile_;
  Sinks sinks_;
  bool stopped_ = false;
  std::vector<std::shared_ptr<WatchControl>> streams_;
  std::shared_ptr<WatchControl> waiting_;  ///< the watch for a container to run, while it is open
};

}  // namespace kexsim::executor

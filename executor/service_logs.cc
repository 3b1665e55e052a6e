#include "executor/service_logs.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

std::string running_pod_watch_query(const std::string& pod, int timeout_seconds) {
  return "fieldSelector=" + url_encode("status.phase=Running,metadata.name=" + pod) +
         "&timeout=" + go_duration_seconds(timeout_seconds) + "&timeoutSeconds=" + std::to_string(timeout_seconds) +
         "&watch=true";
}

std::string followed_log_query(const std::string& container) {
  return "container=" + url_encode(container) + "&follow=true&timestamps=true";
}

ServiceLogCapture::ServiceLogCapture(asio::any_io_executor ex, Clock& clock, KubeClient& kube, std::string ns,
                                     std::string pod, int poll_timeout_seconds, KubeRetryPolicy retry, Profile profile,
                                     Sinks sinks)
    : ex_(std::move(ex)),
      clock_(clock),
      kube_(kube),
      ns_(std::move(ns)),
      pod_(std::move(pod)),
      poll_timeout_(poll_timeout_seconds),
      retry_(std::move(retry)),
      profile_(profile),
      sinks_(std::move(sinks)) {}

void ServiceLogCapture::stop() {
  stopped_ = true;
  for (const auto& control : streams_) control->stop();
  streams_.clear();
  if (waiting_) waiting_->stop();
}

asio::awaitable<Result<bool>> ServiceLogCapture::wait_for_running(const std::string& container) {
  // util.go waitForRunningContainer: a watch of the pod once Running; its first event decides.
  const std::string query = running_pod_watch_query(pod_, poll_timeout_);
  auto control = std::make_shared<WatchControl>();
  waiting_ = control;  // stop() ends it too
  std::optional<Result<bool>> verdict;
  std::function<void(const std::string&, const json&)> on_event = [&](const std::string&, const json& pod) {
    if (verdict) return;
    const json* status = nullptr;
    const json& statuses = member(member(pod, "status"), "containerStatuses");
    if (statuses.is_array())
      for (const json& s : statuses)
        if (!status && text(s, "name") == container) status = &s;  // getContainerStatus: the first
    if (!status) {
      verdict = make_error("container status for " + messages::go_quote(container) + " not found");
    } else if (const json& terminated = member(member(*status, "state"), "terminated"); terminated.is_object()) {
      const json& exit_code = member(terminated, "exitCode");
      const int64_t code = exit_code.is_number_integer() ? exit_code.get<int64_t>() : 0;
      verdict = code != 0 ? Result<bool>(make_error("container " + messages::go_quote(container) +
                                                    " terminated with non-zero status: " + std::to_string(code)))
                          : Result<bool>(true);
    } else if (member(member(*status, "state"), "running").is_object()) {
      verdict = true;
    }
    if (verdict) control->stop();  // watcher.Stop()
  };
  const WatchEnd end = co_await run_watch(kube_.watch_target(), "/api/v1/namespaces/" + ns_ + "/pods?" + query, control,
                                          std::move(on_event));
  waiting_.reset();
  if (verdict) co_return *verdict;
  if (stopped_) co_return true;
  if (!end) co_return end.error();
  co_return true;  // the watch ended without a decisive event: the log is opened all the same
}

asio::awaitable<Result<bool>> ServiceLogCapture::open(const ServiceLogTarget& target,
                                                      std::shared_ptr<WatchControl> control) {
  // Stream(ctx) returns with the answer's header; the body is read by follow() from then on.
  struct Opening {
    std::optional<Result<bool>> result;
    asio::steady_timer timer;
  };
  auto opening = std::make_shared<Opening>(Opening{std::nullopt, asio::steady_timer(ex_)});
  opening->timer.expires_at(asio::steady_timer::time_point::max());
  control->established = [opening](const Result<bool>& r) {
    opening->result = r;
    opening->timer.cancel();
  };
  asio::co_spawn(ex_, follow(shared_from_this(), target, control), asio::detached);
  while (!opening->result) {
    boost::system::error_code ignored;
    co_await opening->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return *opening->result;
}

asio::awaitable<void> ServiceLogCapture::follow(std::shared_ptr<ServiceLogCapture> self, ServiceLogTarget target,
                                                std::shared_ptr<WatchControl> control) {
  bool streaming = false;
  auto on_established = control->established;
  control->established = [&streaming, on_established](const Result<bool>& r) {
    streaming = r.ok();
    if (on_established) on_established(r);
  };
  std::function<void(const std::string&)> on_chunk = [self, name = target.name](const std::string& chunk) {
    if (!self->stopped_) self->sinks_.output(inline_service_log(name, chunk));  // io.Copy: one Write a read
  };
  const std::string path =
      "/api/v1/namespaces/" + self->ns_ + "/pods/" + self->pod_ + "/log?" + followed_log_query(target.container);
  const WatchEnd end = co_await run_stream(self->kube_.watch_target(), path, control, std::move(on_chunk));
  // io.Copy ends with nil at the log's end; a stream cut short is Go's io.ErrUnexpectedEOF.
  if (streaming && !end && !control->stopped && !self->stopped_)
    self->sinks_.warning("error streaming logs for container " + target.container + ": unexpected EOF");
}

asio::awaitable<void> ServiceLogCapture::start(std::vector<ServiceLogTarget> targets) {
  auto self = shared_from_this();
  for (const ServiceLogTarget& target : targets) {
    if (stopped_) co_return;
    // captureContainerLogs: retry.WithValueFn around the wait (17.5+) and the open (16.9+; before, one try).
    Result<bool> opened = true;
    for (int tries = 1;; ++tries) {
      opened = true;
      if (service_log_waits_for_running(profile_)) opened = co_await wait_for_running(target.container);
      if (opened && !stopped_) {
        auto control = std::make_shared<WatchControl>();
        streams_.push_back(control);
        opened = co_await open(target, control);
      }
      if (opened || stopped_ || !service_log_stream(profile_) || !retry_.should_retry(tries, opened.error().message))
        break;
      co_await clock_.sleep_for(retry_.backoff(tries - 1));
    }
    if (!opened && !stopped_)
      sinks_.warning("failed to open log stream for container " + target.container + ": " + opened.error().message);
  }
}

}  // namespace kexsim::executor

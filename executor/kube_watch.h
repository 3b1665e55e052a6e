#pragma once
// One Kubernetes watch request as client-go's rest client sends it (GET <collection>?...&watch=true) and
// the stream of JSON event lines it answers with (chunked encoding, one event per chunk), read as they
// arrive. Used by the pod informer (pod_informer.h) and the FF_PRINT_POD_EVENTS events watch (pod_events.h).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/http/client.h"

namespace kexsim::executor {

/// Where a watch goes and who asks: the server's base URL and the request headers of the KubeClient.
struct WatchTarget {
  HttpClient* http = nullptr;
  std::string base_url;
  std::string authorization;  ///< the Authorization header's value; empty: none
  std::string user_agent;
};

/// Shared between the reader and whoever may stop it: stop() half-closes the connection, the reader then
/// consumes what the server still sends (each chunk was counted in flight) and ends at its close.
struct WatchControl {
  bool stopped = false;
  std::function<void()> close_send;  ///< set by the reader while its connection is open
  std::function<void()> abandon;     ///< set while the answer's header is awaited: closes the socket
  /// Called once: with true when the server answered 200 and the stream begins, else with the error.
  std::function<void(const Result<bool>&)> established;
  /// Ends the watch: no event is delivered after this.
  void stop() {
    stopped = true;
    if (abandon) abandon();
    if (close_send) close_send();
  }
};

/// How a watch ended: ok with the stream's end (the server's timeout or a half-close), or the error of
/// the request (a non-200 answer carries the Status message and Error::code).
using WatchEnd = Result<bool>;

/// GETs base_url + path_and_query and calls on_chunk with every chunk of the 200 answer's chunked body until
/// the stream ends, the server closes it or control->stop() (a followed pod log, a watch).
asio::awaitable<WatchEnd> run_stream(WatchTarget target, std::string path_and_query,
                                     std::shared_ptr<WatchControl> control,
                                     std::function<void(const std::string& chunk)> on_chunk);

/// GETs base_url + path_and_query and calls on_event(type, object) for every event line until the stream
/// ends, the server closes it or control->stop(). Transport time is accounted as the server sends it.
asio::awaitable<WatchEnd> run_watch(
    WatchTarget target, std::string path_and_query, std::shared_ptr<WatchControl> control,
    std::function<void(const std::string& type, const nlohmann::json& object)> on_event);

/// Go's time.Duration.String() of whole seconds ("5m0s", "7m32s", "45s", "1h0m0s"): the `timeout` query
/// parameter client-go's Request.Timeout adds.
std::string go_duration_seconds(long long seconds);

}  // namespace kexsim::executor

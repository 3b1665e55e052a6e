#pragma once
// Plain request/response values exchanged between the fakes' HTTP server and their handlers.
// No Beast types here: handlers stay cheap to compile and easy to test without sockets.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"

namespace kexsim::fakes {

/// One HTTP request as a fake sees it.
struct HttpRequest {
  std::string method;                                      ///< "GET", "POST", ...
  std::string target;                                      ///< raw request target, path plus query
  std::string path;                                        ///< percent-decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order, repeats kept
  std::map<std::string, std::string> headers;              ///< names lower-cased
  std::string body;
  std::string listener;  ///< logical name of the listener it arrived on

  /// First value of a query parameter, or empty.
  std::string query_value(const std::string& key) const {
    for (const auto& [k, v] : query)
      if (k == key) return v;
    return {};
  }
  /// All values of a repeated query parameter (e.g. exec's command=).
  std::vector<std::string> query_values(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : query)
      if (k == key) out.push_back(v);
    return out;
  }
  /// A header value, or empty. name must be lower-case.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// One output message of an exec session: data for a channel, due at an offset from the moment
/// the session's stdin closed.
struct TimedMessage {
  Duration at{0};
  int channel = 1;  ///< 1 stdout, 2 stderr
  std::string data;
};

/// A process that goes on producing output over virtual time (read-logs following a log file):
/// the transport asks for more until it ends or the client goes.
class ExecFollower {
 public:
  virtual ~ExecFollower() = default;
  /// Waits on the Clock for the next stdout output; an empty string means nothing new yet (the
  /// transport then checks its client is still there), nullopt that the process ended.
  virtual asio::awaitable<std::optional<std::string>> next() = 0;
  /// The error-channel message once next() gave nullopt.
  virtual std::string status_json() const = 0;
};

/// What a finished exec session sends back: timed output, then one last message on the error
/// channel (3), e.g. {"metadata":{},"status":"Success"}.
struct ExecOutcome {
  std::vector<TimedMessage> output;
  Duration duration{0};     ///< when the process ends, relative to stdin close
  std::string status_json;  ///< the error-channel message, sent as given
  /// When set, the process goes on after output: its further output and Status come from here
  /// (duration and status_json are then unused).
  std::shared_ptr<ExecFollower> follow;
};

/// Runs a simulated process once its whole stdin has arrived.
using ExecRunner = std::function<ExecOutcome(const std::string& stdin_data)>;

/// Why the server could not start the exec session a handler accepted with 101.
enum class UpgradeFailure {
  kNotWebSocket,      ///< the request is neither a WebSocket nor a SPDY/3.1 upgrade (no or other Upgrade headers)
  kNoExecRunner,      ///< the handler answered 101 without an ExecRunner
  kNoCommonProtocol,  ///< the client offers no subprotocol that both the server and the handler accept
};

/// A response body produced over time (a watch): the server sends each chunk as one HTTP/1.1 chunk
/// as soon as next() gives it, and ends the response (zero-length chunk, then close) when next()
/// gives none. Each chunk, and the end, is one message in flight (Clock::io_begin before the write;
/// the client calls io_end when it has read it).
class HttpBodyStream {
 public:
  virtual ~HttpBodyStream() = default;
  /// The next chunk, waiting on the Clock as long as it takes; nullopt ends the response.
  virtual asio::awaitable<std::optional<std::string>> next() = 0;
  /// The client went away or the server stops: the pending or next call of next() gives nullopt
  /// without touching the handler.
  virtual void cancel() = 0;
};

struct HttpResponse;
/// The answer to a failed upgrade, worded in the handler's own protocol (e.g. an API Status).
using UpgradeFailureResponder = std::function<HttpResponse(UpgradeFailure)>;

/// One HTTP response. status 101 with exec set means: upgrade to an exec session (WebSocket with
/// v5.channel.k8s.io or v4.channel.k8s.io, or SPDY/3.1 with v4.channel.k8s.io) and run it.
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  ExecRunner exec;  ///< only with status 101
  /// Only with status 101: what to answer when the upgrade cannot happen. Unset: a plain-text error.
  UpgradeFailureResponder upgrade_failed;
  /// When set (not with 101): the body is streamed from it, chunked, and body is ignored.
  std::shared_ptr<HttpBodyStream> stream;
  /// A transport fault: the server resets the connection (RST) instead of answering; status is unused.
  bool reset_connection = false;
  /// A latency fault: the server holds the answer (or the reset) this long in virtual time.
  Duration delay{0};
  /// A black-hole fault: the server reads the request and never answers; the connection stays open
  /// until the client leaves or the server stops. status is unused.
  bool black_hole = false;
  /// Stream faults, only with status 101: the session ends abruptly (no close frame, no Status) once
  /// this many output bytes were sent, or this long after the upgrade.
  std::optional<uint64_t> drop_after_bytes;
  std::optional<Duration> drop_after;

  /// A JSON response.
  static HttpResponse json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  }
  /// A streamed response of a content type.
  static HttpResponse streamed(int status, std::string content_type, std::shared_ptr<HttpBodyStream> stream) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", std::move(content_type));
    r.stream = std::move(stream);
    return r;
  }
  /// A plain-text response.
  static HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.body = std::move(body);
    return r;
  }
};

/// Anything that answers HTTP requests (the fake GitLab, the fake Kubernetes API server).
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  /// Answers one request. Must not block: fakes answer from their current state at clock.now().
  virtual HttpResponse handle(const HttpRequest& request) = 0;
};

}  // namespace kexsim::fakes

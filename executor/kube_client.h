#pragma once
// A small typed Kubernetes client: core/v1 objects by namespace, resource and name, the server
// version, and exec streams. Callers never build REST paths.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/http/client.h"
#include "executor/kube_config.h"
#include "executor/kube_exec_stream.h"
#include "executor/kube_retry.h"
#include "executor/kube_watch.h"

namespace kexsim::executor {

/// Talks to one Kubernetes API server as one identity. Errors carry the server's Status message
/// (as client-go does) and the HTTP status in Error::code. Resources are core/v1 plural names
/// ("pods", "secrets").
class KubeClient {
 public:
  KubeClient(HttpClient& http, const KubeConnection& connection);

  /// Retries failed requests (not exec) as GitLab Runner's NewRetry does, waiting on clock.
  void set_retry(KubeRetryPolicy policy, Clock& clock);

  // Parameters are taken by value: an asio::awaitable starts lazily, after the caller's
  // temporaries may be gone.

  /// POST: creates object in ns; returns the stored object.
  asio::awaitable<Result<nlohmann::json>> create(std::string ns, std::string resource, nlohmann::json object);
  /// GET one object.
  asio::awaitable<Result<nlohmann::json>> get(std::string ns, std::string resource, std::string name);
  /// GET a list, with a query string already encoded (e.g. "fieldSelector=type%3DWarning").
  asio::awaitable<Result<nlohmann::json>> list(std::string ns, std::string resource, std::string query);
  /// GET a pod: its metadata, status and spec.nodeName (the rest of the spec is not decoded).
  asio::awaitable<Result<nlohmann::json>> get_pod(std::string ns, std::string name);
  /// GET a container's log (pods/NAME/log) with an encoded query; the answer is whether it opened, the
  /// text itself is dropped (util.go getPodLog only opens and closes the stream).
  asio::awaitable<Result<nlohmann::json>> open_pod_log(std::string ns, std::string pod, std::string query);
  /// PUT: replaces the object.
  asio::awaitable<Result<nlohmann::json>> update(std::string ns, std::string resource, std::string name,
                                                 nlohmann::json object);
  /// DELETE with DeleteOptions.
  asio::awaitable<Result<nlohmann::json>> remove(std::string ns, std::string resource, std::string name,
                                                 nlohmann::json options);
  /// POST to a path outside the core namespaced resources (e.g. SelfSubjectAccessReviews).
  asio::awaitable<Result<nlohmann::json>> create_at(std::string path, nlohmann::json object);
  /// Where this client's watches go (run_watch), with its identity and User-Agent.
  WatchTarget watch_target() const { return {&http_, base_url_, authorization_, user_agent_}; }
  /// GET /version.
  asio::awaitable<Result<nlohmann::json>> server_version();
  /// POST /api/v1/namespaces (namespace_per_job).
  asio::awaitable<Result<nlohmann::json>> create_namespace(nlohmann::json object);
  /// DELETE /api/v1/namespaces/<name> (namespace_per_job).
  asio::awaitable<Result<nlohmann::json>> delete_namespace(std::string name);

  /// Runs argv in a container over SPDY (as GitLab Runner does) with stdin_data as its stdin; output goes to
  /// on_output as it arrives.
  /// Returns the exit code; errors are upgrade failures or exec-level failures.
  asio::awaitable<Result<int>> exec(std::string ns, std::string pod, std::string container,
                                    std::vector<std::string> argv, std::string stdin_data,
                                    std::function<void(int stream, std::string_view data)> on_output);
  /// As exec, without a stdin stream (read-logs: ExecOptions.Stdin false).
  asio::awaitable<Result<int>> exec_output_only(std::string ns, std::string pod, std::string container,
                                                std::vector<std::string> argv,
                                                std::function<void(int stream, std::string_view data)> on_output);
  /// Attaches to a container's stdin over SPDY (pods/attach?container=C&stdin=true) and writes stdin_data;
  /// returns when the server ends the session. Errors are upgrade or session failures.
  asio::awaitable<Result<int>> attach(std::string ns, std::string pod, std::string container, std::string stdin_data);

 private:
  /// An exec or attach session over SPDY whose wait for the upgrade's answer HttpClient::abort ends.
  asio::awaitable<Result<ExecStreamResult>> stream(std::string url,
                                                   std::vector<std::pair<std::string, std::string>> headers,
                                                   std::string stdin_data,
                                                   std::function<void(int, std::string_view)> on_output);
  /// Decodes a successful answer's body (a discarded value when it is not JSON).
  using BodyParser = nlohmann::json (*)(const std::string& body);
  asio::awaitable<Result<nlohmann::json>> call(std::string method, std::string path,
                                               std::optional<nlohmann::json> body, BodyParser parse = nullptr);
  asio::awaitable<Result<nlohmann::json>> call_once(std::string method, std::string path,
                                                    std::optional<nlohmann::json> body, BodyParser parse);
  static std::string object_path(const std::string& ns, const std::string& resource, const std::string& name = {});

  HttpClient& http_;
  std::string base_url_;
  std::string authorization_;  ///< the Authorization header's value; empty: none
  std::string user_agent_;
  Profile profile_;
  std::optional<KubeRetryPolicy> retry_;
  Clock* clock_ = nullptr;
};

/// Percent-encodes a query parameter value.
std::string url_encode(const std::string& value);

/// The exit code in an exec error-channel Status (client-go remotecommand's v4 error decoder):
/// 0 for Success or no Status, the ExitCode cause for NonZeroExitCode, else an error.
Result<int> exec_exit_code(const std::string& status_json);

}  // namespace kexsim::executor

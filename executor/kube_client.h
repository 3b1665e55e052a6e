#pragma once
// A small Kubernetes REST client: JSON objects over HTTPS, Status errors, exec streams.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/http/client.h"

namespace kexsim::executor {

/// Talks to one Kubernetes API server as one identity. Errors carry the server's Status message
/// (as client-go does) and the HTTP status in Error::code.
class KubeClient {
 public:
  KubeClient(HttpClient& http, std::string base_url, std::string token, std::string user_agent);

  // Parameters are taken by value: an asio::awaitable starts lazily, after the caller's
  // temporaries may be gone.
  asio::awaitable<Result<nlohmann::json>> get(std::string path);
  asio::awaitable<Result<nlohmann::json>> post(std::string path, nlohmann::json body);
  asio::awaitable<Result<nlohmann::json>> put(std::string path, nlohmann::json body);
  asio::awaitable<Result<nlohmann::json>> del(std::string path, nlohmann::json body);

  /// Runs argv in a container with stdin_data as its stdin; output goes to on_output as it arrives.
  /// Returns the exit code; errors are upgrade failures or exec-level failures.
  asio::awaitable<Result<int>> exec(std::string ns, std::string pod, std::string container,
                                    std::vector<std::string> argv, std::string stdin_data,
                                    std::function<void(int stream, std::string_view data)> on_output);

 private:
  asio::awaitable<Result<nlohmann::json>> call(std::string method, std::string path,
                                               std::optional<nlohmann::json> body);

  HttpClient& http_;
  std::string base_url_;
  std::string token_;
  std::string user_agent_;
};

/// Percent-encodes a query parameter value.
std::string url_encode(const std::string& value);

}  // namespace kexsim::executor

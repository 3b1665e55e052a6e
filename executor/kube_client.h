#pragma once
// A small Kubernetes REST client: JSON objects over HTTPS, Status errors, exec streams.

#include <functional>
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

  asio::awaitable<Result<nlohmann::json>> get(const std::string& path);
  asio::awaitable<Result<nlohmann::json>> post(const std::string& path, const nlohmann::json& body);
  asio::awaitable<Result<nlohmann::json>> put(const std::string& path, const nlohmann::json& body);
  asio::awaitable<Result<nlohmann::json>> del(const std::string& path, const nlohmann::json& body);

  /// Runs argv in a container with stdin_data as its stdin; output goes to on_output as it arrives.
  /// Returns the exit code; errors are upgrade failures or exec-level failures.
  asio::awaitable<Result<int>> exec(const std::string& ns, const std::string& pod, const std::string& container,
                                    const std::vector<std::string>& argv, std::string stdin_data,
                                    std::function<void(int stream, std::string_view data)> on_output);

 private:
  asio::awaitable<Result<nlohmann::json>> call(const std::string& method, const std::string& path,
                                               const nlohmann::json* body);

  HttpClient& http_;
  std::string base_url_;
  std::string token_;
  std::string user_agent_;
};

/// Percent-encodes a query parameter value.
std::string url_encode(const std::string& value);

}  // namespace kexsim::executor

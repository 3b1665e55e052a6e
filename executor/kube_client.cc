#include "executor/kube_client.h"

#include <cctype>
#include <cstdio>

namespace kexsim::executor {
namespace {

// client-go turns a Status body into an error whose text is the Status message.
Error status_error(int http_status, const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::string message;
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string())
    message = parsed["message"].get<std::string>();
  else
    message = "the server responded with the status code " + std::to_string(http_status) +
              " but did not return more information";
  Error e = make_error(message);
  e.code = http_status;
  return e;
}

}  // namespace

std::string url_encode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

KubeClient::KubeClient(HttpClient& http, std::string base_url, std::string token, std::string user_agent)
    : http_(http), base_url_(std::move(base_url)), token_(std::move(token)), user_agent_(std::move(user_agent)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

asio::awaitable<Result<nlohmann::json>> KubeClient::call(std::string method, std::string path,
                                                        std::optional<nlohmann::json> body) {
  HttpClientRequest req;
  req.method = method;
  req.url = base_url_ + path;
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", user_agent_);
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  if (body) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body->dump();
  }
  auto res = co_await http_.request(std::move(req));
  if (!res) co_return res.error();
  if (res->status < 200 || res->status > 299) co_return status_error(res->status, res->body);
  auto parsed = nlohmann::json::parse(res->body, nullptr, false);
  if (parsed.is_discarded()) {
    co_return make_error("invalid JSON in the answer to " + method + " " + path,
                         "the API server answered with something that is not Kubernetes JSON", path);
  }
  co_return parsed;
}

asio::awaitable<Result<nlohmann::json>> KubeClient::get(std::string path) {
  return call("GET", std::move(path), std::nullopt);
}
asio::awaitable<Result<nlohmann::json>> KubeClient::post(std::string path, nlohmann::json body) {
  return call("POST", std::move(path), std::move(body));
}
asio::awaitable<Result<nlohmann::json>> KubeClient::put(std::string path, nlohmann::json body) {
  return call("PUT", std::move(path), std::move(body));
}
asio::awaitable<Result<nlohmann::json>> KubeClient::del(std::string path, nlohmann::json body) {
  return call("DELETE", std::move(path), std::move(body));
}

asio::awaitable<Result<int>> KubeClient::exec(std::string ns, std::string pod, std::string container,
                                              std::vector<std::string> argv, std::string stdin_data,
                                              std::function<void(int stream, std::string_view data)> on_output) {
  std::string url = base_url_ + "/api/v1/namespaces/" + ns + "/pods/" + pod + "/exec?container=" +
                    url_encode(container);
  for (const auto& a : argv) url += "&command=" + url_encode(a);
  url += "&stdin=true&stdout=true&stderr=true";
  std::vector<std::pair<std::string, std::string>> headers = {{"User-Agent", user_agent_}};
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  auto res = co_await http_.exec_websocket(url, headers, std::move(stdin_data), std::move(on_output));
  if (!res) {
    Error e = res.error();
    // client-go reports refused upgrades this way; RBAC denials keep the server's own words.
    if (e.code != 0 && e.code != 403) e.message = "unable to upgrade connection: " + e.message;
    co_return e;
  }
  if (res->status_json.empty()) co_return 0;  // an empty error stream at EOF means success
  auto status = nlohmann::json::parse(res->status_json, nullptr, false);
  if (!status.is_object()) co_return make_error("error stream protocol error: invalid status");
  if (status.value("status", std::string()) == "Success") co_return 0;
  if (status.value("reason", std::string()) == "NonZeroExitCode") {
    for (const auto& cause : status["details"].value("causes", nlohmann::json::array())) {
      if (cause.value("reason", std::string()) == "ExitCode") {
        try {
          co_return std::stoi(cause.value("message", std::string("1")));
        } catch (...) {
          co_return make_error("error stream protocol error: invalid exit code value");
        }
      }
    }
    co_return make_error("error stream protocol error: no ExitCode cause");
  }
  co_return make_error(status.value("message", std::string("command failed")));
}

}  // namespace kexsim::executor

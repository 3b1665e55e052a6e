#include "executor/kube_client.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "base/base64.h"
#include "executor/kube_exec_stream.h"
#include "executor/messages.h"
#include "executor/pod_body.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kexsim::executor {
namespace {

using nlohmann::json;

// client-go rest.Request's default maxRetries.
constexpr int kClientGoMaxRetries = 10;

// client-go turns a Status body into an error whose text is the Status message.
Error status_error(int http_status, const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
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

std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// encoding/json's error for a body that is no metav1.Status: exact for a truncated body, a bad first
// character and a non-object value; other syntax errors are named by their first bad character only.
// Go encoding/json scanner.go stateBeginValue: "invalid character " + quoteChar(c) + " looking for beginning of value";
// decode.go UnmarshalTypeError.Error: "json: cannot unmarshal " + e.Value + " into Go value of type " + e.Type.String().
std::string go_unmarshal_status_error(const std::string& body) {
  const json any = json::parse(body, nullptr, false);
  if (!any.is_discarded()) {
    const char* kind = any.is_array() ? "array" : any.is_string() ? "string" : any.is_boolean() ? "bool" : "number";
    return std::string("json: cannot unmarshal ") + kind + " into Go value of type v1.Status";
  }
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "unexpected end of JSON input";
  const char c = body[first];
  const bool starts_value = c == '{' || c == '[' || c == '"' || c == '-' ||
                            std::isdigit(static_cast<unsigned char>(c)) || c == 't' || c == 'f' || c == 'n';
  if (!starts_value) return std::string("invalid character '") + c + "' looking for beginning of value";
  // A well-begun value that does not parse: encoding/json reports a truncated one as the end of input.
  struct Sax : nlohmann::json_sax<json> {
    size_t at = 0;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
      at = position;
      return false;
    }
  } sax;
  json::sax_parse(body, &sax);
  if (sax.at == 0 || sax.at > body.size()) return "unexpected end of JSON input";
  return std::string("invalid character '") + body[sax.at - 1] + "'";
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

// client-go tools/remotecommand errorDecoderV4 and the exec protocol's Status convention.
Result<int> exec_exit_code(const std::string& status_json) {
  // client-go tools/remotecommand/errorstream.go watchErrorStream: an error stream that ends empty is
  // nil, i.e. success. Every client-go the offered runners pin (13.12's 2019 snapshot, v0.26.1 up to 18.6,
  // v0.32.10, v0.35.x, 19.3+'s v0.36.3) and client-go master keep that reading (B9).
  if (status_json.empty()) return 0;
  const json status = json::parse(status_json, nullptr, false);
  // tools/remotecommand/v4.go errorDecoderV4.decode, message for message.
  if (status.is_discarded() || (!status.is_object() && !status.is_null()))
    return make_error("error stream protocol error: " + go_unmarshal_status_error(status_json) + " in " +
                      messages::go_quote(status_json));
  const std::string state = string_field(status, "status");
  if (state == "Success") return 0;
  if (state != "Failure") return make_error("error stream protocol error: unknown error");
  if (string_field(status, "reason") == "NonZeroExitCode") {
    const auto details = status.find("details");
    if (details == status.end() || details->is_null())
      return make_error("error stream protocol error: details must be set");
    const json* causes = nullptr;
    if (details->is_object()) {
      auto it = details->find("causes");
      if (it != details->end() && it->is_array()) causes = &*it;
    }
    for (const auto& cause : causes ? *causes : json::array()) {
      if (string_field(cause, "reason") != "ExitCode") continue;
      // strconv.ParseUint(c.Message, 10, 8): decimal digits only, 0-255.
      const std::string text = string_field(cause, "message");
      unsigned code = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() || code > 255)
        return make_error("error stream protocol error: invalid exit code value " + messages::go_quote(text));
      return static_cast<int>(code);
    }
    return make_error("error stream protocol error: no ExitCode cause given");
  }
  return make_error(string_field(status, "message"));  // errors.New(status.Message)
}

namespace {

// client-go transport HTTPWrappersForConfig: a bearer token, else username/password as basic
// authentication (basicAuthRoundTripper: req.SetBasicAuth), else nothing. kubeconfig validation has
// already refused a user with both.
std::string kube_authorization_header(const KubeConnection& connection) {
  if (!connection.token.empty()) return "Bearer " + connection.token;
  if (!connection.username.empty() || !connection.password.empty())
    return "Basic " + base64_encode(connection.username + ":" + connection.password);
  return "";
}

}  // namespace

KubeClient::KubeClient(HttpClient& http, const KubeConnection& connection)
    : http_(http),
      base_url_(connection.base_url),
      authorization_(kube_authorization_header(connection)),
      user_agent_(connection.user_agent),
      profile_(connection.profile) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::string KubeClient::object_path(const std::string& ns, const std::string& resource, const std::string& name) {
  // Core resources live under /api/v1; the job pod's PodDisruptionBudget under policy/v1.
  const char* root = resource == "poddisruptionbudgets" ? "/apis/policy/v1/namespaces/" : "/api/v1/namespaces/";
  std::string path = root + ns + "/" + resource;
  if (!name.empty()) path += "/" + name;
  return path;
}

void KubeClient::set_retry(KubeRetryPolicy policy, Clock& clock) {
  retry_.emplace(std::move(policy));
  clock_ = &clock;
}

asio::awaitable<Result<json>> KubeClient::call(std::string method, std::string path, std::optional<json> body,
                                               BodyParser parse) {
  // helpers/retry retryRun: try, ask the policy, wait the backoff, try again. Nothing is logged.
  for (int tries = 1;; ++tries) {
    auto res = co_await call_once(method, path, body, parse);
    if (res || !retry_ || !clock_ || !retry_->should_retry(tries, res.error().message)) co_return res;
    co_await clock_->sleep_for(retry_->backoff(tries - 1));
  }
}

asio::awaitable<Result<json>> KubeClient::call_once(std::string method, std::string path, std::optional<json> body,
                                                    BodyParser parse) {
  HttpClientRequest req;
  req.method = method;
  req.url = base_url_ + path;
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", user_agent_);
  if (!authorization_.empty()) req.headers.emplace_back("Authorization", authorization_);
  if (body) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body->dump();
  }
  auto res = co_await http_.request(req);
  // client-go rest (with_retry.go IsNextRetry, request.go checkWait): a 429 or 5xx answer with an
  // integer Retry-After is tried again after that many seconds, up to 10 retries.
  for (int retries = 0; res && clock_ && retries < kClientGoMaxRetries; ++retries) {
    if (res->status != 429 && res->status < 500) break;
    const std::string after = res->header("Retry-After");
    int seconds = 0;
    const auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), seconds);
    if (after.empty() || ec != std::errc() || end != after.data() + after.size() || seconds < 0) break;
    co_await clock_->sleep_for(std::chrono::seconds(seconds));
    res = co_await http_.request(req);
  }
  if (!res) co_return res.error();
  if (res->status < 200 || res->status > 299) co_return status_error(res->status, res->body);
  json parsed = parse ? parse(res->body) : json::parse(res->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    co_return make_error("invalid JSON in the answer to " + method + " " + path,
                         "the API server answered with something that is not Kubernetes JSON", path);
  }
  co_return parsed;
}

asio::awaitable<Result<json>> KubeClient::open_pod_log(std::string ns, std::string pod, std::string query) {
  // Not through the runner's retry wrapper: util.go getPodLog calls client-go directly.
  return call_once("GET", object_path(ns, "pods", pod) + "/log" + (query.empty() ? "" : "?" + query), std::nullopt,
                   [](const std::string&) { return json::object(); });
}
asio::awaitable<Result<json>> KubeClient::create(std::string ns, std::string resource, json object) {
  return call("POST", object_path(ns, resource), std::move(object));
}
asio::awaitable<Result<json>> KubeClient::get(std::string ns, std::string resource, std::string name) {
  return call("GET", object_path(ns, resource, name), std::nullopt);
}
asio::awaitable<Result<json>> KubeClient::list(std::string ns, std::string resource, std::string query) {
  return call("GET", object_path(ns, resource) + (query.empty() ? "" : "?" + query), std::nullopt);
}
asio::awaitable<Result<json>> KubeClient::get_pod(std::string ns, std::string name) {
  return call("GET", object_path(ns, "pods", name), std::nullopt, parse_pod_body);
}
asio::awaitable<Result<json>> KubeClient::update(std::string ns, std::string resource, std::string name, json object) {
  return call("PUT", object_path(ns, resource, name), std::move(object));
}
asio::awaitable<Result<json>> KubeClient::remove(std::string ns, std::string resource, std::string name, json options) {
  return call("DELETE", object_path(ns, resource, name), std::move(options));
}
asio::awaitable<Result<json>> KubeClient::create_at(std::string path, json object) {
  co_return co_await call("POST", path, std::move(object));
}

asio::awaitable<Result<json>> KubeClient::server_version() { return call("GET", "/version", std::nullopt); }
asio::awaitable<Result<json>> KubeClient::create_namespace(json object) {
  return call("POST", "/api/v1/namespaces", std::move(object));
}
asio::awaitable<Result<json>> KubeClient::delete_namespace(std::string name) {
  return call("DELETE", "/api/v1/namespaces/" + name, std::nullopt);
}

namespace {

// One exec run on its own, so that the build's deadline can end the wait for its upgrade's answer
// (client-go's SPDY executor dials with the request's context). Once abandoned, its output goes nowhere.
struct DetachedExec {
  std::shared_ptr<HttpClient::Waiter> waiter;
  std::optional<Result<ExecStreamResult>> result;
  bool abandoned = false;
};

asio::awaitable<void> run_detached_exec(HttpClient* http, std::shared_ptr<DetachedExec> run, std::string url,
                                        std::vector<std::pair<std::string, std::string>> headers,
                                        std::string stdin_data,
                                        std::function<void(int stream, std::string_view data)> on_output,
                                        std::vector<std::string> protocols) {
  std::function<void(int, std::string_view)> forward = [run, on_output](int stream, std::string_view data) {
    if (!run->abandoned && on_output) on_output(stream, data);
  };
  std::function<void(bool)> waiting = [run](bool w) { run->waiter->waiting = w; };
  auto res = co_await run_spdy_exec_stream(*http, std::move(url), std::move(headers), std::move(stdin_data),
                                           std::move(forward), std::move(protocols), std::move(waiting));
  if (run->abandoned) co_return;
  run->result = std::move(res);
  run->waiter->wake.cancel();
}

}  // namespace

asio::awaitable<Result<ExecStreamResult>> KubeClient::stream(std::string url,
                                                             std::vector<std::pair<std::string, std::string>> headers,
                                                             std::string stdin_data,
                                                             std::function<void(int, std::string_view)> on_output) {
  auto run = std::make_shared<DetachedExec>();
  run->waiter = http_.make_waiter();
  const std::string url_text = url;
  asio::co_spawn(http_.executor(),
                 run_detached_exec(&http_, run, std::move(url), std::move(headers), std::move(stdin_data),
                                   std::move(on_output), spdy_exec_protocols(profile_)),
                 asio::detached);
  while (!run->result && run->waiter->failure.empty()) {
    boost::system::error_code ignored;
    co_await run->waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (!run->result) {
    run->abandoned = true;
    co_return make_error("error sending request: Post \"" + url_text + "\": " + run->waiter->failure);
  }
  co_return std::move(*run->result);
}

asio::awaitable<Result<int>> KubeClient::exec(std::string ns, std::string pod, std::string container,
                                              std::vector<std::string> argv, std::string stdin_data,
                                              std::function<void(int stream, std::string_view data)> on_output) {
  std::string url = base_url_ + object_path(ns, "pods", pod) + "/exec?container=" + url_encode(container);
  for (const auto& a : argv) url += "&command=" + url_encode(a);
  url += "&stdin=true&stdout=true&stderr=true";
  std::vector<std::pair<std::string, std::string>> headers = {{"User-Agent", user_agent_}};
  if (!authorization_.empty()) headers.emplace_back("Authorization", authorization_);
  // GitLab Runner execs over SPDY (executors/kubernetes/exec.go: remotecommand.NewSPDYExecutor), never WebSocket.
  auto res = co_await stream(std::move(url), std::move(headers), std::move(stdin_data), std::move(on_output));
  if (!res) co_return res.error();
  co_return exec_exit_code(res->status_json);
}

asio::awaitable<Result<int>> KubeClient::exec_output_only(
    std::string ns, std::string pod, std::string container, std::vector<std::string> argv,
    std::function<void(int stream, std::string_view data)> on_output) {
  std::string url = base_url_ + object_path(ns, "pods", pod) + "/exec?container=" + url_encode(container);
  for (const auto& a : argv) url += "&command=" + url_encode(a);
  url += "&stdout=true&stderr=true";
  std::vector<std::pair<std::string, std::string>> headers = {{"User-Agent", user_agent_}};
  if (!authorization_.empty()) headers.emplace_back("Authorization", authorization_);
  auto res = co_await stream(std::move(url), std::move(headers), std::string(), std::move(on_output));
  if (!res) co_return res.error();
  co_return exec_exit_code(res->status_json);
}

asio::awaitable<Result<int>> KubeClient::attach(std::string ns, std::string pod, std::string container,
                                                std::string stdin_data) {
  // executors/kubernetes/exec.go AttachOptions.Run: stdin only (stdout, stderr and tty false are omitted).
  std::string url =
      base_url_ + object_path(ns, "pods", pod) + "/attach?container=" + url_encode(container) + "&stdin=true";
  std::vector<std::pair<std::string, std::string>> headers = {{"User-Agent", user_agent_}};
  if (!authorization_.empty()) headers.emplace_back("Authorization", authorization_);
  auto res = co_await stream(std::move(url), std::move(headers), std::move(stdin_data), {});
  if (!res) co_return res.error();
  co_return exec_exit_code(res->status_json);
}

}  // namespace kexsim::executor

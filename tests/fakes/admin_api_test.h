#pragma once
// A test fixture that drives pods through the fake Kubernetes API server as an admin would: namespace
// "ci", every pod a runtime_testing::TestWorld that knows `worlds_.commands`, a manual clock, and requests
// built the way a client sends them (SPDY for exec).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/api_server.h"
#include "tests/fakes/runtime_test_world.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes::api_testing {

using Query = std::vector<std::pair<std::string, std::string>>;

/// A build step that prints "linking", runs 10 s and holds 128 MiB: the memory model's test load.
inline CommandSpec memory_hog() {
  CommandSpec hog;
  hog.stdout_text = "linking\n";
  hog.duration = std::chrono::seconds(10);
  hog.memory_bytes = 128ull * 1024 * 1024;
  return hog;
}

/// The API server, its clock and its container worlds, with an admin token and the "ci" namespace.
class AdminApiTest : public ::testing::Test {
 protected:
  explicit AdminApiTest(uint64_t seed = 3) : server_{clock_, Random(seed), worlds_} {
    server_.add_token("admin-token", "admin", {"system:masters"});
    EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "ci"}}}}).ok());
  }

  /// A request as the admin sends it (a JSON body when there is one).
  static HttpRequest request(const std::string& method, const std::string& path, Query query = {},
                             const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.target = path;
    r.query = std::move(query);
    r.body = body;
    r.headers["authorization"] = "Bearer admin-token";
    if (!body.empty()) r.headers["content-type"] = "application/json";
    return r;
  }

  /// The server's answer to request(method, path, query, body).
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                    Query query = {}) {
    return server_.handle(request(method, path, std::move(query), body));
  }

  /// Creates pod `name` in "ci" with `spec`; returns the answer's body.
  std::string create_pod(const std::string& name, nlohmann::json spec) {
    nlohmann::json pod = {
        {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", std::move(spec)}};
    const HttpResponse r = call("POST", "/api/v1/namespaces/ci/pods", pod.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.body;
  }

  /// Pod `name` as a GET returns it.
  nlohmann::json get_pod(const std::string& name) {
    return nlohmann::json::parse(call("GET", "/api/v1/namespaces/ci/pods/" + name).body);
  }

  /// The upgraded answer to an exec of `sh -c script` in the container (run it with response.exec).
  HttpResponse exec_request(const std::string& pod, const std::string& container, const std::string& script) {
    HttpRequest r = request("POST", "/api/v1/namespaces/ci/pods/" + pod + "/exec",
                            {{"container", container}, {"command", "sh"}, {"command", "-c"}, {"command", script}});
    r.headers["upgrade"] = "SPDY/3.1";
    return server_.handle(r);
  }

  /// Seeds Secret `name` in "ci" holding `key`: `value` (stringData).
  void seed_secret(const std::string& name, const std::string& key, const std::string& value) {
    ASSERT_TRUE(server_
                    .seed({{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", name}, {"namespace", "ci"}}},
                           {"stringData", {{key, value}}}})
                    .ok());
  }

  /// A spec with a "build" container limited to `build_memory_limit` and a "helper" beside it.
  static nlohmann::json build_and_helper(const std::string& build_memory_limit) {
    return {{"restartPolicy", "Never"},
            {"containers",
             {{{"name", "build"}, {"image", "alpine"}, {"resources", {{"limits", {{"memory", build_memory_limit}}}}}},
              {{"name", "helper"}, {"image", "helper"}}}}};
  }

  /// The pod's status of `container` (null when it has none).
  static const nlohmann::json& status_of(const nlohmann::json& pod, const std::string& container) {
    for (const nlohmann::json& c : pod["status"]["containerStatuses"])
      if (c["name"] == container) return c;
    static const nlohmann::json kNone;
    return kNone;
  }

  kexsim::testing::ManualClock clock_;
  runtime_testing::CommandWorlds worlds_;
  KubeApiServer server_;
};

}  // namespace kexsim::fakes::api_testing

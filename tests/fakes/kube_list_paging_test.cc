// Chunked lists on the fake API server (?limit, ?continue): pages, the continue token upstream encodes,
// remainingItemCount, and the refusals. Found by ruby-kubeclient's get_secrets(limit:) and
// @kubernetes/client-node's listNamespacedSecret({limit}) (tests/conformance): the fake sent everything.

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "fakes/kube/api_server.h"
#include "fakes/kube/list_paging.h"
#include "tests/support/manual_clock.h"
#include "tests/support/no_worlds.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using testing::NoWorlds;

class KubeListPagingTest : public ::testing::Test {
 protected:
  KubeListPagingTest() {
    server_.add_token("admin-token", "admin", {"system:masters"});
    for (const char* ns : {"cicd", "cicd-b"})
      EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", ns}}}}).ok());
    for (const char* name : {"c", "a", "b"}) secret("cicd", name);
    secret("cicd-b", "a");
  }

  void secret(const std::string& ns, const std::string& name) {
    HttpRequest r = get("/api/v1/namespaces/" + ns + "/secrets", {});
    r.method = "POST";
    r.headers["content-type"] = "application/json";
    r.body = json{{"metadata", {{"name", name}}}}.dump();
    EXPECT_EQ(server_.handle(r).status, 201);
  }
  static HttpRequest get(const std::string& path, std::vector<std::pair<std::string, std::string>> query) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.target = path;
    r.query = std::move(query);
    r.headers["authorization"] = "Bearer admin-token";
    return r;
  }
  std::pair<int, json> list(const std::string& path, std::vector<std::pair<std::string, std::string>> query) {
    const HttpResponse r = server_.handle(get(path, std::move(query)));
    return {r.status, json::parse(r.body)};
  }
  static std::vector<std::string> names(const json& list) {
    std::vector<std::string> out;
    for (const json& item : list["items"])
      out.push_back(item["metadata"]["namespace"].get<std::string>() + "/" +
                    item["metadata"]["name"].get<std::string>());
    return out;
  }

  testing::ManualClock clock_;
  NoWorlds worlds_;
  KubeApiServer server_{clock_, Random(3), worlds_};
};

TEST(ListPaging, TheTokenIsUpstreamsBase64urlJson) {
  const std::string token = encode_continue(std::string("cicd/b") + '\0', 12);
  EXPECT_EQ(token.find('='), std::string::npos);
  std::string standard = token;
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  EXPECT_EQ(base64_decode(standard).value(), R"({"v":"meta.k8s.io/v1","rv":12,"start":"cicd/b\u0000"})");
}

TEST_F(KubeListPagingTest, LimitGivesPagesThatContinueAtTheFirstPagesVersion) {
  auto [status, first] = list("/api/v1/namespaces/cicd/secrets", {{"limit", "2"}});
  ASSERT_EQ(status, 200) << first.dump();
  EXPECT_EQ(names(first), (std::vector<std::string>{"cicd/a", "cicd/b"}));
  EXPECT_EQ(first["metadata"]["remainingItemCount"], 1);
  const std::string token = first["metadata"]["continue"];
  ASSERT_FALSE(token.empty());
  auto [status2, second] = list("/api/v1/namespaces/cicd/secrets", {{"limit", "2"}, {"continue", token}});
  ASSERT_EQ(status2, 200) << second.dump();
  EXPECT_EQ(names(second), (std::vector<std::string>{"cicd/c"}));
  EXPECT_EQ(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"]);
  EXPECT_FALSE(second["metadata"].contains("continue"));
  EXPECT_FALSE(second["metadata"].contains("remainingItemCount"));
  // Without limit (or with a larger one) the whole list, as before.
  EXPECT_EQ(names(list("/api/v1/namespaces/cicd/secrets", {}).second).size(), 3u);
  EXPECT_EQ(names(list("/api/v1/namespaces/cicd/secrets", {{"limit", "500"}}).second).size(), 3u);
}

TEST_F(KubeListPagingTest, AcrossNamespacesKeysAreEtcdsAndSelectorsHideTheCount) {
  // etcd orders "cicd-b/a" before "cicd/a" ('-' < '/').
  auto [status, page] = list("/api/v1/secrets", {{"limit", "1"}});
  ASSERT_EQ(status, 200);
  EXPECT_EQ(names(page), (std::vector<std::string>{"cicd-b/a"}));
  auto [status2, next] = list("/api/v1/secrets", {{"limit", "3"}, {"continue", page["metadata"]["continue"]}});
  EXPECT_EQ(names(next), (std::vector<std::string>{"cicd/a", "cicd/b", "cicd/c"}));
  auto [status3, selected] = list("/api/v1/secrets", {{"limit", "1"}, {"fieldSelector", "type=Opaque"}});
  EXPECT_TRUE(selected["metadata"].contains("continue"));
  EXPECT_FALSE(selected["metadata"].contains("remainingItemCount"));
}

TEST_F(KubeListPagingTest, RefusalsAreTheApiserversBadRequests) {
  const std::string token = encode_continue("b", 3);
  auto [status, body] = list("/api/v1/namespaces/cicd/secrets", {{"continue", token}, {"resourceVersion", "3"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["message"], "specifying resource version is not allowed when using continue");
  EXPECT_EQ(body["reason"], "BadRequest");
  std::tie(status, body) = list("/api/v1/namespaces/cicd/secrets", {{"continue", "ab!c"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["message"], "invalid continue token: continue key is not valid: illegal base64 data at input byte 2");
  std::tie(status, body) = list("/api/v1/namespaces/cicd/secrets", {{"continue", encode_continue("b", 0)}});
  EXPECT_EQ(body["message"],
            "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version "
            "meta.k8s.io/v1)");
  std::tie(status, body) = list("/api/v1/namespaces/cicd/secrets", {{"continue", encode_continue("", 3)}});
  EXPECT_EQ(body["message"],
            "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
}

}  // namespace
}  // namespace kexsim::fakes

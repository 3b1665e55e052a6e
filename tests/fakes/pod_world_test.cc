// The pod's world end to end: git in a container clones from the fake GitLab through the network
// model and an in-memory TLS connection; each TLS identity gives git's exact message.

#include "fakes/kube/pod_world.h"

#include <gtest/gtest.h>

#include "base/tls.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;

const nlohmann::json kPod = {{"metadata", {{"name", "runner-abc-project-2-concurrent-0-xyz"}}},
                             {"spec", {{"hostAliases", nlohmann::json::array()}}}};

class PodWorldTest : public ::testing::Test {
 protected:
  PodWorldTest() : gitlab_(clock_, Random(1), "https://gitlab.mylab.com", "runner-token") {
    network_.add_host({"gitlab.mylab.com", "10.0.0.216", 443, "gitlab", TlsBehaviour::kOk});
    gitlab_.add_repository("root/mycicd", "master", {});
    auto ca = CertificateAuthority::create("kexsim simulation CA");
    auto rogue = CertificateAuthority::create("untrusted CA");
    EXPECT_TRUE(ca && rogue);
    ca_.emplace(std::move(*ca));
    rogue_.emplace(std::move(*rogue));
  }

  // Runs a clone from a pod whose GitLab presents pair (or resets when pair is null).
  ShellResult clone(const Result<KeyPair>* pair, const std::string& flags = "",
                    const std::string& host = "gitlab.mylab.com") {
    PodWorldFactory factory(network_, gitlab_, clock_, {});
    factory.set_trust(ca_->cert_pem());
    factory.set_identity(
        "10.0.0.216", 443,
        pair ? TlsPipeServer{(*pair)->cert_pem, (*pair)->key_pem, false} : TlsPipeServer{"", "", true});
    auto world = factory.world_for(kPod, "build");
    return interpret(
        "git " + flags + "clone -q https://" + host + "/root/mycicd.git /src && cd /src && git rev-parse HEAD\n",
        ShellOptions{}, *world);
  }

  std::string fatal(const std::string& reason) {
    return "fatal: unable to access 'https://gitlab.mylab.com/root/mycicd.git/': " + reason + "\n";
  }

  kexsim::testing::ManualClock clock_;
  Network network_;
  FakeGitLab gitlab_;
  std::optional<CertificateAuthority> ca_, rogue_;
};

TEST_F(PodWorldTest, TrustedCertificateClones) {
  const auto pair = ca_->issue({"gitlab.mylab.com", "10.0.0.216"});
  const ShellResult r = clone(&pair);
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1), gitlab_.repository("root/mycicd")->refs().at("refs/heads/master") + "\n");
  EXPECT_EQ(gitlab_.call_log(), (std::vector<std::string>{"GET /root/mycicd.git/info/refs 200",
                                                          "POST /root/mycicd.git/git-upload-pack 200"}));
}

TEST_F(PodWorldTest, UnknownCa) {
  const auto pair = rogue_->issue({"gitlab.mylab.com"});
  EXPECT_EQ(stream_text(clone(&pair), 2), fatal("SSL certificate problem: unable to get local issuer certificate"));
}

TEST_F(PodWorldTest, Expired) {
  const auto pair = ca_->issue({"gitlab.mylab.com"}, true);
  EXPECT_EQ(stream_text(clone(&pair), 2), fatal("SSL certificate problem: certificate has expired"));
}

TEST_F(PodWorldTest, WrongName) {
  const auto pair = ca_->issue({"wrong-name.invalid"});
  EXPECT_EQ(stream_text(clone(&pair), 2),
            fatal("SSL: no alternative certificate subject name matches target host name 'gitlab.mylab.com'"));
}

TEST_F(PodWorldTest, WrongIpAddress) {
  const auto pair = ca_->issue({"gitlab.mylab.com"});
  EXPECT_EQ(stream_text(clone(&pair, "", "10.0.0.216"), 2),
            "fatal: unable to access 'https://10.0.0.216/root/mycicd.git/': "
            "SSL: no alternative certificate subject name matches target ipv4 address '10.0.0.216'\n");
}

TEST_F(PodWorldTest, Reset) {
  const ShellResult r = clone(nullptr);
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2), fatal("OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to gitlab.mylab.com:443 "));
}

TEST_F(PodWorldTest, SslVerifyFalseAcceptsABadCertificate) {
  const auto pair = rogue_->issue({"wrong-name.invalid"}, true);
  const ShellResult r = clone(&pair, "-c http.sslVerify=false ");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
}

// Records the request it gets and answers 201 with a body.
class RecordingHandler : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest& request) override {
    requests.push_back(request);
    HttpResponse r;
    r.status = 201;
    r.headers.emplace_back("X-Seen", request.method);
    r.body = "made";
    return r;
  }
  std::vector<HttpRequest> requests;
};

TEST(InMemoryHttpTest, ParsesRequestsAndAnswersWithContentLength) {
  RecordingHandler handler;
  auto connection = in_memory_http(&handler, "gitlab.mylab.com");
  // Two pipelined requests, the second with a body split across writes.
  ASSERT_TRUE(
      connection->write("GET /a%20b/info/refs?service=git-upload-pack&x=1+2 HTTP/1.1\r\nHost: h\r\n\r\n"
                        "POST /p HTTP/1.1\r\nContent-Length: 5\r\nX-Token: T\r\n\r\nab"));
  ASSERT_TRUE(connection->write("cde"));
  EXPECT_EQ(connection->read(),
            "HTTP/1.1 201 Created\r\nX-Seen: GET\r\nContent-Length: 4\r\n\r\nmade"
            "HTTP/1.1 201 Created\r\nX-Seen: POST\r\nContent-Length: 4\r\n\r\nmade");
  ASSERT_EQ(handler.requests.size(), 2u);
  EXPECT_EQ(handler.requests[0].path, "/a b/info/refs");
  EXPECT_EQ(handler.requests[0].query_value("service"), "git-upload-pack");
  EXPECT_EQ(handler.requests[0].query_value("x"), "1 2");
  EXPECT_EQ(handler.requests[0].listener, "gitlab.mylab.com");
  EXPECT_EQ(handler.requests[1].body, "abcde");
  EXPECT_EQ(handler.requests[1].header("x-token"), "T");
  // No fake behind the listener: 404.
  auto nobody = in_memory_http(nullptr, "x");
  ASSERT_TRUE(nobody->write("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(nobody->read(), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace kexsim::fakes

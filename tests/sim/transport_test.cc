// The transport end to end: the executor's HttpClient and exec stream against the fakes'
// HttpServer over real loopback sockets, with TLS made by the simulation CA, on one io_context and
// a counting clock.

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "base/clock.h"
#include "base/tls.h"
#include "executor/dialer.h"
#include "executor/http/client.h"
#include "executor/kube_exec_stream.h"
#include "fakes/http/server.h"
#include "fakes/http/types.h"
#include "tests/support/loopback_dialer.h"
#include "tests/support/yielding_clock.h"
#include "fakes/kube/exec.h"

namespace kexsim::sim {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using CountingClock = testing::YieldingClock;

using LoopbackDialer = testing::LoopbackDialer;

/// Echoes requests, and runs an exec session on /exec.
class TestHandler : public fakes::HttpHandler {
 public:
  fakes::HttpResponse handle(const fakes::HttpRequest& request) override {
    requests.push_back(request);
    if (request.path.ends_with("/exec")) {
      fakes::HttpResponse res = exec_response;
      res.upgrade_failed = fakes::upgrade_failure_response;  // failed upgrades in the API server's words
      return res;
    }
    std::string body = request.method + " " + request.path;
    for (const auto& [k, v] : request.query) body += " " + k + "=" + v;
    if (!request.body.empty()) body += " body=" + request.body;
    auto res = fakes::HttpResponse::json(200, body);
    res.headers.emplace_back("X-Listener", request.listener);
    return res;
  }

  std::vector<fakes::HttpRequest> requests;
  fakes::HttpResponse exec_response;
};

struct Rig {
  /// A server on k8s.local (TLS unless tls is empty) and a client that trusts the CA.
  explicit Rig(std::optional<fakes::ServerTls> tls = {}, bool own_tls = true) : ca(make_ca()) {
    if (own_tls && !tls) {
      auto leaf = ca.issue({"k8s.local", "10.0.0.1"});
      tls = fakes::ServerTls{leaf->cert_pem, leaf->key_pem};
    }
    start_server(std::move(tls));
    dialer.trusted_ca = ca.cert_pem();
    client = std::make_unique<executor::HttpClient>(io.get_executor(), dialer, clock, executor::TlsSettings{});
  }

  static CertificateAuthority make_ca() {
    auto ca = CertificateAuthority::create("kexsim test CA");
    EXPECT_TRUE(ca);
    return std::move(*ca);
  }

  void start_server(std::optional<fakes::ServerTls> tls) {
    server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, handler, "kube-apiserver", std::move(tls));
    auto port = server->listen();
    ASSERT_TRUE(port) << port.error().message;
    dialer.target_port = *port;
  }

  /// Runs body to completion, then stops the server so the io_context drains.
  void run(std::function<asio::awaitable<void>()> body) {
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await body();
          client->close_idle();
          if (server) server->stop();
          done = true;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run_for(60s);  // a safety net against a hang, not a timing assertion
    ASSERT_TRUE(done) << "the test body did not finish";
    EXPECT_EQ(clock.in_flight, 0) << "unbalanced in-flight accounting";
  }

  asio::awaitable<Result<executor::HttpClientResponse>> get(const std::string& url) {
    executor::HttpClientRequest req;
    req.method = "GET";
    req.url = url;
    co_return co_await client->request(std::move(req));
  }

  asio::io_context io;
  CountingClock clock;
  TestHandler handler;
  LoopbackDialer dialer;
  CertificateAuthority ca;
  std::unique_ptr<fakes::HttpServer> server;
  std::unique_ptr<executor::HttpClient> client;
};

executor::HttpClientRequest make_request(std::string method, std::string url, std::string body = {}) {
  executor::HttpClientRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.body = std::move(body);
  return req;
}

fakes::ServerTls leaf_for(const CertificateAuthority& ca, std::vector<std::string> names, bool expired = false) {
  auto leaf = ca.issue(names, expired);
  EXPECT_TRUE(leaf);
  return fakes::ServerTls{leaf->cert_pem, leaf->key_pem};
}

TEST(Transport, HttpsKeepAliveReusesOneConnection) {
  Rig rig;
  rig.run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto res = co_await rig.get("https://k8s.local:6443/api/v1/name%20space?watch=true&x=a+b&x=%2F");
      EXPECT_TRUE(res) << res.error().message;
      if (!res) co_return;
      EXPECT_EQ(res->status, 200);
      EXPECT_EQ(res->body, "GET /api/v1/name space watch=true x=a b x=/");
      EXPECT_EQ(res->header("content-type"), "application/json");
      EXPECT_EQ(res->header("x-listener"), "kube-apiserver");
    }
    executor::HttpClientRequest create;
    create.method = "POST";
    create.url = "https://k8s.local:6443/api/v1/pods";
    create.headers.emplace_back("Content-Type", "application/json");
    create.body = R"({"a":1})";
    auto post = co_await rig.client->request(create);
    EXPECT_TRUE(post);
    if (post) {
      EXPECT_EQ(post->body, "POST /api/v1/pods body={\"a\":1}");
    }
  });
  EXPECT_EQ(rig.dialer.dials, 1);
  EXPECT_EQ(rig.dialer.hosts.front(), "k8s.local");
  ASSERT_EQ(rig.handler.requests.size(), 6u);
  const auto& req = rig.handler.requests.front();
  EXPECT_EQ(req.target, "/api/v1/name%20space?watch=true&x=a+b&x=%2F");
  EXPECT_EQ(req.query_values("x"), (std::vector<std::string>{"a b", "/"}));
  EXPECT_EQ(req.header("host"), "k8s.local:6443");
  EXPECT_EQ(req.header("user-agent"), "Go-http-client/1.1");
  EXPECT_GE(rig.clock.min_in_flight, 0);
}

TEST(Transport, PlainHttpHeadAndConnectionClose) {
  Rig rig(std::nullopt, false);
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("http://gitlab.mylab.com/api/v4/jobs/request");
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->body, "GET /api/v4/jobs/request");
    }
    res = co_await rig.client->request(make_request("HEAD", "http://gitlab.mylab.com/x"));
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->body, "");
      EXPECT_EQ(res->header("Content-Length"), "7");  // "HEAD /x"
    }
    auto closing = make_request("GET", "http://gitlab.mylab.com/y");
    closing.headers.emplace_back("Connection", "close");
    res = co_await rig.client->request(closing);
    EXPECT_TRUE(res) << res.error().message;
    res = co_await rig.get("http://gitlab.mylab.com/z");
    EXPECT_TRUE(res) << res.error().message;
    auto expect = make_request("PUT", "http://gitlab.mylab.com/upload", "data");
    expect.headers.emplace_back("Expect", "100-continue");
    res = co_await rig.client->request(expect);
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->body, "PUT /upload body=data");
    }
    res = co_await rig.get("http://gitlab.mylab.com/after");
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->body, "GET /after");
    }
  });
  EXPECT_EQ(rig.handler.requests.at(0).header("host"), "gitlab.mylab.com");
  EXPECT_EQ(rig.dialer.dials, 2);  // the connection the client asked to close is not reused
}

TEST(Transport, UntrustedCaIsGosUnknownAuthority) {
  Rig rig;
  auto other = CertificateAuthority::create("someone else");
  ASSERT_TRUE(other);
  rig.dialer.trusted_ca = other->cert_pem();
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local:6443/version");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://k8s.local:6443/version\": x509: certificate signed by unknown authority");
    }
  });
}

TEST(Transport, CaFromSettingsAddsTrust) {
  Rig rig;
  const std::string ca_pem = rig.ca.cert_pem();
  rig.dialer.trusted_ca.clear();
  rig.client = std::make_unique<executor::HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock,
                                                      executor::TlsSettings{.ca_pem = ca_pem});
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local:6443/version");
    EXPECT_TRUE(res) << res.error().message;
  });
}

void write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

TEST(Transport, CaFileAndClientCertificateFiles) {
  Rig rig;
  const std::string dir = ::testing::TempDir();
  auto client_cert = rig.ca.issue({"system:serviceaccount:cicd:default"});
  ASSERT_TRUE(client_cert);
  write_file(dir + "kexsim-ca.pem", rig.ca.cert_pem());
  write_file(dir + "kexsim-client.pem", client_cert->cert_pem);
  write_file(dir + "kexsim-client-key.pem", client_cert->key_pem);
  rig.dialer.trusted_ca.clear();
  executor::TlsSettings tls;
  tls.ca_file = dir + "kexsim-ca.pem";
  tls.cert_file = dir + "kexsim-client.pem";
  tls.key_file = dir + "kexsim-client-key.pem";
  rig.client = std::make_unique<executor::HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock, tls);
  auto missing = std::make_unique<executor::HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock,
                                                        executor::TlsSettings{.ca_file = "/nonexistent/ca.pem"});
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local:6443/version");
    EXPECT_TRUE(res) << res.error().message;
    res = co_await missing->request(make_request("GET", "https://k8s.local:6443/version"));
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://k8s.local:6443/version\": open /nonexistent/ca.pem: no such file or directory");
    }
  });
}

TEST(Transport, InsecureSkipVerifyIgnoresTrust) {
  Rig rig;
  rig.dialer.trusted_ca.clear();
  rig.client = std::make_unique<executor::HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock,
                                                      executor::TlsSettings{.insecure_skip_verify = true});
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://whatever.example:6443/version");
    EXPECT_TRUE(res) << res.error().message;
  });
}

TEST(Transport, ClientsShareOneTlsContextPerTrustAndKeepTheirVerdicts) {
  Rig rig;
  const std::string dir = ::testing::TempDir();
  write_file(dir + "kexsim-shared-ca.pem", rig.ca.cert_pem());
  auto contexts = std::make_shared<executor::TlsContextCache>();
  auto make = [&](executor::TlsSettings tls) {
    return std::make_unique<executor::HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock, tls, contexts);
  };
  auto first = make({});
  auto second = make({});  // same trust: reuses the first one's context
  auto with_file = make({.ca_file = dir + "kexsim-shared-ca.pem"});
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await first->request(make_request("GET", "https://k8s.local/version"));
    EXPECT_TRUE(res) << res.error().message;
    // Sharing the context shares no verdict: each handshake verifies the name it dialled.
    res = co_await second->request(make_request("GET", "https://api.k8s.local/version"));
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://api.k8s.local/version\": x509: certificate is valid for k8s.local, not api.k8s.local");
    }
    res = co_await with_file->request(make_request("GET", "https://k8s.local/version"));
    EXPECT_TRUE(res) << res.error().message;
    first->close_idle();
    second->close_idle();
    with_file->close_idle();
  });
  EXPECT_EQ(contexts->built(), 2u);
  EXPECT_EQ(rig.dialer.dials, 3);  // no connection is shared between clients
}

TEST(Transport, WrongNameListsTheCertificatesNames) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  Rig rig(leaf_for(*ca, {"other.local", "api.other.local"}));
  rig.dialer.trusted_ca = ca->cert_pem();
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local/version");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://k8s.local/version\": x509: certificate is valid for other.local, api.other.local, "
                "not k8s.local");
    }
    res = co_await rig.get("https://10.0.0.1/version");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://10.0.0.1/version\": x509: cannot validate certificate for 10.0.0.1 because it "
                "doesn't contain any IP SANs");
    }
  });
}

TEST(Transport, WrongIpListsTheCertificatesIps) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  Rig rig(leaf_for(*ca, {"10.0.0.2"}));
  rig.dialer.trusted_ca = ca->cert_pem();
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://10.0.0.1:6443/version");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://10.0.0.1:6443/version\": x509: certificate is valid for 10.0.0.2, not 10.0.0.1");
    }
    res = co_await rig.get("https://10.0.0.2:6443/version");
    EXPECT_TRUE(res) << res.error().message;
  });
}

TEST(Transport, ExpiredCertificateWinsOverOtherProblems) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  Rig rig(leaf_for(*ca, {"other.local"}, true));  // expired, wrong name and untrusted
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local/version");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Get \"https://k8s.local/version\": x509: certificate has expired or is not yet valid");
    }
  });
}

TEST(Transport, ResetDuringHandshake) {
  Rig rig(fakes::ServerTls{.reset_handshake = true});
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.client->request(make_request("POST", "https://gitlab.mylab.com/api/v4/jobs/request", "{}"));
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Post \"https://gitlab.mylab.com/api/v4/jobs/request\": read: connection reset by peer");
    }
  });
}

TEST(Transport, DialerErrorsPassVerbatim) {
  Rig rig;
  rig.dialer.refuse = true;
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.client->request(make_request("DELETE", "https://k8s:6443/api/v1/namespaces/x/pods/y"));
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "Delete \"https://k8s:6443/api/v1/namespaces/x/pods/y\": dial tcp 10.0.0.1:6443: connect: "
                "connection refused");
    }
    res = co_await rig.get("ftp://k8s/x");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message, "Get \"ftp://k8s/x\": unsupported protocol scheme \"ftp\"");
    }
  });
}

TEST(Transport, ReconnectsOnceWhenTheIdleConnectionDied) {
  Rig rig;
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local/a");
    EXPECT_TRUE(res);
    rig.server->stop();  // kills the pooled connection
    rig.start_server(leaf_for(rig.ca, {"k8s.local"}));
    res = co_await rig.get("https://k8s.local/b");
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->body, "GET /b");
    }
  });
  EXPECT_EQ(rig.dialer.dials, 2);
}

TEST(Transport, UpgradeRequiredWithoutUpgradeHeader) {
  Rig rig;
  rig.handler.exec_response.status = 101;
  rig.handler.exec_response.exec = [](const std::string&) { return fakes::ExecOutcome{}; };
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.get("https://k8s.local/exec");
    EXPECT_TRUE(res);
    if (!res) co_return;
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find("\"message\":\"Upgrade request required\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"reason\":\"BadRequest\""), std::string::npos);
  });
}

// An exec whose process prints at 1 s and 3 s and ends at 5 s, virtual time.
fakes::HttpResponse timed_exec(std::string* stdin_seen) {
  fakes::HttpResponse res;
  res.status = 101;
  res.exec = [stdin_seen](const std::string& in) {
    *stdin_seen = in;
    fakes::ExecOutcome out;
    out.output.push_back({1s, 1, "hello\n"});
    out.output.push_back({3s, 2, "warn\n"});
    out.duration = 5s;
    out.status_json = R"({"metadata":{},"status":"Success"})";
    return out;
  };
  return res;
}

TEST(Transport, ExecOverWebSocketV5WithTimedOutput) {
  Rig rig;
  std::string stdin_seen;
  rig.handler.exec_response = timed_exec(&stdin_seen);
  const std::string script = "echo hello\n" + std::string(70000, '#') + "\n";
  std::vector<std::pair<int, std::string>> output;
  std::vector<Duration> output_at;
  const TimePoint start = rig.clock.now();
  const std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer t"}};
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(
        *rig.client,
        "https://k8s.local:6443/api/v1/namespaces/cicd/pods/p/exec?command=sh&container=build&stdin=true&stdout=true",
        headers, script, [&](int stream, std::string_view data) {
          output.emplace_back(stream, std::string(data));
          output_at.push_back(std::chrono::duration_cast<Duration>(rig.clock.now() - start));
        });
    EXPECT_TRUE(res) << res.error().message;
    if (!res) co_return;
    EXPECT_EQ(res->protocol, "v5.channel.k8s.io");
    EXPECT_EQ(res->status_json, R"({"metadata":{},"status":"Success"})");
  });
  EXPECT_TRUE(stdin_seen == script) << "stdin arrived with " << stdin_seen.size() << " of " << script.size()
                                    << " bytes";
  EXPECT_EQ(output, (std::vector<std::pair<int, std::string>>{{1, "hello\n"}, {2, "warn\n"}}));
  EXPECT_EQ(output_at, (std::vector<Duration>{1s, 3s}));
  EXPECT_EQ(rig.clock.now() - start, 5s);
  EXPECT_GE(rig.clock.min_in_flight, 0);
  const auto& req = rig.handler.requests.at(0);
  EXPECT_EQ(req.header("sec-websocket-protocol"), "v5.channel.k8s.io, v4.channel.k8s.io");
  EXPECT_EQ(req.header("authorization"), "Bearer t");
  EXPECT_EQ(req.query_values("command"), std::vector<std::string>{"sh"});
}

TEST(Transport, ExecFallsBackToV4) {
  Rig rig(std::nullopt, false);  // also covers ws:// without TLS
  std::string stdin_seen = "untouched";
  rig.handler.exec_response = timed_exec(&stdin_seen);
  rig.handler.exec_response.headers.emplace_back("Sec-WebSocket-Protocol", "v4.channel.k8s.io");
  std::string out;
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(*rig.client, "http://k8s.local/exec?command=true&stdout=true", {}, "",
                                                  [&](int, std::string_view data) { out += data; });
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->protocol, "v4.channel.k8s.io");
    }
  });
  EXPECT_EQ(stdin_seen, "");
  EXPECT_EQ(out, "hello\nwarn\n");
  EXPECT_GE(rig.clock.min_in_flight, 0);
}

TEST(Transport, ExecWithNoCommonProtocolIsRefused) {
  Rig rig;
  std::string stdin_seen;
  rig.handler.exec_response = timed_exec(&stdin_seen);
  rig.handler.exec_response.headers.emplace_back("Sec-WebSocket-Protocol", "v3.channel.k8s.io");
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(*rig.client, "https://k8s.local/exec", {}, "x", {});
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message, "unable to upgrade connection: no supported stream protocol");
    }
  });
}

TEST(Transport, ExecRefusedWithStatusMessage) {
  Rig rig;
  rig.handler.exec_response = fakes::HttpResponse::json(
      403,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: User \"system:serviceaccount:cicd:default\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"cicd\"","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403})");
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(*rig.client, "https://k8s.local/exec", {}, "x", {});
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "pods \"p\" is forbidden: User \"system:serviceaccount:cicd:default\" cannot create resource "
                "\"pods/exec\" in API group \"\" in the namespace \"cicd\"");
    }
    rig.handler.exec_response = fakes::HttpResponse{};
    rig.handler.exec_response.status = 500;
    rig.handler.exec_response.body = "container not found (\"helper\")";
    res = co_await executor::run_exec_stream(*rig.client, "https://k8s.local/exec", {}, "x", {});
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message, "container not found (\"helper\")");
    }
  });
}

TEST(Transport, ServerDestroyedMidExecLeavesNothingInFlight) {
  Rig rig;
  std::string stdin_seen;
  rig.handler.exec_response = timed_exec(&stdin_seen);
  rig.clock.on_sleep = [&](Duration d) {
    if (d == 2s) rig.server.reset();  // between the two chunks, from inside the server's own session
  };
  std::string out;
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(*rig.client, "https://k8s.local/exec?stdin=true", {}, "script",
                                                  [&](int, std::string_view data) { out += data; });
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message.rfind("next reader: ", 0), 0u) << res.error().message;
    }
  });
  EXPECT_EQ(out, "hello\n");
}

std::string websocket_accept(const std::string& key) {
  const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr);
  unsigned char out[64];
  const int n = EVP_EncodeBlock(out, digest, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

// A WebSocket server that accepts the upgrade but names no subprotocol (Beast's client accepts
// that; ours must not).
asio::awaitable<void> accept_without_subprotocol(tcp::acceptor& acceptor) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const size_t n = co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);
    request.append(buf, n);
  }
  const size_t at = request.find("Sec-WebSocket-Key: ");
  const size_t end = request.find("\r\n", at);
  const std::string key = request.substr(at + 19, end - at - 19);
  const std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      websocket_accept(key) + "\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
  boost::system::error_code ec;
  co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
}

TEST(Transport, ExecRejectsAServerThatChoseNoSubprotocol) {
  Rig rig(std::nullopt, false);
  tcp::acceptor acceptor(rig.io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  rig.dialer.target_port = acceptor.local_endpoint().port();
  asio::co_spawn(rig.io, accept_without_subprotocol(acceptor), asio::detached);
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await executor::run_exec_stream(*rig.client, "http://k8s.local/exec", {}, "x", {});
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "websocket: the server chose no supported subprotocol (offered v5.channel.k8s.io, "
                "v4.channel.k8s.io; got \"\")");
    }
  });
}

}  // namespace
}  // namespace kexsim::sim

// The executor's SPDY/3.1 exec client (client-go's SPDY executor, as GitLab Runner uses it) against the
// fakes' real HttpServer over loopback sockets and TLS, on one io_context and a counting clock.

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "executor/kube_exec_stream.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/spdy_codec.h"
#include "base/tls.h"
#include "executor/dialer.h"
#include "executor/http/client.h"
#include "executor/kube_client.h"
#include "fakes/http/server.h"
#include "fakes/http/types.h"
#include "fakes/kube/exec.h"
#include "tests/support/loopback_dialer.h"
#include "tests/support/yielding_clock.h"

namespace kexsim::executor {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using CountingClock = testing::YieldingClock;

using LoopbackDialer = testing::LoopbackDialer;

/// Answers /exec with exec_response (failed upgrades in the API server's words).
class ExecHandler : public fakes::HttpHandler {
 public:
  fakes::HttpResponse handle(const fakes::HttpRequest& request) override {
    requests.push_back(request);
    fakes::HttpResponse res = exec_response;
    res.upgrade_failed = fakes::upgrade_failure_response;
    return res;
  }
  std::vector<fakes::HttpRequest> requests;
  fakes::HttpResponse exec_response;
};

struct Rig {
  /// A TLS server for k8s.local and a client that trusts its CA.
  Rig() : ca(make_ca()) {
    auto leaf = ca.issue({"k8s.local"});
    EXPECT_TRUE(leaf);
    server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, handler, "kube-apiserver",
                                                 fakes::ServerTls{leaf->cert_pem, leaf->key_pem});
    auto port = server->listen();
    EXPECT_TRUE(port) << port.error().message;
    dialer.target_port = port ? *port : 0;
    dialer.trusted_ca = ca.cert_pem();
    client = std::make_unique<HttpClient>(io.get_executor(), dialer, clock, TlsSettings{});
  }

  static CertificateAuthority make_ca() {
    auto ca = CertificateAuthority::create("kexsim test CA");
    EXPECT_TRUE(ca);
    return std::move(*ca);
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
    ASSERT_TRUE(done) << "the exec did not finish";
    if (check_balance) {
      EXPECT_EQ(clock.in_flight, 0) << "unbalanced in-flight accounting";
    }
  }

  /// One SPDY exec as the executor runs it.
  asio::awaitable<Result<ExecStreamResult>> exec(std::string url, std::string stdin_data,
                                                 Profile profile = Profile::kV19_4) {
    std::vector<std::pair<std::string, std::string>> headers{{"User-Agent", "gitlab-runner 19.4.0"},
                                                             {"Authorization", "Bearer t"}};
    co_return co_await run_spdy_exec_stream(
        *client, std::move(url), std::move(headers), std::move(stdin_data),
        [this](int stream, std::string_view data) { output.emplace_back(stream, std::string(data)); },
        spdy_exec_protocols(profile));
  }

  asio::io_context io;
  CountingClock clock;
  ExecHandler handler;
  LoopbackDialer dialer;
  CertificateAuthority ca;
  std::unique_ptr<fakes::HttpServer> server;
  std::unique_ptr<HttpClient> client;
  std::vector<std::pair<int, std::string>> output;
  bool check_balance = true;
};

constexpr const char* kExecUrl =
    "https://k8s.local/api/v1/namespaces/ci/pods/p/exec?container=build&command=sh&stdin=true&stdout=true&stderr=true";

// A process that prints on stdout at 1 s and stderr at 3 s, and exits with code at 5 s.
fakes::HttpResponse timed_exec(std::string* stdin_seen, int code = 0) {
  fakes::HttpResponse res;
  res.status = 101;
  res.exec = [stdin_seen, code](const std::string& in) {
    if (stdin_seen) *stdin_seen = in;
    fakes::ExecOutcome out;
    out.output.push_back({1s, 1, "hello\n"});
    out.output.push_back({3s, 2, "warn\n"});
    out.duration = 5s;
    out.status_json = fakes::exec_status_json(code, {"sh"});
    return out;
  };
  return res;
}

TEST(SpdyExecStream, PostsTheUpgradeStreamsStdinAndReadsOutputAndStatus) {
  Rig rig;
  std::string stdin_seen;
  rig.handler.exec_response = timed_exec(&stdin_seen);
  const std::string script = "echo hello\n" + std::string(200000, '#') + "\n";  // several 32 KiB DATA frames
  const TimePoint start = rig.clock.now();
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.exec(kExecUrl, script);
    EXPECT_TRUE(res) << res.error().message;
    if (!res) co_return;
    EXPECT_EQ(res->protocol, "v4.channel.k8s.io");  // a kubelet speaks v4 at most over SPDY
    EXPECT_EQ(res->status_json, R"({"metadata":{},"status":"Success"})");
    const auto code = exec_exit_code(res->status_json);
    EXPECT_TRUE(code && *code == 0);
  });
  EXPECT_TRUE(stdin_seen == script) << "stdin arrived with " << stdin_seen.size() << " of " << script.size()
                                    << " bytes";
  EXPECT_EQ(rig.output, (std::vector<std::pair<int, std::string>>{{1, "hello\n"}, {2, "warn\n"}}));
  EXPECT_EQ(rig.clock.now() - start, 5s);
  EXPECT_GE(rig.clock.min_in_flight, 0);
  ASSERT_EQ(rig.handler.requests.size(), 1u);
  const auto& req = rig.handler.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.header("connection"), "Upgrade");
  EXPECT_EQ(req.header("upgrade"), "SPDY/3.1");
  EXPECT_EQ(req.header("x-stream-protocol-version"),
            "v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io");
  EXPECT_EQ(req.header("authorization"), "Bearer t");
  EXPECT_EQ(req.header("user-agent"), "gitlab-runner 19.4.0");
}

TEST(SpdyExecStream, AnEndlessErrorStreamIsBounded) {
  Rig rig;
  fakes::HttpResponse res = timed_exec(nullptr);
  auto inner = res.exec;
  res.exec = [inner](const std::string& in) {
    fakes::ExecOutcome out = inner(in);
    out.status_json = std::string(4 << 20, '{');  // 4 MiB of error stream
    return out;
  };
  rig.handler.exec_response = res;
  rig.run([&]() -> asio::awaitable<void> {
    auto r = co_await rig.exec(kExecUrl, "true\n");
    EXPECT_TRUE(r) << r.error().message;
    if (!r) co_return;
    EXPECT_EQ(r->status_json.size(), 64u * 1024);
    EXPECT_FALSE(exec_exit_code(r->status_json));
  });
}

TEST(SpdyExecStream, ExitCodesComeFromTheErrorStreamStatus) {
  for (int code : {1, 3}) {
    Rig rig;
    rig.handler.exec_response = timed_exec(nullptr, code);
    rig.run([&]() -> asio::awaitable<void> {
      auto res = co_await rig.exec(kExecUrl, "exit " + std::to_string(code) + "\n");
      EXPECT_TRUE(res) << res.error().message;
      if (!res) co_return;
      EXPECT_NE(res->status_json.find("\"reason\":\"NonZeroExitCode\""), std::string::npos) << res->status_json;
      const auto exit = exec_exit_code(res->status_json);
      EXPECT_TRUE(exit && *exit == code);
    });
    EXPECT_EQ(rig.output.size(), 2u);
  }
}

TEST(SpdyExecStream, WithoutStdinOrStderrOnlyTheAskedStreamsOpen) {
  Rig rig;
  std::string stdin_seen = "untouched";
  rig.handler.exec_response = timed_exec(&stdin_seen);
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.exec("https://k8s.local/exec?command=true&stdout=true", "ignored", Profile::kV13_12);
    EXPECT_TRUE(res) << res.error().message;
  });
  EXPECT_EQ(stdin_seen, "");
  EXPECT_EQ(rig.output, (std::vector<std::pair<int, std::string>>{{1, "hello\n"}}));  // no stderr stream
  EXPECT_EQ(rig.handler.requests.at(0).header("x-stream-protocol-version"),
            "v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io");  // 13.12's client-go
}

TEST(SpdyExecStream, RefusedUpgradesSayWhatClientGoSays) {
  Rig rig;
  rig.run([&]() -> asio::awaitable<void> {
    // A Status body is a StatusError: its message alone (httpstream/spdy roundtripper.go NewConnection).
    rig.handler.exec_response = fakes::HttpResponse::json(
        403,
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: User \"system:serviceaccount:ci:default\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"ci\"","reason":"Forbidden","code":403})");
    auto res = co_await rig.exec(kExecUrl, "x");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "pods \"p\" is forbidden: User \"system:serviceaccount:ci:default\" cannot create resource "
                "\"pods/exec\" in API group \"\" in the namespace \"ci\"");
    }
    // Any other body is quoted after "unable to upgrade connection: ", trimmed.
    rig.handler.exec_response = fakes::HttpResponse::text(500, "container not found (\"helper\")\n");
    res = co_await rig.exec(kExecUrl, "x");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message, "unable to upgrade connection: container not found (\"helper\")");
    }
    // No common protocol: the fake API server's Status.
    rig.handler.exec_response = timed_exec(nullptr);
    rig.handler.exec_response.headers.emplace_back("Sec-WebSocket-Protocol", "v5.channel.k8s.io");
    res = co_await rig.exec(kExecUrl, "x");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message, "unable to upgrade connection: no supported stream protocol");
    }
  });
}

TEST(SpdyExecStream, DialFailuresAreErrorsSendingThePost) {
  Rig rig;
  rig.dialer.refuse = true;
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.exec("https://k8s.local:6443/exec?stdin=true", "x");
    EXPECT_FALSE(res);
    if (!res) {
      EXPECT_EQ(res.error().message,
                "error sending request: Post \"https://k8s.local:6443/exec?stdin=true\": dial "
                "tcp 10.0.0.1:6443: connect: connection refused");
    }
  });
}

TEST(SpdyExecStream, AServerGoneMidStreamEndsEveryStreamAsEofWithoutHanging) {
  Rig rig;
  rig.handler.exec_response = timed_exec(nullptr);
  rig.clock.on_sleep = [&](Duration d) {
    if (d == 2s) rig.server.reset();  // between the two chunks, from inside the server's own session
  };
  rig.run([&]() -> asio::awaitable<void> {
    auto res = co_await rig.exec(kExecUrl, "script");
    // spdystream closes every stream at the connection's end and client-go reads an empty error stream as
    // success (remotecommand errorstream.go watchErrorStream): the caller sees no Status.
    EXPECT_TRUE(res) << res.error().message;
    if (res) {
      EXPECT_EQ(res->status_json, "");
    }
  });
  EXPECT_EQ(rig.output, (std::vector<std::pair<int, std::string>>{{1, "hello\n"}}));
}

// A server that answers the upgrade with a 101, then plays one frame (or none) and closes.
asio::awaitable<void> spdy_stub(tcp::acceptor& acceptor, std::string after_first_frame) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const size_t n = co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);
    request.append(buf, n);
  }
  const std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
      "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
  boost::system::error_code ec;
  co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
  if (!after_first_frame.empty()) {
    co_await asio::async_write(socket, asio::buffer(after_first_frame), asio::redirect_error(asio::use_awaitable, ec));
    std::string inbox;  // the client's RST_STREAMs, then its GOAWAY: then close, as the fake does
    bool goaway = false;
    while (!goaway && !ec) {
      const size_t n =
          co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      inbox.append(buf, n);
      while (auto frame = spdy::take_frame(inbox))
        goaway = goaway || (frame->control && frame->type == static_cast<uint16_t>(spdy::ControlType::kGoAway));
    }
  }
  socket.close(ec);
}

TEST(SpdyExecStream, StreamSetUpFailuresUseSpdystreamsWords) {
  struct Case {
    std::string frame;
    std::string message;
  };
  for (const Case& c : {Case{"", "Timeout occurred"},
                        Case{spdy::rst_stream_frame(1, spdy::RstStatus::kRefusedStream), "Stream reset"}}) {
    Rig rig;
    rig.check_balance = false;  // the stub keeps no accounting
    tcp::acceptor acceptor(rig.io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    rig.dialer.target_port = acceptor.local_endpoint().port();
    rig.client = std::make_unique<HttpClient>(rig.io.get_executor(), rig.dialer, rig.clock, TlsSettings{});
    asio::co_spawn(rig.io, spdy_stub(acceptor, c.frame), asio::detached);
    rig.run([&]() -> asio::awaitable<void> {
      auto res = co_await rig.exec("http://k8s.local/exec?stdin=true", "x");
      EXPECT_FALSE(res);
      if (!res) {
        EXPECT_EQ(res.error().message, c.message);
      }
    });
  }
}

}  // namespace
}  // namespace kexsim::executor

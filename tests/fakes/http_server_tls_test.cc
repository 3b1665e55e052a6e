// The fakes' HTTP server with a shared TLS identity: one SSL_CTX per identity, so a client that
// keeps its session resumes it, on the same listener and on another one presenting that identity.

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "base/tls.h"
#include "fakes/http/server.h"
#include "fakes/http/types.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class OkHandler : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest&) override { return HttpResponse::json(200, "{}"); }
};

/// What one HTTPS request saw of the TLS session.
struct Visit {
  bool ok = false;
  bool resumed = false;
  std::string status_line;
};

/// One GET over a new connection to 127.0.0.1:port, offering session (if any); keeps the session
/// the server left (its TLS 1.3 ticket arrives with the response) in session.
asio::awaitable<Visit> visit(uint16_t port, ssl::context& ctx, SSL_SESSION** session) {
  Visit out;
  auto ex = co_await asio::this_coro::executor;
  ssl::stream<tcp::socket> stream(ex, ctx);
  boost::system::error_code ec;
  co_await stream.next_layer().async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return out;
  if (*session) SSL_set_session(stream.native_handle(), *session);
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return out;
  // Keep-alive, and the client leaves first: a connection the peer ends without close_notify is a
  // fatal error to OpenSSL, which then drops the session.
  const std::string request = "GET / HTTP/1.1\r\nHost: k8s.local\r\n\r\n";
  co_await asio::async_write(stream, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
  std::string response;
  co_await asio::async_read_until(stream, asio::dynamic_buffer(response), "{}",
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return out;
  out.status_line = response.substr(0, response.find("\r\n"));
  out.resumed = SSL_session_reused(stream.native_handle()) == 1;
  if (*session) SSL_SESSION_free(*session);
  *session = SSL_get1_session(stream.native_handle());
  // Mark the close as orderly (close_notify queued): OpenSSL drops the session of a connection
  // freed without it, as if it had failed.
  SSL_shutdown(stream.native_handle());
  out.ok = true;
  co_return out;
}

struct ResumptionRig {
  ResumptionRig() : client_ctx(ssl::context::tls_client) {
    auto ca = CertificateAuthority::create("ca");
    EXPECT_TRUE(ca);
    auto leaf = ca->issue_identity({"k8s.local"});
    EXPECT_TRUE(leaf);
    identity = std::make_shared<const TlsIdentity>(std::move(*leaf));
    client_ctx.set_verify_mode(ssl::verify_none);  // trust is not what these tests are about
  }
  ~ResumptionRig() {
    if (session) SSL_SESSION_free(session);
  }

  std::unique_ptr<HttpServer> start() {
    auto server = std::make_unique<HttpServer>(io.get_executor(), clock, handler, "kube-apiserver",
                                               ServerTls{.identity = identity});
    auto port = server->listen();
    EXPECT_TRUE(port) << port.error().message;
    return server;
  }

  /// Visits each port in turn, one connection each, and returns what each saw.
  std::vector<Visit> visit_all(const std::vector<uint16_t>& ports) {
    std::vector<Visit> visits;
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (uint16_t port : ports) visits.push_back(co_await visit(port, client_ctx, &session));
          done = true;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    // Servers keep accepting: run until the visits are done (the bound is a safety net against a
    // hang, not a timing assertion).
    while (!done && io.run_one_for(60s) > 0) {
    }
    EXPECT_TRUE(done);
    return visits;
  }

  asio::io_context io;
  testing::ManualClock clock;
  OkHandler handler;
  std::shared_ptr<const TlsIdentity> identity;
  ssl::context client_ctx;
  SSL_SESSION* session = nullptr;
};

TEST(HttpServerTls, ClientResumesItsSessionOnTheNextConnection) {
  ResumptionRig rig;
  auto server = rig.start();
  auto visits = rig.visit_all({server->port(), server->port()});
  server->stop();
  ASSERT_EQ(visits.size(), 2u);
  EXPECT_TRUE(visits[0].ok);
  EXPECT_EQ(visits[0].status_line, "HTTP/1.1 200 OK");
  EXPECT_FALSE(visits[0].resumed);
  EXPECT_TRUE(visits[1].ok);
  EXPECT_EQ(visits[1].status_line, "HTTP/1.1 200 OK");
  EXPECT_TRUE(visits[1].resumed);
}

TEST(HttpServerTls, ListenersWithOneIdentityShareSessions) {
  ResumptionRig rig;
  auto first = rig.start();
  auto second = rig.start();  // e.g. the same host in the next scenario run
  ASSERT_NE(first->port(), second->port());
  auto visits = rig.visit_all({first->port(), second->port()});
  first->stop();
  second->stop();
  ASSERT_EQ(visits.size(), 2u);
  EXPECT_TRUE(visits[0].ok);
  EXPECT_TRUE(visits[1].ok);
  EXPECT_TRUE(visits[1].resumed);
}

TEST(HttpServerTls, PemCertificatesStillServe) {
  ResumptionRig rig;
  auto pem = rig.identity->to_pem();
  ASSERT_TRUE(pem);
  HttpServer server(rig.io.get_executor(), rig.clock, rig.handler, "kube-apiserver",
                    ServerTls{pem->cert_pem, pem->key_pem});
  auto port = server.listen();
  ASSERT_TRUE(port) << port.error().message;
  auto visits = rig.visit_all({*port});
  server.stop();
  ASSERT_EQ(visits.size(), 1u);
  EXPECT_EQ(visits[0].status_line, "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace kexsim::fakes

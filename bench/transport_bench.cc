// Transport benchmarks: the executor's HttpClient against the fakes' HttpServer over real loopback
// sockets with TLS, as in tests/sim/transport_test.cc, timed in wall time (moved here from that test
// so no test measures speed).

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/clock.h"
#include "base/tls.h"
#include "executor/dialer.h"
#include "executor/http/client.h"
#include "fakes/http/server.h"
#include "fakes/http/types.h"

namespace {

using namespace kexsim;
using tcp = boost::asio::ip::tcp;

/// Wall-clock-free time: nothing here sleeps, so now() never moves.
class StillClock : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(1767225600LL * 1000000)); }
  boost::asio::awaitable<void> sleep_for(Duration) override { co_return; }
};

/// Sends every host to the bench server on 127.0.0.1 and trusts the bench CA.
class LoopbackDialer : public executor::Dialer {
 public:
  boost::asio::awaitable<Result<tcp::socket>> dial(const std::string& host, uint16_t port) override {
    tcp::socket socket(co_await boost::asio::this_coro::executor);
    boost::system::error_code ec;
    co_await socket.async_connect(tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), target_port),
                                  boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return make_error("dial tcp " + host + ":" + std::to_string(port) + ": " + ec.message());
    ++dials;
    co_return std::move(socket);
  }
  void add_default_trust(ssl_ctx_st* ctx) override { add_pem_to_store(ctx, trusted_ca); }

  uint16_t target_port = 0;
  std::string trusted_ca;
  int dials = 0;
};

/// Answers every request with a small JSON body.
class VersionHandler : public fakes::HttpHandler {
 public:
  fakes::HttpResponse handle(const fakes::HttpRequest&) override {
    return fakes::HttpResponse::json(200, R"({"major":"1","minor":"33"})");
  }
};

/// A TLS server for k8s.local and a client that trusts it, on one io_context.
struct Rig {
  Rig() {
    auto created = CertificateAuthority::create("kexsim bench CA");
    ca.emplace(std::move(*created));
    auto leaf = ca->issue({"k8s.local"});
    server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, handler, "kube-apiserver",
                                                 fakes::ServerTls{leaf->cert_pem, leaf->key_pem});
    dialer.target_port = *server->listen();
    dialer.trusted_ca = ca->cert_pem();
  }
  ~Rig() { server->stop(); }

  /// One GET to completion; false on any error.
  bool get(executor::HttpClient& client, const std::string& url) {
    std::optional<bool> ok;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          executor::HttpClientRequest req;
          req.method = "GET";
          req.url = url;
          auto res = co_await client.request(std::move(req));
          ok = res && res->status == 200;
        },
        boost::asio::detached);
    while (!ok && io.run_one() > 0) {
    }
    return ok.value_or(false);
  }

  boost::asio::io_context io;
  StillClock clock;
  VersionHandler handler;
  LoopbackDialer dialer;
  std::optional<CertificateAuthority> ca;
  std::unique_ptr<fakes::HttpServer> server;
};

// Requests on one kept-alive TLS connection: the HTTP exchange alone.
void BM_KeepAliveHttpsGet(benchmark::State& state) {
  Rig rig;
  executor::HttpClient client(rig.io.get_executor(), rig.dialer, rig.clock, executor::TlsSettings{});
  if (!rig.get(client, "https://k8s.local/warmup")) {
    state.SkipWithError("the warm-up request failed");
    return;
  }
  for (auto _ : state) {
    if (!rig.get(client, "https://k8s.local/version")) {
      state.SkipWithError("a request failed");
      return;
    }
  }
  if (rig.dialer.dials != 1) state.SkipWithError("the connection was not kept alive");
  state.SetItemsProcessed(state.iterations());
}

// A new client per request (as each job's Kubernetes client is): dial, full TLS handshake (no Go
// client resumes sessions) and one GET; the shared TLS context spares the CA parsing.
void BM_NewClientHttpsGet(benchmark::State& state) {
  Rig rig;
  auto contexts = std::make_shared<executor::TlsContextCache>();
  for (auto _ : state) {
    executor::HttpClient client(rig.io.get_executor(), rig.dialer, rig.clock, executor::TlsSettings{}, contexts);
    if (!rig.get(client, "https://k8s.local/version")) {
      state.SkipWithError("a request failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// The same without the shared cache: every client builds its own SSL_CTX (the cost the cache saves).
void BM_NewClientOwnTlsContextHttpsGet(benchmark::State& state) {
  Rig rig;
  for (auto _ : state) {
    executor::HttpClient client(rig.io.get_executor(), rig.dialer, rig.clock, executor::TlsSettings{});
    if (!rig.get(client, "https://k8s.local/version")) {
      state.SkipWithError("a request failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_KeepAliveHttpsGet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NewClientHttpsGet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NewClientOwnTlsContextHttpsGet)->Unit(benchmark::kMicrosecond);

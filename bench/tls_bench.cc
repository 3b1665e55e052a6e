// TLS set-up costs a run pays per connection: the in-memory pipe that git in a pod dials through
// (a full handshake on contexts shared by the process), and loading a CA bundle into a trust store.
#include <benchmark/benchmark.h>

#include <memory>

#include <openssl/ssl.h>

#include "base/tls.h"
#include "fakes/network/tls_pipe.h"

namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01, inside the simulation certificates' validity

// One git connection's TLS: a full handshake, the server presenting a cached identity.
void BM_TlsPipeHandshake(benchmark::State& state) {
  auto ca = kexsim::IdentityCache::process().authority("kexsim simulation CA");
  auto leaf = kexsim::IdentityCache::process().leaf("kexsim simulation CA", {"gitlab.example.com"});
  if (!ca || !leaf) {
    state.SkipWithError("could not make the identities");
    return;
  }
  kexsim::fakes::TlsPipeServer server{.identity = *leaf};
  kexsim::fakes::TlsPipeClient client{"gitlab.example.com", {(*ca)->cert_pem()}, true, kNow};
  for (auto _ : state) {
    kexsim::fakes::TlsVerdict verdict;
    auto pipe = kexsim::fakes::TlsPipe::connect(server, client, verdict);
    if (!pipe) {
      state.SkipWithError(verdict.error.c_str());
      return;
    }
    benchmark::DoNotOptimize(pipe.get());
  }
}

// A client context trusting the simulation CA, from its PEM (what every new trust store loads).
void BM_TrustStoreFromCaPem(benchmark::State& state) {
  auto ca = kexsim::IdentityCache::process().authority("kexsim simulation CA");
  if (!ca) {
    state.SkipWithError("could not make the CA");
    return;
  }
  for (auto _ : state) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!kexsim::add_pem_to_store(ctx, (*ca)->cert_pem())) {
      SSL_CTX_free(ctx);
      state.SkipWithError("the CA PEM did not load");
      return;
    }
    SSL_CTX_free(ctx);
  }
}

}  // namespace

BENCHMARK(BM_TlsPipeHandshake)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrustStoreFromCaPem)->Unit(benchmark::kMicrosecond);

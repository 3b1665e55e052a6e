// TLS set-up costs a run pays per connection: the in-memory pipe that git in a pod dials through
// (a full handshake on contexts shared by the process), the client's parse of the server's certificate
// (part of every handshake), and loading a CA bundle into a trust store.
#include <benchmark/benchmark.h>

#include <memory>

#include <openssl/ssl.h>
#include <openssl/x509.h>

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

// What every handshake's client does with the server's certificate: parse its DER, key included.
void BM_ServerCertificateDecode(benchmark::State& state) {
  auto leaf = kexsim::IdentityCache::process().leaf("kexsim simulation CA", {"gitlab.example.com"});
  if (!leaf) {
    state.SkipWithError("could not make the identity");
    return;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_X509((*leaf)->cert(), &der);
  for (auto _ : state) {
    const unsigned char* in = der;
    X509* cert = d2i_X509(nullptr, &in, der_len);
    if (!cert || !X509_get0_pubkey(cert)) {
      X509_free(cert);
      state.SkipWithError("the certificate did not parse");
      break;
    }
    X509_free(cert);
  }
  OPENSSL_free(der);
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
BENCHMARK(BM_ServerCertificateDecode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrustStoreFromCaPem)->Unit(benchmark::kMicrosecond);

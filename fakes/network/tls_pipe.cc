#include "fakes/network/tls_pipe.h"

#include <cstdint>
#include <map>
#include <mutex>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/strings.h"
#include "base/tls.h"

namespace kexsim::fakes {
namespace {

// Room in each direction of the BIO pair; writes larger than this are pumped through in parts. A write's
// chunk (half of it, 16 KiB) goes out as one TLS record, which the pair must hold whole. 32 KiB, not
// more: a thousand jobs' git fetches may have their pipes open at once.
constexpr size_t kPairBuffer = 32 * 1024;
constexpr int kMaxHandshakeRounds = 32;

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

std::string first_error() {
  const unsigned long e = ERR_peek_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return e ? buf : "handshake failed";
}

bool load_identity(SSL_CTX* ctx, const TlsPipeServer& server) {
  if (server.identity)
    return SSL_CTX_use_certificate(ctx, server.identity->cert()) == 1 &&
           SSL_CTX_use_PrivateKey(ctx, server.identity->key()) == 1;
  std::unique_ptr<BIO, BioFree> cert_bio(
      BIO_new_mem_buf(server.cert_pem.data(), static_cast<int>(server.cert_pem.size())));
  std::unique_ptr<BIO, BioFree> key_bio(
      BIO_new_mem_buf(server.key_pem.data(), static_cast<int>(server.key_pem.size())));
  if (!cert_bio || !key_bio) return false;
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  const bool ok = cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

// The SSL_CTXs of every pipe in the process, one per server identity and one per client trust
// configuration: making a context costs OpenSSL 3 over a million instructions (it fetches every cipher
// and group), and a server's PEM key takes as much to decode, more than the handshake's own work.
// Sharing changes no handshake: a client context never offers a session (curl in a fresh git process
// has none to offer), and each pipe still sets its own name and time to verify against. Thread-safe.
class PipeContexts {
 public:
  static PipeContexts& process() {
    static PipeContexts* contexts = new PipeContexts();  // never destroyed: pipes may outlive static teardown
    return *contexts;
  }

  // The context presenting server's identity; nullptr (and error set) if it does not load.
  SSL_CTX* server(const TlsPipeServer& server, std::string& error) {
    std::string key = "server/";
    if (server.reset_handshake) {
      key += "reset";  // it never gets as far as presenting a certificate
    } else if (server.identity) {
      key += "identity/" + std::to_string(reinterpret_cast<std::uintptr_t>(server.identity.get()));
    } else {
      key += "pem/" + std::to_string(server.cert_pem.size()) + "/" + server.cert_pem + server.key_pem;
    }
    std::lock_guard lock(mutex_);
    if (auto it = contexts_.find(key); it != contexts_.end()) return it->second.get();
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) {
      error = first_error();
      return nullptr;
    }
    if (!server.reset_handshake && !load_identity(ctx.get(), server)) {
      error = "the server's certificate or key does not load: " + first_error();
      return nullptr;
    }
    // The key names the identity by address: keep it alive so that no other identity takes the address.
    if (server.identity && !server.reset_handshake) pinned_.push_back(server.identity);
    return insert(std::move(key), std::move(ctx));
  }

  // The context trusting client's CAs, with its verification mode; nullptr (and error set) on failure.
  SSL_CTX* client(const TlsPipeClient& client, std::string& error) {
    std::string key = client.verify ? "client/verify" : "client/insecure";
    for (const auto& pem : client.trusted_pems) key += "/" + std::to_string(pem.size()) + "/" + pem;
    std::lock_guard lock(mutex_);
    if (auto it = contexts_.find(key); it != contexts_.end()) return it->second.get();
    CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
      error = first_error();
      return nullptr;
    }
    SSL_CTX_set_verify(ctx.get(), client.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    for (const auto& pem : client.trusted_pems) add_pem_to_store(ctx.get(), pem);
    return insert(std::move(key), std::move(ctx));
  }

 private:
  // A bound on what the cache holds (tests make many one-off identities); each SSL keeps its context alive.
  static constexpr size_t kMaxContexts = 256;

  SSL_CTX* insert(std::string key, CtxPtr ctx) {
    if (contexts_.size() >= kMaxContexts) {
      contexts_.clear();
      pinned_.clear();
    }
    return contexts_.emplace(std::move(key), std::move(ctx)).first->second.get();
  }

  std::mutex mutex_;
  std::map<std::string, CtxPtr> contexts_;
  std::vector<std::shared_ptr<const TlsIdentity>> pinned_;
};

// Whether an SSL call that returned rc failed only for want of more bytes.
bool wants_io(SSL* ssl, int rc) {
  const int e = SSL_get_error(ssl, rc);
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

}  // namespace

struct TlsPipe::State {
  SslPtr client, server;  // each holds a reference to its (shared) context
  std::string client_inbox, server_inbox;

  // Reads everything ssl can decrypt now into inbox.
  static void drain(SSL* ssl, std::string& inbox) {
    char buf[16384];
    while (true) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) break;
      inbox.append(buf, static_cast<size_t>(n));
    }
    ERR_clear_error();
  }

  // Writes data on from, draining the other end whenever the pair's buffer is full.
  static Status send(SSL* from, SSL* to, std::string& to_inbox, std::string_view data) {
    size_t done = 0;
    int stalls = 0;
    while (done < data.size()) {
      const size_t chunk = std::min(data.size() - done, kPairBuffer / 2);
      const int n = SSL_write(from, data.data() + done, static_cast<int>(chunk));
      if (n > 0) {
        done += static_cast<size_t>(n);
        stalls = 0;
        continue;
      }
      if (!wants_io(from, n) || ++stalls > 4) return make_error("TLS write failed: " + first_error());
      drain(to, to_inbox);
    }
    drain(to, to_inbox);
    return {};
  }
};

TlsPipe::TlsPipe(std::unique_ptr<State> state) : state_(std::move(state)) {}
TlsPipe::~TlsPipe() = default;

std::unique_ptr<TlsPipe> TlsPipe::connect(const TlsPipeServer& server, const TlsPipeClient& client,
                                          TlsVerdict& verdict) {
  ERR_clear_error();
  verdict = TlsVerdict{};
  auto state = std::make_unique<State>();
  std::string error;
  SSL_CTX* client_ctx = PipeContexts::process().client(client, error);
  SSL_CTX* server_ctx = client_ctx ? PipeContexts::process().server(server, error) : nullptr;
  if (!client_ctx || !server_ctx) {
    verdict.kind = TlsVerdict::Kind::kFailed;
    verdict.error = error;
    return nullptr;
  }
  state->client.reset(SSL_new(client_ctx));
  state->server.reset(SSL_new(server_ctx));
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  if (!state->client || !state->server || BIO_new_bio_pair(&client_bio, kPairBuffer, &server_bio, kPairBuffer) != 1) {
    verdict.kind = TlsVerdict::Kind::kFailed;
    verdict.error = first_error();
    return nullptr;
  }
  SSL_set_bio(state->client.get(), client_bio, client_bio);
  SSL_set_bio(state->server.get(), server_bio, server_bio);
  SSL* c = state->client.get();
  SSL* s = state->server.get();
  SSL_set_connect_state(c);
  SSL_set_accept_state(s);
  if (client.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(c);
    // The name check is the one libcurl asks for; an IP literal is matched against IP SANs.
    if (is_ip_literal(client.host))
      X509_VERIFY_PARAM_set1_ip_asc(param, client.host.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, client.host.c_str(), client.host.size());
    if (client.verify_time != 0) X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(client.verify_time));
  }
  if (!is_ip_literal(client.host)) SSL_set_tlsext_host_name(c, client.host.c_str());

  bool client_done = false, server_done = false;
  for (int round = 0; round < kMaxHandshakeRounds && !(client_done && server_done); ++round) {
    if (!client_done) {
      const int rc = SSL_do_handshake(c);
      if (rc == 1) {
        client_done = true;
      } else if (!wants_io(c, rc)) {
        const long result = SSL_get_verify_result(c);
        if (result != X509_V_OK) {
          verdict.kind = TlsVerdict::Kind::kVerifyFailed;
          verdict.verify_result = result;
          verdict.verify_text = X509_verify_cert_error_string(result);
        } else if (server.reset_handshake) {
          verdict.kind = TlsVerdict::Kind::kPeerClosed;
        } else {
          verdict.kind = TlsVerdict::Kind::kFailed;
          verdict.error = first_error();
        }
        ERR_clear_error();
        return nullptr;
      }
    }
    if (server.reset_handshake) {
      // The ClientHello has arrived; the peer hangs up instead of answering it.
      BIO_shutdown_wr(server_bio);
      continue;
    }
    if (!server_done) {
      const int rc = SSL_do_handshake(s);
      if (rc == 1) {
        server_done = true;
      } else if (!wants_io(s, rc)) {
        // The server saw the client's alert (e.g. after a failed verification): let the client report it.
        ERR_clear_error();
        server_done = true;
      }
    }
  }
  if (!client_done) {
    verdict.kind = TlsVerdict::Kind::kFailed;
    verdict.error = "the TLS handshake did not complete";
    return nullptr;
  }
  ERR_clear_error();
  return std::unique_ptr<TlsPipe>(new TlsPipe(std::move(state)));
}

Status TlsPipe::client_write(std::string_view data) {
  return State::send(state_->client.get(), state_->server.get(), state_->server_inbox, data);
}

std::string TlsPipe::server_read() {
  State::drain(state_->server.get(), state_->server_inbox);
  return std::exchange(state_->server_inbox, {});
}

Status TlsPipe::server_write(std::string_view data) {
  return State::send(state_->server.get(), state_->client.get(), state_->client_inbox, data);
}

std::string TlsPipe::client_read() {
  State::drain(state_->client.get(), state_->client_inbox);
  return std::exchange(state_->client_inbox, {});
}

bool TlsPipe::session_reused() const { return SSL_session_reused(state_->client.get()) == 1; }

}  // namespace kexsim::fakes

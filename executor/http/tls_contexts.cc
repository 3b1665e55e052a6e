#include "executor/http/tls_contexts.h"

#include <cstdint>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "base/files.h"
#include "base/hash.h"
#include "base/tls.h"
#include "executor/dialer.h"

namespace kexsim::executor {

namespace ssl = boost::asio::ssl;

namespace {

// A bound on the process cache (every distinct CA file of a scenario library makes one context).
constexpr size_t kMaxContexts = 64;

// The client certificate (with its chain) and key, from PEM text already read.
bool use_client_identity(SSL_CTX* ctx, const std::string& cert_pem, const std::string& key_pem) {
  BIO* certs = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* leaf = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
  bool ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
  X509_free(leaf);
  while (ok) {
    X509* extra = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
    if (!extra) break;
    if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      ok = false;
    }
  }
  BIO_free(certs);
  if (!ok) return false;
  BIO* keys = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(keys, nullptr, nullptr, nullptr);
  ok = key && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  BIO_free(keys);
  return ok;
}

}  // namespace

std::shared_ptr<TlsContextCache> TlsContextCache::process() {
  static const auto cache = std::make_shared<TlsContextCache>();
  return cache;
}

size_t TlsContextCache::built() const {
  std::lock_guard lock(mutex_);
  return built_;
}

Result<std::shared_ptr<ssl::context>> TlsContextCache::get(Dialer& dialer, const TlsSettings& tls) {
  // What the context will trust and present, read now: the cache key is the content, not the path.
  std::string ca_pem;
  if (!tls.ca_file.empty()) {
    auto text = read_file(tls.ca_file);
    if (!text) return make_error(text.error().message);
    ca_pem = std::move(*text);
  }
  const bool client_identity =
      !tls.cert_file.empty() || !tls.key_file.empty() || !tls.cert_pem.empty() || !tls.key_pem.empty();
  Result<std::string> cert_pem = tls.cert_pem, key_pem = tls.key_pem;
  if (client_identity) {
    if (tls.cert_pem.empty()) cert_pem = read_file(tls.cert_file);
    if (cert_pem && tls.key_pem.empty()) key_pem = read_file(tls.key_file);
  }
  // A failed read is reported after the CA checks below, in the order a fresh client meets them.
  const bool readable = cert_pem && key_pem;
  // A dialer that names its default trust shares contexts with every dialer trusting the same.
  const std::string trust = dialer.default_trust_key();
  std::string key = trust.empty() ? "dialer:" + std::to_string(reinterpret_cast<std::uintptr_t>(&dialer)) : trust;
  std::lock_guard lock(mutex_);
  if (readable) {
    const std::string* parts[] = {&ca_pem, &tls.ca_pem, &*cert_pem, &*key_pem};
    for (const std::string* part : parts) key += "/" + std::to_string(part->size()) + ":" + hex64(fnv1a(*part));
    if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  }

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  static const unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(native, kAlpn, sizeof kAlpn - 1);
  dialer.add_default_trust(native);
  if (!tls.ca_file.empty() && !add_pem_to_store(native, ca_pem))
    return make_error("no certificates found in " + tls.ca_file);
  if (!tls.ca_pem.empty() && !add_pem_to_store(native, tls.ca_pem))
    return make_error("no certificates found in the configured certificate authority data");
  if (!cert_pem) return make_error(cert_pem.error().message);
  if (!key_pem) return make_error(key_pem.error().message);
  if (client_identity) {
    if (!use_client_identity(native, *cert_pem, *key_pem)) {
      ERR_clear_error();
      return make_error("tls: failed to find any PEM data in certificate input");
    }
  }
  ++built_;
  if (contexts_.size() >= kMaxContexts) contexts_.clear();  // clients hold their own references
  contexts_.emplace(key, ctx);
  return ctx;
}

}  // namespace kexsim::executor

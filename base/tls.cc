#include "base/tls.h"

#include <memory>

// The keys are made with OpenSSL's EC_KEY API, deprecated in 3.0 but kept in every 3.x (see p256_key_for).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/strings.h"

namespace kexsim {

void OpenSslFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
void OpenSslFree::operator()(X509* cert) const { X509_free(cert); }

namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// OpenSSL's process-wide settings, made before its first use (a static initializer, since nothing
// calls OpenSSL before main): the host's openssl.cnf is not read, because the executor stands for a
// Go client, which never reads it, and a simulation must not depend on the machine it runs on; and
// nothing is torn down at exit (1.4 M instructions), since the process's memory goes with it.
[[maybe_unused]] const bool kOpenSslInitialised =
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;

// Fixed validity windows (ASN.1 GeneralizedTime text): reproducible, and far from any real "now".
constexpr const char* kNotBefore = "20000101000000Z";
constexpr const char* kNotAfter = "20991231235959Z";
constexpr const char* kExpiredNotAfter = "20010101000000Z";

// The most recent OpenSSL error as text, and the queue left empty for the next caller.
std::string openssl_error(const std::string& what) {
  const unsigned long code = ERR_peek_last_error();
  std::string out = what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return make_error(openssl_error("writing certificate PEM"));
  return bio_text(bio.get());
}

Result<std::string> key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return make_error(openssl_error("writing private key PEM"));
  return bio_text(bio.get());
}

bool set_common_name(X509_NAME* name, const std::string& cn) {
  // X.520 limits CN to 64 characters; longer names live only in the SAN.
  const std::string value = cn.substr(0, 64);
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                    -1, -1, 0) == 1;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// SHA-256 of text.
std::string sha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// A scalar in [1, order - 1] derived from label: the same label gives the same scalar in every process.
BnPtr scalar_for(const std::string& label, const BIGNUM* order, BN_CTX* ctx) {
  // 64 bytes of hash reduced modulo order - 1 is uniform enough; + 1 keeps it non-zero.
  const std::string wide = sha256("1 " + label) + sha256("2 " + label);
  BnPtr x(BN_bin2bn(reinterpret_cast<const unsigned char*>(wide.data()), static_cast<int>(wide.size()), nullptr));
  BnPtr order_minus_one(BN_dup(order));
  if (!x || !order_minus_one || BN_sub_word(order_minus_one.get(), 1) != 1 ||
      BN_mod(x.get(), x.get(), order_minus_one.get(), ctx) != 1 || BN_add_word(x.get(), 1) != 1)
    return nullptr;
  return x;
}

// An EC P-256 key derived from label. Simulation identities are made from names, not from randomness,
// so a certificate's bytes are the same in every process and on every machine: a job can print them
// (CI_DEBUG_TRACE shows CI_SERVER_TLS_CA_FILE's content), and a job log must be byte-identical for a
// scenario and seed. They guard loopback connections of a simulation, never secrets. Made as a "legacy"
// key on purpose: X509_set_pubkey encodes a provider key by running OpenSSL 3's encoder and then its
// decoder on the result (10 M instructions for the first certificate of a process, 2 M for each later
// one), a legacy key by its own method (microseconds). Signing and verifying with it still go through
// the provider, which OpenSSL exports it to once.
PkeyPtr p256_key_for(const std::string& label) {
  EC_KEY* ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* ctx = BN_CTX_new();
  const EC_GROUP* group = ec ? EC_KEY_get0_group(ec) : nullptr;
  BnPtr d = group && ctx ? scalar_for("key " + label, EC_GROUP_get0_order(group), ctx) : nullptr;
  EC_POINT* pub = group ? EC_POINT_new(group) : nullptr;
  const bool made = d && pub && EC_POINT_mul(group, pub, d.get(), nullptr, nullptr, ctx) == 1 &&
                    EC_KEY_set_private_key(ec, d.get()) == 1 && EC_KEY_set_public_key(ec, pub) == 1;
  EC_POINT_free(pub);
  BN_CTX_free(ctx);
  if (!made) {
    EC_KEY_free(ec);
    return nullptr;
  }
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_assign_EC_KEY(key.get(), ec) != 1) {
    EC_KEY_free(ec);
    return nullptr;
  }
  return key;
}

// Signs cert with key (ECDSA P-256, SHA-256) with a nonce derived from the key and the signed bytes,
// as RFC 6979 does, so the same certificate gets the same signature in every process (OpenSSL 3.0 has
// no deterministic ECDSA of its own; 3.2's "nonce-type" is newer than Debian's). Returns the certificate
// re-read from its DER, so that no cached encoding of the first, random signature survives.
X509Ptr sign_reproducibly(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) == 0) return nullptr;  // sets both signature algorithms
  unsigned char* tbs = nullptr;
  const int tbs_len = i2d_re_X509_tbs(cert, &tbs);
  if (tbs_len <= 0) return nullptr;
  const std::string digest = sha256(std::string(reinterpret_cast<const char*>(tbs), static_cast<size_t>(tbs_len)));
  OPENSSL_free(tbs);
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key);
  const EC_GROUP* group = ec ? EC_KEY_get0_group(ec) : nullptr;
  BN_CTX* ctx = BN_CTX_new();
  if (!group || !ctx) {
    BN_CTX_free(ctx);
    return nullptr;
  }
  const BIGNUM* order = EC_GROUP_get0_order(group);
  char* secret_hex = BN_bn2hex(EC_KEY_get0_private_key(ec));
  BnPtr k = secret_hex ? scalar_for(std::string("nonce ") + secret_hex + " " + digest, order, ctx) : nullptr;
  OPENSSL_clear_free(secret_hex, secret_hex ? std::char_traits<char>::length(secret_hex) : 0);
  // ECDSA_do_sign_ex takes k^-1 and r = (kG).x mod n, precomputed.
  EC_POINT* kg = group ? EC_POINT_new(group) : nullptr;
  BnPtr x(BN_new()), kinv(BN_new()), r(BN_new());
  const bool ready = k && kg && x && kinv && r && EC_POINT_mul(group, kg, k.get(), nullptr, nullptr, ctx) == 1 &&
                     EC_POINT_get_affine_coordinates(group, kg, x.get(), nullptr, ctx) == 1 &&
                     BN_nnmod(r.get(), x.get(), order, ctx) == 1 && !BN_is_zero(r.get()) &&
                     BN_mod_inverse(kinv.get(), k.get(), order, ctx) != nullptr;
  EC_POINT_free(kg);
  BN_CTX_free(ctx);
  if (!ready) return nullptr;
  ECDSA_SIG* sig = ECDSA_do_sign_ex(reinterpret_cast<const unsigned char*>(digest.data()),
                                    static_cast<int>(digest.size()), kinv.get(), r.get(), const_cast<EC_KEY*>(ec));
  if (!sig) return nullptr;
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return nullptr;
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* algorithm = nullptr;
  X509_get0_signature(&signature, &algorithm, cert);
  auto* bits = const_cast<ASN1_BIT_STRING*>(signature);
  const bool set = bits && ASN1_BIT_STRING_set(bits, der, der_len) == 1;
  OPENSSL_free(der);
  if (!set) return nullptr;
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;  // no unused bits
  unsigned char* whole = nullptr;
  const int whole_len = i2d_X509(cert, &whole);
  if (whole_len <= 0) return nullptr;
  const unsigned char* read = whole;
  X509Ptr fresh(d2i_X509(nullptr, &read, whole_len));
  OPENSSL_free(whole);
  return fresh;
}

// A leaf's serial from its names: the same leaf gets the same serial whatever was issued before it in
// the process (`kexsim run` and `kexsim check` make identities in different orders). 2..2^62: 1 is the CA's.
uint64_t serial_for(const std::string& label) {
  const std::string digest = sha256("serial " + label);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(digest[static_cast<size_t>(i)]);
  return 2 + (v >> 2);
}

// A certificate skeleton: version 3, serial, validity, subject and public key.
Result<X509Ptr> new_cert(uint64_t serial, const std::string& cn, EVP_PKEY* key, bool expired) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
      ASN1_TIME_set_string_X509(X509_getm_notBefore(cert.get()), kNotBefore) != 1 ||
      ASN1_TIME_set_string_X509(X509_getm_notAfter(cert.get()), expired ? kExpiredNotAfter : kNotAfter) != 1 ||
      !set_common_name(X509_get_subject_name(cert.get()), cn) || X509_set_pubkey(cert.get(), key) != 1)
    return make_error(openssl_error("building certificate for " + cn));
  return cert;
}

// Certificates parsed from PEM text, once per process per text: OpenSSL 3 decodes each certificate's
// public key through its provider decoders (about 1.5 M instructions), and the same few bundles (the
// simulation CA, a job's CA file) are loaded into a new trust store for every client context.
class ParsedPems {
 public:
  static ParsedPems& process() {
    static ParsedPems* pems = new ParsedPems();  // never destroyed, like IdentityCache
    return *pems;
  }

  // The certificates in pem, up to the first that does not parse; shared, never null.
  std::shared_ptr<const std::vector<X509Ptr>> parse(const std::string& pem) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = parsed_.find(pem); it != parsed_.end()) return it->second;
    }
    auto certs = std::make_shared<std::vector<X509Ptr>>();
    if (BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))}) {
      while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) certs->push_back(std::move(cert));
    }
    // Reading past the last certificate leaves a "no start line" error; callers must not see it.
    ERR_clear_error();
    remember(pem, certs);
    return certs;
  }

  // Records that pem holds exactly cert (the PEM was written from it), so it is never decoded.
  void remember(const std::string& pem, X509* cert) {
    auto certs = std::make_shared<std::vector<X509Ptr>>();
    if (X509_up_ref(cert) != 1) return;
    certs->emplace_back(cert);
    remember(pem, std::move(certs));
  }

 private:
  // A bound on what the cache holds (tests write many one-off bundles); stores keep their own references.
  static constexpr size_t kMaxEntries = 256;

  void remember(const std::string& pem, std::shared_ptr<const std::vector<X509Ptr>> certs) {
    std::lock_guard lock(mutex_);
    if (parsed_.size() >= kMaxEntries) parsed_.clear();
    parsed_.emplace(pem, std::move(certs));
  }

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::vector<X509Ptr>>, std::less<>> parsed_;
};

}  // namespace

TlsIdentity::TlsIdentity(X509Ptr cert, PkeyPtr key) : cert_(std::move(cert)), key_(std::move(key)) {}

Result<std::string> TlsIdentity::cert_pem() const { return cert_to_pem(cert_.get()); }

Result<std::string> TlsIdentity::key_pem() const { return key_to_pem(key_.get()); }

Result<KeyPair> TlsIdentity::to_pem() const {
  auto cert = cert_pem();
  if (!cert) return cert.error();
  auto key = key_pem();
  if (!key) return key.error();
  return KeyPair{std::move(*cert), std::move(*key)};
}

CertificateAuthority::CertificateAuthority(std::string common_name, X509Ptr cert, PkeyPtr key, std::string cert_pem)
    : common_name_(std::move(common_name)),
      cert_(std::move(cert)),
      key_(std::move(key)),
      cert_pem_(std::move(cert_pem)) {}

Result<CertificateAuthority> CertificateAuthority::create(const std::string& common_name) {
  PkeyPtr key = p256_key_for("CA " + common_name);
  if (!key) return make_error(openssl_error("generating CA key"));
  auto cert = new_cert(1, common_name, key.get(), false);
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1 ||
      !add_extension(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") ||
      !add_extension(c, c, NID_subject_key_identifier, "hash"))
    return make_error(openssl_error("building CA certificate " + common_name));
  X509Ptr signed_cert = sign_reproducibly(c, key.get());
  if (!signed_cert) return make_error(openssl_error("signing CA certificate " + common_name));
  auto cert_pem = cert_to_pem(signed_cert.get());
  if (!cert_pem) return cert_pem.error();
  // Trust stores loaded from this PEM get the object itself.
  ParsedPems::process().remember(*cert_pem, signed_cert.get());
  return CertificateAuthority(common_name, std::move(signed_cert), std::move(key), std::move(*cert_pem));
}

Result<TlsIdentity> CertificateAuthority::issue_identity(const std::vector<std::string>& names, bool expired) const {
  if (names.empty()) return make_error("a certificate needs at least one name");
  std::string san;
  for (const auto& name : names) {
    if (name.empty() || name.find_first_of(", \t") != std::string::npos)
      return make_error("invalid certificate name \"" + name + "\"");
    if (!san.empty()) san += ",";
    san += (is_ip_literal(name) ? "IP:" : "DNS:") + name;
  }
  X509* ca_cert = cert_.get();
  const std::string label = common_name_ + " issues " + san + (expired ? " expired" : "");
  PkeyPtr key = p256_key_for(label);
  if (!key) return make_error(openssl_error("generating key for " + names.front()));
  auto cert = new_cert(serial_for(label), names.front(), key.get(), expired);
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) != 1 ||
      !add_extension(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(c, ca_cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !add_extension(c, ca_cert, NID_ext_key_usage, "serverAuth,clientAuth") ||
      !add_extension(c, ca_cert, NID_authority_key_identifier, "keyid:always") ||
      !add_extension(c, ca_cert, NID_subject_alt_name, san))
    return make_error(openssl_error("building certificate for " + names.front()));
  X509Ptr signed_cert = sign_reproducibly(c, key_.get());
  if (!signed_cert) return make_error(openssl_error("signing certificate for " + names.front()));
  return TlsIdentity(std::move(signed_cert), std::move(key));
}

Result<KeyPair> CertificateAuthority::issue(const std::vector<std::string>& names, bool expired) const {
  auto identity = issue_identity(names, expired);
  if (!identity) return identity.error();
  return identity->to_pem();
}

IdentityCache& IdentityCache::process() {
  // Never destroyed: identities may be in use by servers until the very end of the process.
  static IdentityCache* cache = new IdentityCache();
  return *cache;
}

Result<std::shared_ptr<const CertificateAuthority>> IdentityCache::authority_locked(const std::string& common_name) {
  if (auto it = authorities_.find(common_name); it != authorities_.end()) return it->second;
  auto ca = CertificateAuthority::create(common_name);
  if (!ca) return ca.error();
  auto shared = std::make_shared<const CertificateAuthority>(std::move(*ca));
  authorities_.emplace(common_name, shared);
  return shared;
}

Result<std::shared_ptr<const CertificateAuthority>> IdentityCache::authority(const std::string& common_name) {
  std::lock_guard lock(mutex_);
  return authority_locked(common_name);
}

Result<std::shared_ptr<const TlsIdentity>> IdentityCache::leaf(const std::string& ca_name,
                                                               const std::vector<std::string>& names, bool expired) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(ca_name, names, expired);
  if (auto it = leaves_.find(key); it != leaves_.end()) return it->second;
  auto ca = authority_locked(ca_name);
  if (!ca) return ca.error();
  auto identity = (*ca)->issue_identity(names, expired);
  if (!identity) return identity.error();
  auto shared = std::make_shared<const TlsIdentity>(std::move(*identity));
  leaves_.emplace(std::move(key), shared);
  return shared;
}
bool add_pem_to_store(ssl_ctx_st* ctx, const std::string& pem) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (!store) return false;
  const auto certs = ParsedPems::process().parse(pem);
  for (const X509Ptr& cert : *certs) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      ERR_clear_error();
      return false;
    }
  }
  return !certs->empty();
}

bool add_cert_to_store(ssl_ctx_st* ctx, X509* cert) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (!store || !cert || X509_STORE_add_cert(store, cert) != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace kexsim

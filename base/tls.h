#pragma once
// Certificates made at run time: a simulation CA that issues server and client certificates, kept
// as OpenSSL objects, and a process-wide cache of them shared by every scenario run.
// Neutral: knows nothing of GitLab or Kubernetes, so both the executor and the fakes may use it.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "base/result.h"

struct ssl_ctx_st;   // OpenSSL's SSL_CTX
struct evp_pkey_st;  // OpenSSL's EVP_PKEY
struct x509_st;      // OpenSSL's X509

namespace kexsim {

/// Frees the OpenSSL objects held by PkeyPtr and X509Ptr.
struct OpenSslFree {
  void operator()(evp_pkey_st* key) const;
  void operator()(x509_st* cert) const;
};
/// An owned EVP_PKEY.
using PkeyPtr = std::unique_ptr<evp_pkey_st, OpenSslFree>;
/// An owned X509.
using X509Ptr = std::unique_ptr<x509_st, OpenSslFree>;

/// A certificate and its private key, both PEM (for files handed to clients).
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

/// A certificate and its private key as OpenSSL objects, for SSL_CTX_use_certificate and
/// SSL_CTX_use_PrivateKey without a PEM round trip. Immutable once made, so it may be shared.
class TlsIdentity {
 public:
  /// Takes ownership of cert and the key it certifies.
  TlsIdentity(X509Ptr cert, PkeyPtr key);

  /// The certificate (owned by the identity; up-ref it to keep it longer).
  x509_st* cert() const { return cert_.get(); }
  /// The private key (owned by the identity).
  evp_pkey_st* key() const { return key_.get(); }
  /// The certificate as PEM (for files and kubeconfigs).
  Result<std::string> cert_pem() const;
  /// The private key as PEM (unencrypted PKCS#8), for files.
  Result<std::string> key_pem() const;
  /// Both as PEM.
  Result<KeyPair> to_pem() const;

 private:
  X509Ptr cert_;
  PkeyPtr key_;
};

/// A certificate authority (EC P-256, self-signed) that issues leaf certificates. Keys, serials and
/// signatures derive from the names and validity dates are fixed, so the same CA and leaf are the same
/// bytes in every process: nothing reads the wall clock or randomness, and runs stay reproducible.
class CertificateAuthority {
 public:
  /// Makes a new CA whose subject is CN=common_name.
  static Result<CertificateAuthority> create(const std::string& common_name);

  CertificateAuthority(CertificateAuthority&&) = default;
  CertificateAuthority& operator=(CertificateAuthority&&) = default;
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  /// Issues a leaf for names (DNS names or IP literals; the first is also the CN), usable for
  /// server and client authentication. expired: valid 2000-01-01..2001-01-01 only. The same names
  /// give the same certificate and key.
  Result<TlsIdentity> issue_identity(const std::vector<std::string>& names, bool expired = false) const;
  /// issue_identity, as PEM.
  Result<KeyPair> issue(const std::vector<std::string>& names, bool expired = false) const;

  /// The CA certificate, for trust stores.
  x509_st* cert() const { return cert_.get(); }
  /// The CA certificate as PEM, for files and kubeconfigs (made once, with the CA).
  const std::string& cert_pem() const { return cert_pem_; }
  /// The CN the CA was made with (its IdentityCache key).
  const std::string& common_name() const { return common_name_; }

 private:
  CertificateAuthority(std::string common_name, X509Ptr cert, PkeyPtr key, std::string cert_pem);

  std::string common_name_;
  X509Ptr cert_;
  PkeyPtr key_;
  std::string cert_pem_;
};

/// CAs and leaves made once and shared, keyed by what determines them: making keys and
/// certificates with OpenSSL 3 costs more than a whole simulated job. Thread-safe. Certificates
/// carry fixed validity dates, so a cached one is as good in any later run.
class IdentityCache {
 public:
  /// The cache of this process.
  static IdentityCache& process();

  /// The CA named common_name, made on first use.
  Result<std::shared_ptr<const CertificateAuthority>> authority(const std::string& common_name);
  /// A leaf issued by the CA named ca_name for names (expired as in CertificateAuthority::issue),
  /// made on first use; the same names in the same order give the same object.
  Result<std::shared_ptr<const TlsIdentity>> leaf(const std::string& ca_name, const std::vector<std::string>& names,
                                                  bool expired = false);

 private:
  Result<std::shared_ptr<const CertificateAuthority>> authority_locked(const std::string& common_name);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CertificateAuthority>> authorities_;
  std::map<std::tuple<std::string, std::vector<std::string>, bool>, std::shared_ptr<const TlsIdentity>> leaves_;
};

/// Adds every certificate in pem (one or several) to ctx's trust store. False if pem holds no
/// certificate or does not parse.
bool add_pem_to_store(ssl_ctx_st* ctx, const std::string& pem);

/// Adds cert to ctx's trust store without a PEM round trip. False if OpenSSL refuses it.
bool add_cert_to_store(ssl_ctx_st* ctx, x509_st* cert);

}  // namespace kexsim

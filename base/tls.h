#pragma once
// Certificates made at run time: a simulation CA that issues server and client certificates.
// Neutral: knows nothing of GitLab or Kubernetes, so both the executor and the fakes may use it.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace kexsim {

/// A certificate and its private key, both PEM.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

/// A certificate authority (EC P-256, self-signed) that issues leaf certificates. Validity dates
/// are fixed so that nothing reads the wall clock and runs stay reproducible.
class CertificateAuthority {
 public:
  /// Makes a new CA whose subject is CN=common_name.
  static Result<CertificateAuthority> create(const std::string& common_name);

  CertificateAuthority(CertificateAuthority&&) = default;
  CertificateAuthority& operator=(CertificateAuthority&&) = default;
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  /// Issues a leaf for names (DNS names or IP literals; the first is also the CN), usable for
  /// server and client authentication. expired: valid 2000-01-01..2001-01-01 only.
  Result<KeyPair> issue(const std::vector<std::string>& names, bool expired = false) const;

  /// The CA certificate, for trust stores and kubeconfigs.
  const std::string& cert_pem() const { return cert_pem_; }

 private:
  CertificateAuthority(std::string common_name, std::string cert_pem, std::string key_pem);

  std::string common_name_;
  std::string cert_pem_;
  std::string key_pem_;
  mutable uint64_t next_serial_ = 2;  // 1 is the CA's own
};

/// Adds every certificate in pem (one or several) to ctx's trust store. False if pem holds no
/// certificate or does not parse.
bool add_pem_to_store(ssl_ctx_st* ctx, const std::string& pem);

}  // namespace kexsim

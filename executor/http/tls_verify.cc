#include "executor/http/tls_verify.h"

#include <arpa/inet.h>

#include <cctype>
#include <set>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/strings.h"

namespace kexsim::executor {
namespace {

void collect_sans(X509* cert, VerifyFindings& out) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* s = name->d.dNSName;
      out.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text)) out.ip_addresses.emplace_back(text);
    }
  }
  GENERAL_NAMES_free(names);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

void expect_peer_name(SSL* ssl, const std::string& host, bool check) {
  const bool ip = is_ip_literal(host);
  if (!ip) SSL_set_tlsext_host_name(ssl, const_cast<char*>(host.c_str()));
  if (!check) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  if (ip)
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  else
    SSL_set1_host(ssl, host.c_str());
}

void record_verify_error(X509_STORE_CTX* ctx, VerifyFindings& out) {
  switch (X509_STORE_CTX_get_error(ctx)) {
    case X509_V_OK: return;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: out.expired = true; return;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      if (!out.name_mismatch) collect_sans(X509_STORE_CTX_get0_cert(ctx), out);
      out.name_mismatch = true;
      return;
    default: out.untrusted = true;
  }
}

// crypto/x509 verify.go: CertificateInvalidError, HostnameError and UnknownAuthorityError texts.
std::optional<std::string> go_verify_error(const VerifyFindings& f, const std::string& host) {
  if (f.expired) return "x509: certificate has expired or is not yet valid";
  if (f.name_mismatch) {
    std::string valid;
    if (is_ip_literal(host)) {
      if (f.ip_addresses.empty())
        return "x509: cannot validate certificate for " + host + " because it doesn't contain any IP SANs";
      valid = join(f.ip_addresses);
    } else {
      valid = join(f.dns_names);
    }
    if (valid.empty()) return "x509: certificate is not valid for any names, but wanted to match " + host;
    return "x509: certificate is valid for " + valid + ", not " + host;
  }
  if (f.untrusted) return "x509: certificate signed by unknown authority";
  return std::nullopt;
}

std::string verified_chain_pem(ssl_st* ssl) {
  // tls.ConnectionState.VerifiedChains: nothing when verification was skipped or failed.
  if (SSL_get_verify_result(ssl) != X509_V_OK || SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE) return "";
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (!chain) return "";
  std::string out;
  std::set<std::string> seen;  // addCertificate: a certificate is known by its signature
  BIO* bio = BIO_new(BIO_s_mem());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    const ASN1_BIT_STRING* signature = nullptr;
    X509_get0_signature(&signature, nullptr, cert);
    std::string key(reinterpret_cast<const char*>(ASN1_STRING_get0_data(signature)),
                    static_cast<size_t>(ASN1_STRING_length(signature)));
    if (!seen.insert(std::move(key)).second) continue;
    PEM_write_bio_X509(bio, cert);  // encoding/pem: 64-column base64 between the CERTIFICATE lines
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size > 0) out.assign(data, static_cast<size_t>(size));
  BIO_free(bio);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();  // strings.TrimSpace
  return out;
}

}  // namespace kexsim::executor

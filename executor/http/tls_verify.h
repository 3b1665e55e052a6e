#pragma once
// Server certificate verification with Go's verdicts: OpenSSL checks every step, the findings are
// gathered, and the one error crypto/x509 would report is chosen at the end.

#include <optional>
#include <string>
#include <vector>

struct ssl_st;
struct x509_store_ctx_st;

namespace kexsim::executor {

/// What OpenSSL found wrong with the server's certificate, gathered over the whole verification.
struct VerifyFindings {
  bool expired = false;
  bool name_mismatch = false;
  bool untrusted = false;
  std::vector<std::string> dns_names;     ///< the leaf's DNS SANs (collected on a name mismatch)
  std::vector<std::string> ip_addresses;  ///< the leaf's IP SANs (collected on a name mismatch)
};

/// Sets SNI (host names only, as Go does) and, when check is true, asks OpenSSL to check the
/// leaf against host.
void expect_peer_name(ssl_st* ssl, const std::string& host, bool check);

/// Records one failed verification step (call it from the verify callback when !preverified).
void record_verify_error(x509_store_ctx_st* ctx, VerifyFindings& out);

/// The x509 error Go reports for these findings, in Go's order: validity period, then host name,
/// then chain. nullopt when the certificate is good.
std::optional<std::string> go_verify_error(const VerifyFindings& findings, const std::string& host);

/// The chain the handshake verified (leaf first, the trusted root last) as the runner's CA chain
/// builder writes it: each certificate once, PEM, joined, surrounding space trimmed
/// (helpers/tls/ca_chain/builder.go String). Empty when nothing was verified.
std::string verified_chain_pem(ssl_st* ssl);

}  // namespace kexsim::executor

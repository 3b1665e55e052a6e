#pragma once
// A TLS connection held in memory: a client SSL and a server SSL joined by a BIO pair, so a
// synchronous caller (the container runtime model) gets OpenSSL's own handshake verdicts without
// sockets. Neutral: it carries bytes and knows nothing of HTTP.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/tls.h"

namespace kexsim::fakes {

/// The server end: the certificate and key it presents, or a peer that closes on the ClientHello.
struct TlsPipeServer {
  std::string cert_pem;
  std::string key_pem;
  bool reset_handshake = false;                      ///< read the ClientHello, then close without answering
  std::shared_ptr<const TlsIdentity> identity = {};  ///< presented instead of cert_pem/key_pem when set
};

/// The client end: the name it asks for and checks, what it trusts, and the time it checks at.
struct TlsPipeClient {
  std::string host;                       ///< SNI and the name (or IP literal) the certificate must match
  std::vector<std::string> trusted_pems;  ///< CA certificates, PEM (each may hold several)
  bool verify = true;                     ///< false: no chain and no name check (curl -k, http.sslVerify=false)
  int64_t verify_time = 0;  ///< Unix seconds validity is checked at (the virtual clock); 0: OpenSSL's default
};

/// How the handshake ended, as OpenSSL reported it.
struct TlsVerdict {
  enum class Kind {
    kOk,            ///< handshake complete
    kPeerClosed,    ///< the server closed during the handshake
    kVerifyFailed,  ///< the certificate failed verification (verify_result says why)
    kFailed,        ///< any other handshake failure (error holds OpenSSL's error text)
  };
  Kind kind = Kind::kOk;
  long verify_result = 0;   ///< X509_V_OK or an X509_V_ERR_* code (SSL_get_verify_result)
  std::string verify_text;  ///< X509_verify_cert_error_string(verify_result), e.g. "certificate has expired"
  std::string error;        ///< ERR_error_string of the first queued error, for kFailed
};

/// Both ends of one in-memory TLS connection after a completed handshake.
class TlsPipe {
 public:
  /// Runs the handshake; returns the pipe when verdict.kind is kOk, nullptr otherwise.
  static std::unique_ptr<TlsPipe> connect(const TlsPipeServer& server, const TlsPipeClient& client,
                                          TlsVerdict& verdict);
  ~TlsPipe();
  TlsPipe(const TlsPipe&) = delete;
  TlsPipe& operator=(const TlsPipe&) = delete;

  /// Client sends bytes; they are decrypted at the server end (server_read).
  Status client_write(std::string_view data);
  /// Plaintext the server end received since the last call.
  std::string server_read();
  /// Server sends bytes; they are decrypted at the client end (client_read).
  Status server_write(std::string_view data);
  /// Plaintext the client end received since the last call.
  std::string client_read();
  /// Whether the handshake resumed a session. Never: pipes share contexts, not sessions, as curl in a
  /// fresh git process has no session to offer.
  bool session_reused() const;

  struct State;

 private:
  explicit TlsPipe(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace kexsim::fakes

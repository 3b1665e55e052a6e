#pragma once
// The client's TLS contexts, one per trust configuration: building an SSL_CTX (parsing CA bundles,
// loading the dialer's default trust) costs more than a handshake, so clients share them.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"

namespace boost::asio::ssl {
class context;
}

namespace kexsim::executor {

class Dialer;

/// Trust and identity for https:// URLs, on top of the Dialer's default trust.
struct TlsSettings {
  std::string ca_file;    ///< PEM bundle file (tls-ca-file, kubeconfig certificate-authority)
  std::string ca_pem;     ///< PEM bundle text (kubeconfig certificate-authority-data)
  std::string cert_file;  ///< client certificate (PEM), with key_file
  std::string key_file;
  std::string cert_pem, key_pem;  ///< client certificate and key as PEM text (kubeconfig client-*-data)
  bool insecure_skip_verify = false;
  std::string server_name;  ///< the name to verify and send as SNI instead of the URL's host (tls-server-name)
};

/// Shares one client SSL_CTX among the HttpClients of one process (GitLab's and every job's
/// Kubernetes client) per (dialer's default trust, CA bundle text, client certificate, key), as
/// GitLab Runner keeps its network clients and client-go its TLS transports for the process's life.
/// Files are read on every get(), so a changed CA file gives a new context, as a new Go client would
/// see it; a dialer's default trust must not change while the cache lives. Thread-safe.
/// No TLS session is ever resumed: neither GitLab Runner's network client nor client-go sets a
/// tls.Config.ClientSessionCache, so every new Go connection runs a full handshake, and each
/// one verifies the server's certificate.
class TlsContextCache {
 public:
  /// The cache of this process, for every Runner in it: building a context costs more than a handshake.
  /// Only for dialers that name their trust (Dialer::default_trust_key): others are keyed by address.
  static std::shared_ptr<TlsContextCache> process();

  /// The context for these settings, made on first use. Errors read as Go's (e.g. "open
  /// /ca.crt: no such file or directory", "tls: failed to find any PEM data in certificate input").
  Result<std::shared_ptr<boost::asio::ssl::context>> get(Dialer& dialer, const TlsSettings& tls);

  /// How many contexts were built (for tests).
  size_t built() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_;
  size_t built_ = 0;
};

}  // namespace kexsim::executor

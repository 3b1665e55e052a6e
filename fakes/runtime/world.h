#pragma once
// What a simulated container can see of the world: the network from its pod (connections, TLS
// included, that carry real bytes to the fakes), its /etc/hosts, and commands a scenario defines.
// Plain types only: the runtime model knows no fake's headers.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "fakes/runtime/service_daemon.h"

namespace kexsim::fakes {

/// The result of opening a connection (and, with TLS, a handshake) from a pod to host:port.
struct ConnectOutcome {
  enum class Kind {
    kOk,             ///< connected (and TLS verified, when asked)
    kResolveFailed,  ///< the name does not resolve in the pod's view
    kRefused,        ///< TCP RST: nothing listens
    kUnreachable,    ///< no route to the address (ICMP host unreachable)
    kTimeout,        ///< SYNs unanswered
    kTlsReset,       ///< peer reset during the TLS handshake (curl: SSL_ERROR_SYSCALL)
    kTlsUntrusted,   ///< certificate verification failed (tls_detail: OpenSSL's reason)
    kTlsWrongName,   ///< certificate does not name the host
  };
  Kind kind = Kind::kOk;
  std::string address;     ///< the address the name resolved to (if it did)
  Duration elapsed{0};     ///< virtual time the attempt took (e.g. a connect timeout)
  std::string tls_detail;  ///< for kTlsUntrusted: X509_verify_cert_error_string, e.g. "certificate has expired"
};

/// What a TLS client in the pod trusts: the image's CA bundle (the simulation CA) plus extra PEM.
struct TlsOptions {
  bool verify = true;                   ///< false: curl -k, git -c http.sslVerify=false
  std::vector<std::string> extra_pems;  ///< CA certificates from http.sslCAInfo, GIT_SSL_CAINFO, ...
};

/// An open connection from a pod: bytes written reach the server, which answers at once (the
/// fakes answer from their current state), so a read after a write returns the whole answer.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Sends bytes to the server.
  virtual Status write(const std::string& bytes) = 0;
  /// Everything the server sent since the last read (empty when it has nothing more).
  virtual std::string read() = 0;
};

/// The outcome of opening a connection, and the connection when it succeeded.
struct Connected {
  ConnectOutcome outcome;
  std::unique_ptr<Connection> connection;  ///< set when outcome.kind is kOk
};

/// A command a scenario defines for containers (e.g. `docker`, `make`).
struct CommandSpec {
  std::string stdout_text;
  std::string stderr_text;
  int exit_code = 0;
  Duration duration{0};
  uint64_t memory_bytes = 0;  ///< its resident footprint at peak (0: a small program's)
};

/// The user and group a container's processes run as.
struct ProcessIds {
  int64_t uid = 0;
  int64_t gid = 0;
};

/// The simulated world as one container sees it.
class ContainerWorld {
 public:
  virtual ~ContainerWorld() = default;
  /// Opens a connection from this pod to host:port through the simulated network; with tls set,
  /// also runs a TLS handshake with the certificate the host presents (OpenSSL's verdict).
  virtual Connected open(const std::string& host, int port, const TlsOptions* tls) = 0;
  /// Opens and closes a connection (default trust): whether host:port answers, for curl and wget.
  ConnectOutcome connect(const std::string& host, int port, bool tls) {
    const TlsOptions defaults;
    return open(host, port, tls ? &defaults : nullptr).outcome;
  }
  /// The pod's /etc/hosts, rendered from its hostAliases as the kubelet does.
  virtual std::string etc_hosts() = 0;
  /// The pod's host name (the pod name).
  virtual std::string hostname() = 0;
  /// A scenario-defined command, or nullptr.
  virtual const CommandSpec* command(const std::string& name) = 0;
  /// Where a name resolves from this pod (hostAliases, cluster DNS, upstream DNS); none: it does not.
  virtual std::optional<std::string> resolve(const std::string& host) {
    (void)host;
    return std::nullopt;
  }
  /// The image this container runs (the helper's tool models word their output by its release); "": unknown.
  virtual std::string image() { return {}; }
  /// Who the container's processes are: securityContext.runAsUser / runAsGroup, the container's over
  /// the pod's; an image's own USER is not modelled (root).
  virtual ProcessIds ids() { return {}; }
  /// The daemons of the pod's service containers (late listeners, docker:dind); null: none modelled.
  virtual const PodServices* services() { return nullptr; }
  /// Bytes a fetch of the repository at this URL path ("/root/app.git") receives on top of the
  /// model's small pack: the size the scenario gives the project (its packed history). 0: none.
  virtual uint64_t pack_bytes(const std::string& repository_path) {
    (void)repository_path;
    return 0;
  }
};

}  // namespace kexsim::fakes

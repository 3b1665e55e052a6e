#pragma once
// What a simulated container can see of the world: the network from its pod, the repositories the
// fake GitLab serves, its /etc/hosts, and commands a scenario defines.

#include <map>
#include <optional>
#include <string>

#include "base/clock.h"

namespace kexsim::fakes {

/// The result of opening a connection (and, with TLS, a handshake) from a pod to host:port.
struct ConnectOutcome {
  enum class Kind {
    kOk,              ///< connected (and TLS verified, when asked)
    kResolveFailed,   ///< the name does not resolve in the pod's view
    kRefused,         ///< TCP RST: nothing listens
    kUnreachable,     ///< no route to the address (ICMP host unreachable)
    kTimeout,         ///< SYNs unanswered
    kTlsReset,        ///< peer reset during the TLS handshake (curl: SSL_ERROR_SYSCALL)
    kTlsUntrusted,    ///< certificate chain not trusted by the pod's CA bundle
    kTlsWrongName,    ///< certificate does not name the host
  };
  Kind kind = Kind::kOk;
  std::string address;  ///< the address the name resolved to (if it did)
  Duration elapsed{0};  ///< virtual time the attempt took (e.g. a connect timeout)
};

/// A repository the fake GitLab serves over HTTPS.
struct GitRepository {
  std::string path;            ///< "root/mycicd"
  std::string default_branch;  ///< "master"
  std::map<std::string, std::string> refs;  ///< branch or tag name -> 40-hex sha
};

/// A command a scenario defines for containers (e.g. `docker`, `make`).
struct CommandSpec {
  std::string stdout_text;
  std::string stderr_text;
  int exit_code = 0;
  Duration duration{0};
};

/// The simulated world as one container sees it.
class ContainerWorld {
 public:
  virtual ~ContainerWorld() = default;
  /// Opens a connection from this pod to host:port through the simulated network.
  virtual ConnectOutcome connect(const std::string& host, int port, bool tls) = 0;
  /// The repository served at https://host[:port]/<path>.git, if any (path without .git).
  virtual std::optional<GitRepository> repository(const std::string& host, const std::string& path) = 0;
  /// The pod's /etc/hosts, rendered from its hostAliases as the kubelet does.
  virtual std::string etc_hosts() = 0;
  /// The pod's host name (the pod name).
  virtual std::string hostname() = 0;
  /// A scenario-defined command, or nullptr.
  virtual const CommandSpec* command(const std::string& name) = 0;
};

}  // namespace kexsim::fakes

#pragma once
// The daemons a pod's service containers run, as the container runtime model sees them: which
// ports of the pod's localhost they listen on and from when (a service that starts late), and for a
// docker:dind service the daemon's own state (dind.h). Plain types: the kubelet side fills them in.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/runtime/dind.h"

namespace kexsim::fakes {

namespace shell {
class FileSystem;
}
class ContainerWorld;
struct ConnectOutcome;

/// What a scenario says about a service image ([[cluster.services]]): how long its daemon takes to
/// listen after its container started, and on which ports (dind: derived from DOCKER_TLS_CERTDIR).
struct ServiceModel {
  std::string image;          ///< as the job or config.toml names it ("postgres:15", "docker:24.0.6-dind")
  Duration listen_after{0};   ///< from the container's start until the daemon accepts connections
  std::vector<int> ports;     ///< where it listens; empty for dind (2375 or 2376, from its env)
  std::optional<bool> fails;  ///< set: the daemon never comes up (true) or does even unprivileged (false)
};

/// One service container of the pod and its daemon.
struct ServiceDaemon {
  std::string container;  ///< the container's name (its alias, or svc-N)
  std::string image;
  std::vector<int> ports;                   ///< the ports it listens on once up (on the pod's localhost)
  std::optional<TimePoint> listening_from;  ///< when it listens; none: never (not started, or it failed)
  std::optional<TimePoint>
      files_from;                  ///< when its start-up files exist (dind's certificates, even if dockerd then fails)
  std::optional<DindDaemon> dind;  ///< set for a docker:dind image
};

/// The pod's service daemons and what a docker client in it needs to know.
struct PodServices {
  std::vector<ServiceDaemon> daemons;
  std::string client_version = kDefaultDockerVersion;  ///< the docker CLI version of the exec'd container's image

  /// The daemon listening on port of the pod's localhost at `at`, if any.
  const ServiceDaemon* listening(int port, TimePoint at) const;
  /// The daemon that will (or would) listen on port, whether or not it does yet.
  const ServiceDaemon* owner(int port) const;
};

/// Whether an address is the pod's own loopback (services share the pod's network namespace).
bool is_loopback_address(const std::string& address);

/// Writes what the pod's daemons have produced by `now` on the shared volumes: dind's client
/// certificates under $DOCKER_TLS_CERTDIR/client, once its entrypoint generated them, when a volume
/// shares that directory with the other containers. Written once: nothing is rewritten while ca.pem is there.
void land_service_files(const PodServices& services, shell::FileSystem& fs, TimePoint now);

/// Connects from the pod to host:port at `at` (curl, wget): a port of the pod's localhost that a
/// service daemon owns is refused until that daemon listens; anything else is the world's verdict.
ConnectOutcome connect_with_services(ContainerWorld& world, const std::string& host, int port, bool tls, TimePoint at);

/// The model for image among a scenario's service models (exact name, then the same repository with any tag).
const ServiceModel* find_service_model(const std::vector<ServiceModel>& models, const std::string& image);

}  // namespace kexsim::fakes

#pragma once
// The kubelet's serving certificate on a node that has just joined. A kubelet that rotates its serving
// certificate asks for it with a kubernetes.io/kubelet-serving CSR; until someone approves it the
// kubelet has no certificate to present, and every connection the API server makes to it (port 10250:
// logs, exec, attach, port-forward) ends in the TLS handshake. Pods are scheduled there all the same.

#include <optional>
#include <string>

#include "base/clock.h"
#include "fakes/kube/pod_logs.h"
#include "fakes/kube/scheduler.h"

namespace kexsim::fakes {

/// Why the API server cannot reach a node's kubelet: the address it dials and Go's error.
struct KubeletDialFailure {
  std::string address;  ///< host:port, e.g. 10.0.0.10:10250
  std::string error;    ///< e.g. "remote error: tls: internal error"
};

/// The failure the API server's connection to node's kubelet ends with at now, or nothing when it
/// serves (a node the scenario does not declare, or one whose certificate is approved).
std::optional<KubeletDialFailure> kubelet_dial_failure(const Scheduler& scheduler, const std::string& node,
                                                       TimePoint now);

/// The message of an exec or attach the API server could not proxy (`error dialing backend: …`).
std::string kubelet_upgrade_error(const KubeletDialFailure& failure);

/// The message of a log request the API server could not fetch from the kubelet: Go's url.Error for
/// the GET of /containerLogs/NS/POD/CONTAINER with the options as the kubelet's query.
std::string kubelet_log_error(const KubeletDialFailure& failure, const std::string& ns, const std::string& pod,
                              const std::string& container, const PodLogOptions& options);

}  // namespace kexsim::fakes

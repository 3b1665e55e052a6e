#include "fakes/kube/kubelet_serving.h"

#include <chrono>
#include <cmath>
#include <map>

namespace kexsim::fakes {

std::optional<KubeletDialFailure> kubelet_dial_failure(const Scheduler& scheduler, const std::string& node,
                                                       TimePoint now) {
  for (const Scheduler::Member& m : scheduler.nodes()) {
    if (m.node.name != node) continue;
    const Duration pending(static_cast<int64_t>(std::llround(m.node.kubelet_serving_cert_seconds * 1e6)));
    if (now >= m.since + pending) return std::nullopt;
    // kubeadm runs the API server with --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname and
    // the kubelet listens on 10250 (status.daemonEndpoints.kubeletEndpoint).
    // The kubelet's GetCertificate fails ("no serving certificate available for the kubelet",
    // pkg/kubelet/certificate/kubelet.go), so Go's crypto/tls server sends alertInternalError, which the
    // API server's client reads as "remote error: tls: internal error" (crypto/tls alert.go).
    return KubeletDialFailure{m.node.address + ":10250", "remote error: tls: internal error"};
  }
  return std::nullopt;
}

std::string kubelet_upgrade_error(const KubeletDialFailure& failure) {
  // apimachinery pkg/util/proxy/upgradeaware.go tryUpgrade: "error dialing backend: %v".
  return "error dialing backend: " + failure.error;
}

std::string kubelet_log_error(const KubeletDialFailure& failure, const std::string& ns, const std::string& pod,
                              const std::string& container, const PodLogOptions& options) {
  // pkg/registry/core/pod/strategy.go LogLocation: the options as url.Values, whose Encode sorts the keys;
  // the LocationStreamer's client.Do fails with Go's url.Error, `Get "URL": err` (net/url Error.Error).
  std::map<std::string, std::string> params;
  if (options.follow) params["follow"] = "true";
  if (options.previous) params["previous"] = "true";
  if (options.timestamps) params["timestamps"] = "true";
  if (options.since_seconds) params["sinceSeconds"] = std::to_string(*options.since_seconds);
  if (options.since_time) params["sinceTime"] = format_rfc3339(*options.since_time);
  if (options.tail_lines) params["tailLines"] = std::to_string(*options.tail_lines);
  if (options.limit_bytes) params["limitBytes"] = std::to_string(*options.limit_bytes);
  std::string query;
  for (const auto& [key, value] : params) {
    query += query.empty() ? "" : "&";
    query += key + "=";
    for (char c : value) query += c == ':' ? std::string("%3A") : std::string(1, c);  // RFC 3339's colons
  }
  std::string url = "https://" + failure.address + "/containerLogs/" + ns + "/" + pod + "/" + container;
  if (!query.empty()) url += "?" + query;
  return "Get \"" + url + "\": " + failure.error;
}

}  // namespace kexsim::fakes

#pragma once
// The cluster's nodes as a scenario declares them, and the Node objects served at /api/v1/nodes:
// labels, taints, capacity/allocatable, conditions, nodeInfo and addresses in a kubelet's shapes.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace kexsim::fakes {

/// A node taint: key=value:effect (NoSchedule, PreferNoSchedule, NoExecute).
struct Taint {
  std::string key, value, effect;
};

/// One node of the simulated cluster. Quantities are kept as written (validated by validate_node).
struct NodeSpec {
  std::string name;
  std::map<std::string, std::string> labels;  ///< on top of kubernetes.io/arch, os and hostname
  std::vector<Taint> taints;
  std::map<std::string, std::string> capacity;     ///< cpu, memory, ephemeral-storage, pods, extended resources
  std::map<std::string, std::string> allocatable;  ///< default: capacity
  std::map<std::string, std::string> used;         ///< requests of pods already running there; "pods" counts them
  std::string arch = "amd64", os = "linux";
  bool ready = true;           ///< NotReady nodes carry the node.kubernetes.io/not-ready:NoSchedule taint
  bool unschedulable = false;  ///< cordoned
  std::string address;         ///< InternalIP; the API server assigns one when empty
  /// Virtual seconds after the node joins until its kubelet-serving CSR is approved (0: at once); until
  /// then the API server's TLS connection to the kubelet fails (fakes/kube/kubelet_serving.h).
  double kubelet_serving_cert_seconds = 0;
};

/// Amounts the scheduler compares: cpu in milli-cores, memory and storage in bytes, a pod count,
/// and extended resources (nvidia.com/gpu) in units.
struct Resources {
  int64_t milli_cpu = 0, memory = 0, ephemeral_storage = 0, pods = 0;
  std::map<std::string, int64_t> scalar;
  /// Adds other's amounts to these.
  void add(const Resources& other);
  /// Takes other's amounts from these.
  void subtract(const Resources& other);
};

/// The amounts of a resource map (quantity texts), or the first quantity that does not parse.
Result<Resources> parse_resources(const std::map<std::string, std::string>& amounts);

/// The capacity a node has where the scenario is silent: 4 cpu, 16Gi memory, 100Gi storage, 110 pods.
std::map<std::string, std::string> default_capacity();
/// The node's capacity: the scenario's amounts over default_capacity().
std::map<std::string, std::string> capacity_of(const NodeSpec& node);
/// The node's allocatable: the scenario's amounts over its capacity.
std::map<std::string, std::string> allocatable_of(const NodeSpec& node);

/// Checks a declared node: its name, quantities and taint effects; where names the scenario entry.
Status validate_node(const NodeSpec& node, const std::string& where);

/// The node's labels: kubernetes.io/arch, os, hostname (and their beta twins), then the scenario's.
std::map<std::string, std::string> node_labels(const NodeSpec& node);

/// The taints a node carries as the API shows them: the scenario's, then not-ready and unschedulable ones.
std::vector<Taint> effective_taints(const NodeSpec& node);

/// The Node object as GET /api/v1/nodes/NAME returns it.
nlohmann::json node_object(const NodeSpec& node, TimePoint created, const std::string& kubelet_version,
                           const std::string& resource_version);

}  // namespace kexsim::fakes

#include "fakes/kube/nodes.h"

#include "base/hash.h"
#include "fakes/kube/quantity.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json node_condition(const char* type, bool status, const char* reason, const char* message, TimePoint at) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastHeartbeatTime", format_rfc3339(at)},
          {"lastTransitionTime", format_rfc3339(at)},
          {"reason", reason},
          {"message", message}};
}

// The canonical form of each quantity, as the API server stores node status.
json quantities(const std::map<std::string, std::string>& amounts) {
  json out = json::object();
  for (const auto& [name, text] : amounts) {
    auto q = Quantity::parse(text);
    out[name] = q.ok() ? q->to_string() : text;
  }
  return out;
}

}  // namespace

void Resources::add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  pods += o.pods;
  for (const auto& [name, v] : o.scalar) scalar[name] += v;
}

void Resources::subtract(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  pods -= o.pods;
  for (const auto& [name, v] : o.scalar) scalar[name] -= v;
}

Result<Resources> parse_resources(const std::map<std::string, std::string>& amounts) {
  Resources r;
  for (const auto& [name, text] : amounts) {
    auto q = Quantity::parse(text);
    if (!q.ok()) return make_error(name + " = \"" + text + "\": " + q.error().message, q.error().hint);
    if (name == "cpu")
      r.milli_cpu = q->milli();
    else if (name == "memory")
      r.memory = q->value();
    else if (name == "ephemeral-storage")
      r.ephemeral_storage = q->value();
    else if (name == "pods")
      r.pods = q->value();
    else
      r.scalar[name] = q->value();
  }
  return r;
}

std::map<std::string, std::string> default_capacity() {
  return {{"cpu", "4"}, {"memory", "16Gi"}, {"ephemeral-storage", "100Gi"}, {"pods", "110"}};
}

std::map<std::string, std::string> capacity_of(const NodeSpec& node) {
  std::map<std::string, std::string> out = default_capacity();
  for (const auto& [k, v] : node.capacity) out[k] = v;
  return out;
}

std::map<std::string, std::string> allocatable_of(const NodeSpec& node) {
  std::map<std::string, std::string> out = capacity_of(node);
  for (const auto& [k, v] : node.allocatable) out[k] = v;
  return out;
}

Status validate_node(const NodeSpec& node, const std::string& where) {
  if (node.name.empty()) return make_error("a node needs a name", "add name = \"node-2\"", where);
  for (const auto* amounts : {&node.capacity, &node.allocatable, &node.used})
    if (auto r = parse_resources(*amounts); !r.ok()) return make_error(r.error().message, r.error().hint, where);
  for (const Taint& t : node.taints) {
    if (t.key.empty())
      return make_error("a taint needs a key",
                        "write taints = [{key = \"dedicated\", value = \"ci\", effect = \"NoSchedule\"}]", where);
    if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute")
      return make_error(
          "taint " + t.key + ": effect must be NoSchedule, PreferNoSchedule or NoExecute, got \"" + t.effect + "\"",
          "set effect = \"NoSchedule\"", where);
  }
  return {};
}

std::map<std::string, std::string> node_labels(const NodeSpec& node) {
  std::map<std::string, std::string> labels = {{"beta.kubernetes.io/arch", node.arch},
                                               {"beta.kubernetes.io/os", node.os},
                                               {"kubernetes.io/arch", node.arch},
                                               {"kubernetes.io/hostname", node.name},
                                               {"kubernetes.io/os", node.os}};
  for (const auto& [k, v] : node.labels) labels[k] = v;
  return labels;
}

std::vector<Taint> effective_taints(const NodeSpec& node) {
  std::vector<Taint> out = node.taints;
  // The node lifecycle controller's condition taints (TaintNodesByCondition) and the cordon taint.
  if (!node.ready) out.push_back({"node.kubernetes.io/not-ready", "", "NoSchedule"});
  if (node.unschedulable) out.push_back({"node.kubernetes.io/unschedulable", "", "NoSchedule"});
  return out;
}

json node_object(const NodeSpec& node, TimePoint created, const std::string& kubelet_version,
                 const std::string& resource_version) {
  const json labels = node_labels(node);
  json spec = json::object();
  if (node.unschedulable) spec["unschedulable"] = true;
  const std::vector<Taint> taints = effective_taints(node);
  if (!taints.empty()) {
    spec["taints"] = json::array();
    for (const Taint& t : taints) {
      json taint = {{"key", t.key}, {"effect", t.effect}};
      if (!t.value.empty()) taint["value"] = t.value;
      spec["taints"].push_back(taint);
    }
  }
  const std::map<std::string, std::string> capacity = capacity_of(node);
  const std::map<std::string, std::string> allocatable = allocatable_of(node);
  // Condition reasons and messages as the kubelet's node status setters write them
  // (pkg/kubelet/nodestatus/setters.go), in the kubelet's order.
  json conditions = json::array(
      {node_condition("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                      created),
       node_condition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", created),
       node_condition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available", created),
       node.ready
           ? node_condition("Ready", true, "KubeletReady", "kubelet is posting ready status", created)
           : node_condition("Ready", false, "KubeletNotReady",
                            "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                            "message:Network plugin returns error: cni plugin not initialized",
                            created)});
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"name", node.name},
            {"uid", stable_uid("node/" + node.name)},
            {"resourceVersion", resource_version},
            {"creationTimestamp", format_rfc3339(created)},
            {"labels", labels}}},
          {"spec", spec},
          {"status",
           {{"capacity", quantities(capacity)},
            {"allocatable", quantities(allocatable)},
            {"conditions", conditions},
            {"addresses", json::array({{{"type", "InternalIP"}, {"address", node.address}},
                                       {{"type", "Hostname"}, {"address", node.name}}})},
            {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
            {"nodeInfo",
             {{"machineID", stable_uid("machine/" + node.name).substr(0, 8) + "0000000000000000000000000"},
              {"systemUUID", stable_uid("system/" + node.name)},
              {"bootID", stable_uid("boot/" + node.name)},
              {"kernelVersion", "6.1.0-28-cloud-amd64"},
              {"osImage", "Debian GNU/Linux 12 (bookworm)"},
              {"containerRuntimeVersion", "containerd://1.7.24"},
              {"kubeletVersion", kubelet_version},
              {"kubeProxyVersion", kubelet_version},
              {"operatingSystem", node.os},
              {"architecture", node.arch}}}}}};
}

}  // namespace kexsim::fakes

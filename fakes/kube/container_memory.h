#pragma once
// The memory side of the simulated kubelet: each container's cgroup, its limit taken from the pod
// spec (resources.limits.memory, a Kubernetes quantity), its main process, and the OOM policy the
// node's kubelet applies (memory.oom.group on cgroup v2 since 1.28, kubernetes PR #117793, unless
// singleProcessOOMKill, 1.32+, PR #126096).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/runtime/memory.h"

namespace kexsim::fakes {

/// How the nodes' kernel and kubelet OOM-kill (from the scenario's cluster).
struct OomPolicy {
  int cgroup_version = 2;                ///< 1 or 2
  bool single_process_oom_kill = false;  ///< kubelet singleProcessOOMKill (1.32+)
  int kubernetes_minor = 33;             ///< the kubelet's release

  /// Whether the kubelet sets memory.oom.group: the whole container dies with its largest process.
  bool group_kill() const { return cgroup_version == 2 && kubernetes_minor >= 28 && !single_process_oom_kill; }
};

/// A container's memory limit in bytes: resources.limits.memory of that container, if set and valid.
std::optional<uint64_t> container_memory_limit(const nlohmann::json& pod, const std::string& container);

/// The cgroups of the pods' containers, by pod uid and container name, created on first use.
class ContainerMemory {
 public:
  /// The policy for cgroups created from now on.
  void set_policy(OomPolicy policy) { policy_ = policy; }
  /// The container's cgroup: its limit from the pod spec and its main process (the container's
  /// command, a shell) already charged.
  std::shared_ptr<MemoryCgroup> cgroup(const nlohmann::json& pod, const std::string& container);
  /// Forgets a deleted pod's cgroups.
  void release(const std::string& uid);

 private:
  OomPolicy policy_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<MemoryCgroup>> cgroups_;
};

}  // namespace kexsim::fakes

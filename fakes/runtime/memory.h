#pragma once
// A container's memory cgroup as the kernel's OOM killer sees it: the processes in the container,
// each with a resident footprint, and the limit (resources.limits.memory). When a process grows
// past the limit the kernel kills the largest process (mm/oom_kill.c select_bad_process: the
// highest badness, which for processes of one container is their resident size). With
// memory.oom.group (cgroup v2, kubelet 1.28+ unless singleProcessOOMKill) it kills them all.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kexsim::fakes {

/// What the OOM killer did when a process grew.
struct OomVerdict {
  enum class Kind {
    kNone,           ///< the cgroup stayed under its limit
    kGrowerKilled,   ///< the growing process itself was the largest and got SIGKILL
    kOtherKilled,    ///< another (non-main) process was the largest and got SIGKILL
    kContainerDied,  ///< the main process (PID 1) was killed, or the whole group: the container ends OOMKilled
  };
  Kind kind = Kind::kNone;
  std::string victim;  ///< the killed process's name (the grower's when the whole group went)
  uint64_t usage = 0;  ///< bytes charged when the limit was crossed
};

/// One container's memory cgroup: its processes, its limit and its OOM policy.
class MemoryCgroup {
 public:
  /// limit: bytes, or none (no limit: nothing is ever killed). group_kill: memory.oom.group is set.
  MemoryCgroup(std::optional<uint64_t> limit, bool group_kill) : limit_(limit), group_kill_(group_kill) {}

  /// Starts a process (no memory yet: grow() charges it); main marks the container's PID 1. Returns its id.
  int start(std::string name, bool main = false);
  /// A process exited (or was killed): its memory is uncharged.
  void exit(int id);
  /// Process id grows to bytes; if that crosses the limit, the kernel's verdict (victims are exited).
  OomVerdict grow(int id, uint64_t bytes);

  /// Whether the container is dead: its main process or the whole group was OOM-killed.
  bool dead() const { return dead_; }
  /// Whether any process was OOM-killed (containerd then reports OOMKilled when the container exits).
  bool oom_killed() const { return oom_killed_; }
  /// Bytes charged now.
  uint64_t usage() const;
  /// The limit, if any.
  std::optional<uint64_t> limit() const { return limit_; }

 private:
  struct Process {
    int id = 0;
    std::string name;
    uint64_t bytes = 0;
    bool main = false;
  };

  std::optional<uint64_t> limit_;
  bool group_kill_ = false;
  std::vector<Process> processes_;  ///< live ones, in start order
  int next_id_ = 1;
  bool dead_ = false;
  bool oom_killed_ = false;
};

/// Footprints the tool models charge, in bytes (resident sizes of the real programs, rounded).
namespace footprint {
inline constexpr uint64_t kMiB = 1024 * 1024;
inline constexpr uint64_t kShell = 1 * kMiB;         ///< sh / bash waiting or interpreting a script
inline constexpr uint64_t kGit = 6 * kMiB;           ///< git fetch, git-remote-https before the pack arrives
inline constexpr uint64_t kCommand = 4 * kMiB;       ///< a scenario command that declares no memory
inline constexpr uint64_t kPackOverhead = 8 * kMiB;  ///< index-pack / unpack-objects beyond the pack it holds
}  // namespace footprint

}  // namespace kexsim::fakes

#pragma once
// What the simulated kubelet does to pods beyond bringing them up (pod_lifecycle.h): containers that
// end (OOMKilled with 137, killed at a deadline), activeDeadlineSeconds (pod Failed,
// DeadlineExceeded), secret and configMap volumes whose object is missing (FailedMount, the pod stays
// ContainerCreating), with the kubelet's events. Strings: k8s-cluster-messages.md §3, the upstream
// file beside each.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/kube/events.h"
#include "fakes/kube/images.h"
#include "fakes/kube/secret_volumes.h"

namespace kexsim::fakes {

/// A container that fails at once and is restarted (restartPolicy Always or OnFailure), at one moment:
/// restarts so far, the last start (and exit), the back-off now running.
struct CrashLoop {
  int restarts = 0;
  TimePoint last_exit{};
  Duration back_off{};
};

/// The kubelet's crash loop for a container that first exits at `first_exit` and every time it starts:
/// restarted at once (no back-off yet), then after 10 s, 20 s, 40 s … at most 5 min since the last exit
/// (kuberuntime_manager.go doBackOff, client-go flowcontrol.Backoff without jitter).
CrashLoop crash_loop_at(TimePoint first_exit, TimePoint now);

/// The waiting message of a crash-looping container: "back-off 20s restarting failed container=build
/// pod=NAME_NS(UID)" (kuberuntime_manager.go, pkg/kubelet/util/format/pod.go).
std::string crash_loop_message(Duration back_off, const std::string& container, const nlohmann::json& pod);

/// The Warning BackOff event's message for a crash-looping container: ≤1.25 "Back-off restarting failed
/// container", from 1.26 "... container NAME in pod POD_NS(UID)" (kuberuntime_manager.go doBackOff).
std::string crash_loop_event_message(const std::string& container, const nlohmann::json& pod, int kubernetes_minor);

/// The exit code of a binary for another platform: runc init's execve fails with ENOEXEC (`exec /bin/sh:
/// exec format error`) and exits 1 (runc 1.1, clusters up to 1.31 here) or 255 (runc 1.2, from 1.32 on).
int exec_format_exit_code(int kubernetes_minor);

/// How a container ended: when, the runtime's reason (OOMKilled, Error, Completed) and its exit code.
struct ContainerExit {
  TimePoint at{};
  std::string reason;
  int exit_code = 0;
};

/// A volume the kubelet cannot set up: its name and the error (`secret "db-creds" not found`).
struct MountFailure {
  std::string volume;
  std::string error;
};

/// The node's CNI plugin failing to set up pod networks (a scenario's broken or exhausted CNI).
struct SandboxFailure {
  std::string plugin;       ///< the plugin's type, e.g. "aws-cni", "calico"
  std::string plugin_name;  ///< its name in the network config (optional), e.g. "aws-cni"
  std::string error;        ///< what the plugin returned, e.g. "add cmd: failed to assign an IP address to container"
};

/// The FailedCreatePodSandBox message for one attempt: containerd's sandbox_run.go and libcni's
/// api.go wrapped by the kubelet (k8s-cluster-messages.md §3.2); sandbox_id is 64 hex digits.
std::string sandbox_failure_message(const SandboxFailure& failure, const std::string& sandbox_id);

/// Whether an object exists: (kind "secrets" | "configmaps", namespace, name).
using ObjectExists = std::function<bool(const std::string&, const std::string&, const std::string&)>;

/// The first secret or configMap volume of the pod whose object is missing (and not optional).
std::optional<MountFailure> missing_volume(const nlohmann::json& pod, const ObjectExists& exists);

/// Why the kubelet cannot build a container's config (its env from a Secret or a ConfigMap): the first
/// missing object or key, in the kubelet's words; none when it can. Without `config_map` no ConfigMap exists.
std::optional<std::string> container_config_error(const nlohmann::json& pod, const nlohmann::json& container,
                                                  const SecretLookup& secret, const SecretLookup& config_map = {});

/// Marks the running pod's containers whose config cannot be built as waiting
/// CreateContainerConfigError (the pod stays Pending); returns whether any was.
bool apply_config_errors(nlohmann::json& pod, const SecretLookup& secret, const SecretLookup& config_map = {});

/// When the kubelet kills the pod's containers for activeDeadlineSeconds: the deadline (counted
/// from when the kubelet took the pod) plus terminationGracePeriodSeconds (30 by default), since the
/// containers' PID 1, a shell, ignores SIGTERM. None without a deadline.
std::optional<TimePoint> deadline_kill_time(const nlohmann::json& pod, TimePoint started);

/// The kubelet's record of the pods' containers that ended, and the events it owes.
class ContainerStates {
 public:
  /// The kubelet's release (wordings that changed: the mount timeout's suffix).
  void set_kubernetes_minor(int minor) { minor_ = minor; }
  /// A container of pod uid ended (the first end counts).
  void record_exit(const std::string& uid, const std::string& container, ContainerExit exit);
  /// Applies what happened by now to a running pod as a read returns it: terminated containers,
  /// readiness, phase, and activeDeadlineSeconds (started: when the kubelet took the pod). With `images`,
  /// a container whose image is for another platform ends at its start (exec format error): terminated
  /// Error under restartPolicy Never, else waiting CrashLoopBackOff with restarts and lastState.
  /// `commands_changed`: when containers running their own command (container_command.h) last changed.
  void apply(nlohmann::json& pod, TimePoint started, TimePoint now, const PodImageStates* images = nullptr,
             std::optional<TimePoint> commands_changed = std::nullopt) const;
  /// The next moment after `now` at which this model changes a pod as a read presents it (`presented`:
  /// the pod at now; started: when the kubelet took it): a container's recorded end, the deadline and its
  /// kill, a crash-looping container's next restart. Watches wake then to send the MODIFIED event.
  std::optional<TimePoint> next_change(const nlohmann::json& presented, TimePoint started, TimePoint now) const;
  /// Records the Warning BackOff events due by now for the pod's crash-looping containers (one per
  /// back-off; the legacy recorder counts the repeats).
  void record_crash_loop_events(const nlohmann::json& pod, TimePoint now, EventLog& events, const std::string& rv);
  /// Records the kubelet events due by now for a pod (DeadlineExceeded, Killing, FailedMount).
  void record_events(const nlohmann::json& pod, TimePoint started, TimePoint now,
                     const std::optional<MountFailure>& mount, EventLog& events, const std::string& rv);
  /// Records the FailedCreatePodSandBox events due by now (each attempt a new sandbox id; the kubelet
  /// retries each sync, backing off 10 s to 5 min).
  void record_sandbox_events(const nlohmann::json& pod, TimePoint started, TimePoint now, const SandboxFailure& failure,
                             EventLog& events, const std::string& rv);
  /// Records the Warning Failed events due by now for containers with a config error (running_at:
  /// when the containers would have started); the kubelet retries each sync, backing off 10 s to 5 min.
  void record_config_events(const nlohmann::json& pod, TimePoint running_at, TimePoint now, const SecretLookup& secret,
                            EventLog& events, const std::string& rv, const SecretLookup& config_map = {});
  /// Whether the pod's deadline events are recorded.
  bool deadline_recorded(const std::string& uid) const { return deadline_recorded_.count(uid) > 0; }
  /// Forgets a deleted pod.
  void release(const std::string& uid);

 private:
  /// An init container whose image is for another platform: it fails, the app containers never start
  /// (the pod Failed under restartPolicy Never, else Pending with the init container crash-looping).
  bool apply_init_exec_failure(nlohmann::json& pod, TimePoint now, const PodImageStates* images) const;

  int minor_ = 33;
  std::map<std::string, std::map<std::string, ContainerExit>> exits_;  ///< uid -> container -> exit
  std::set<std::string> deadline_recorded_;                            ///< uids whose deadline events exist
  std::map<std::string, std::pair<int, int>> mount_events_;            ///< uid -> (SetUp, timeout) events recorded
  std::map<std::string, int> config_events_;                           ///< uid -> config-error syncs recorded
  std::map<std::string, int> sandbox_events_;                          ///< uid -> sandbox attempts recorded
  std::map<std::string, std::map<std::string, int>> crash_events_;     ///< uid -> container -> BackOff recorded
};

/// OpenShift's RunOnceDurationOverride admission (openshift/run-once-duration-override): a run-once
/// pod (restartPolicy Never or OnFailure) gets activeDeadlineSeconds = limit unless it asks for less.
void apply_run_once_deadline(nlohmann::json& pod, int64_t limit);

/// Whether the container of a pod (as a read returns it) is running: exec refuses the others.
bool container_running(const nlohmann::json& pod, const std::string& container);

}  // namespace kexsim::fakes

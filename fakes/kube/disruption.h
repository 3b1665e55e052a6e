#pragma once
// Pods disrupted the way clusters do it (issue 6, part 5): the Eviction API, a delete, a drained
// node, a lost (spot-reclaimed) node and scheduler preemption. A plan fires at a virtual time or when
// a container of the pod prints a text; the pod then carries the DisruptionTarget condition and its
// deletion timestamp, the kubelet stops its containers (a shell as PID 1 ignores SIGTERM, so they
// die at the grace period's end, exit 137), and the object goes once they are gone. A lost node
// stops reporting instead: the node controller marks it NotReady, the cloud controller deletes it
// and PodGC force-deletes its pods. Strings: k8s-cluster-messages.md §5, the upstream file beside each.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <functional>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/kube/events.h"
#include "fakes/runtime/output.h"

namespace kexsim::fakes {

/// What disrupts the pod.
enum class DisruptionAction { kEvict, kDelete, kDrain, kNodeLost, kPreempt };

/// The action's scenario name: evict, delete, drain, node_lost, preempt.
std::string disruption_action_name(DisruptionAction action);
/// The action a scenario name stands for, if any.
std::optional<DisruptionAction> parse_disruption_action(std::string_view name);

/// One planned disruption ([[cluster.disruptions]]): what, when, and which pods.
struct DisruptionPlan {
  DisruptionAction action = DisruptionAction::kEvict;
  std::optional<Duration> at;                   ///< since the simulation started (at_seconds)
  std::string on_output;                        ///< or: when a container of the pod prints this text
  Duration after{0};                            ///< how long after the on_output trigger
  std::optional<int64_t> grace_period_seconds;  ///< DeleteOptions; default the pod's terminationGracePeriodSeconds
  std::string pod;                              ///< name prefix of the pods it hits ("" = every pod)
  std::string preemptor = "high-priority";      ///< preempt: the preemptor pod's name (same namespace)
};

/// What a disruption does to one pod, on the virtual clock.
struct PodDisruption {
  DisruptionAction action = DisruptionAction::kEvict;
  nlohmann::json pod;  ///< the pod as read when it was hit (subject of its events)
  std::string uid, ns, name, node;
  TimePoint at{};                         ///< when it hit
  TimePoint kill_at{};                    ///< when the containers' processes are gone
  TimePoint removed_at{};                 ///< when the API object goes
  std::optional<TimePoint> not_ready_at;  ///< node_lost: when the node controller marks the node NotReady
  int64_t grace = 0;                      ///< deletionGracePeriodSeconds (graceful deletes only)
  bool graceful = true;                   ///< deletionTimestamp set at `at`; else force-deleted at removal
  std::string reason, message;            ///< the DisruptionTarget condition; none when reason is empty
  std::string preemptor, preemptor_uid;   ///< preempt: the preemptor's name and uid
  bool hit_recorded = false, events_recorded = false, not_ready_recorded = false, removed = false;
};

/// The node-lifecycle values the model uses (kube-controller-manager defaults).
/// node-monitor-grace-period: 40 s (kube-controller-manager options); 50 s from 1.32 (not read at a tag: unverified).
Duration node_monitor_grace_period(int kubernetes_minor);
/// PodGC's quarantine of a deleted node's pods (pkg/controller/podgc/gc_controller.go quarantineTime).
constexpr Duration kPodGcQuarantine = std::chrono::seconds(40);

/// The disruptions planned and under way, and what they make pods and nodes look like.
class Disruptions {
 public:
  /// The scenario's plans; at_seconds counts from `start`.
  void set_plans(std::vector<DisruptionPlan> plans, TimePoint start);
  /// The cluster's release (condition and event wordings changed in 1.26, 1.27 and 1.29).
  void set_kubernetes_minor(int minor) { minor_ = minor; }
  /// Whether anything is planned or under way (nothing to do otherwise).
  bool active() const { return !plans_.empty() || !hits_.empty() || !refused_.empty(); }

  /// Fires the at_seconds plans due by now on `pods` (bound pods, as reads return them).
  void advance(TimePoint now, const std::vector<nlohmann::json>& pods);
  /// The Eviction API on a bound pod now; grace: the Eviction's deleteOptions.gracePeriodSeconds.
  void evict(const nlohmann::json& pod, TimePoint now, std::optional<int64_t> grace);
  /// Which pods a PodDisruptionBudget protects now: a drain's or an evict plan's eviction of them is
  /// refused (429). A drain tries again every 5 s (kubectl drain's evictPods: "will retry after 5s") until
  /// the budget allows it or the pod is gone.
  void set_eviction_guard(std::function<bool(const nlohmann::json& pod)> guard) { guard_ = std::move(guard); }
  /// A process of `pod` started at `start` printed `output`: fires the on_output plans it matches.
  void saw_output(const nlohmann::json& pod, TimePoint start, const std::vector<OutputChunk>& output);
  /// When the pod's processes die: a disruption that hit it, or an at_seconds plan still to fire.
  std::optional<TimePoint> kill_time(const nlohmann::json& pod) const;

  /// The pod as a read returns it at now: DisruptionTarget, deletion timestamp, Ready False on a lost
  /// node, containers terminated (137) and phase Failed once killed.
  void apply(nlohmann::json& pod, TimePoint now) const;
  /// Takes off what apply() added (the state a watch saw before the hit).
  static void strip(nlohmann::json& pod);
  /// Pods hit by now whose change watches have not seen yet (marked seen).
  std::vector<PodDisruption> take_hits(TimePoint now);
  /// Records the events due by now: Killing, Preempted, NodeNotReady.
  void record_events(TimePoint now, EventLog& events, const std::string& rv);
  /// Pods whose removal is due by now, in time order (marked removed).
  std::vector<PodDisruption> take_removals(TimePoint now);
  /// The earliest change still to come, after now.
  std::optional<TimePoint> next_change(TimePoint now) const;
  /// The nodes as disruptions left them: cordoned, NotReady, or deleted (taken off the list).
  void apply_nodes(std::vector<nlohmann::json>& nodes, TimePoint now) const;
  /// A node change a disruption made that the scheduler must see: cordoned (a drain), unreachable (a lost
  /// node's not-ready time) or deleted (the cloud controller removed it).
  struct NodeChange {
    enum Kind { kCordoned, kUnreachable, kDeleted } kind;
    std::string node;
    TimePoint at;
  };
  /// The node changes due by now that were not taken yet, in time order (marked taken).
  std::vector<NodeChange> take_node_changes(TimePoint now);
  /// The disruption of a pod, if one hit it.
  const PodDisruption* find(const std::string& uid) const;
  /// Forgets a pod that is gone.
  void release(const std::string& uid);

 private:
  struct Planned {
    DisruptionPlan plan;
    bool fired = false;
  };
  void hit(const DisruptionPlan& plan, const nlohmann::json& pod, TimePoint at);
  /// Tries again the drain evictions a budget refused whose retry is due by now.
  void retry_refused(TimePoint now, const std::vector<nlohmann::json>& pods);
  /// When the node a lost-node plan names is deleted, if one was lost.
  std::optional<TimePoint> node_deleted_at(const std::string& node) const;

  int minor_ = 33;
  std::function<bool(const nlohmann::json&)> guard_;
  TimePoint start_{};
  std::vector<Planned> plans_;
  std::vector<PodDisruption> hits_;  ///< in the order they hit
  /// A drain's eviction the budget refused: tried again at `next` while the pod is there.
  struct Refused {
    DisruptionPlan plan;
    std::string uid;
    TimePoint next;
  };
  std::vector<Refused> refused_;
  struct NodeState {
    std::string name;
    std::optional<TimePoint> cordoned_at, lost_at, not_ready_at;
    int changes_taken = 0;  ///< how many of the node's changes take_node_changes() returned
  };
  std::vector<NodeState> nodes_;
};

}  // namespace kexsim::fakes

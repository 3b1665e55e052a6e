#pragma once
// The simulated kube-scheduler: the default filter plugins (NodeUnschedulable, TaintToleration,
// NodeAffinity, NodeResourcesFit), the FitError message as each Kubernetes release words it, and a
// scheduling queue that binds pods, leaves them Pending, and retries when the cluster changes (a node
// added by a simple cluster-autoscaler model, a pod leaving). Facts: k8s-cluster-messages.md §1.

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/kube/events.h"
#include "fakes/kube/nodes.h"

namespace kexsim::fakes {

/// What a pod asks of a node: the sum of its containers' requests (a limit stands in for a missing
/// request, as API defaulting does), at least each init container's, plus one pod.
Resources pod_requests(const nlohmann::json& pod);

/// One node as a scheduling cycle sees it.
struct NodeView {
  const NodeSpec* node = nullptr;
  Resources allocatable;  ///< parsed allocatable
  Resources requested;    ///< what pods on it (and the scenario's `used`) request
};

/// How one node failed the filters: the first failing plugin's reasons, and whether preemption could help.
struct NodeFailure {
  std::vector<std::string> reasons;
  bool unresolvable = false;  ///< UnschedulableAndUnresolvable (all but NodeResourcesFit)
};

/// Runs the filter plugins in the default order for one node; nothing when the pod fits.
std::optional<NodeFailure> filter_node(const nlohmann::json& pod, const Resources& request, const NodeView& node,
                                       int minor);

/// The scheduler's message for a pod no node takes: FitError.Error() with the preemption tail, as
/// release 1.<minor> words it; "no nodes available to schedule pods" when there are none.
std::string fit_error_message(const nlohmann::json& pod, const std::vector<NodeFailure>& failures, int minor);

/// The outcome of one scheduling cycle: the node chosen, or the message.
struct ScheduleOutcome {
  std::string node;  ///< empty: unschedulable
  std::string message;
};

/// One scheduling cycle over the nodes in order; the first feasible node wins (nodes are equal here).
ScheduleOutcome schedule_pod(const nlohmann::json& pod, const std::vector<NodeView>& nodes, int minor);

/// A cluster-autoscaler node group: nodes like `node` (named <name>-1, -2, …) added scale_up after a
/// pod that would fit one is found unschedulable, up to max_size nodes.
struct NodeGroup {
  std::string name;
  NodeSpec node;
  Duration scale_up{std::chrono::seconds(60)};
  int max_size = 1;
  int size = 0;  ///< nodes the group has at the start
};

/// Where a pod is: bound (to node, at) or waiting with the last scheduling message.
struct Placement {
  bool bound = false;
  std::string node, host_ip;
  TimePoint at;         ///< bound: binding time; waiting: the first failed attempt
  std::string message;  ///< waiting: the latest FitError message
};

/// The scheduling queue and the cluster's nodes. Time moves only through advance(), so pod state
/// stays a function of virtual time however often it is read.
class Scheduler {
 public:
  /// Names the release whose wording to use (the minor of 1.x).
  void set_minor(int minor) { minor_ = minor; }
  /// The release whose wording is used.
  int minor() const { return minor_; }
  /// Adds a node present from `at`.
  void add_node(NodeSpec node, TimePoint at);
  /// Adds an autoscaled node group.
  void add_group(NodeGroup group);
  /// Whether the scenario declared nodes or groups; if not, pods go to node-1 as before.
  bool modelled() const { return !nodes_.empty() || !groups_.empty(); }

  /// A new pod at `now`: bound at once (spec.nodeName, or a feasible node) or queued as unschedulable.
  void admit(const nlohmann::json& pod, TimePoint now, EventLog& events, const std::string& rv);
  /// A pod left at `now`: its requests are freed and waiting pods are retried.
  void release(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv);
  /// Applies everything due by `now`, in time order: nodes the autoscaler adds (every waiting pod is
  /// retried), and the queue's periodic flush (a pod unschedulable for 5 minutes is tried again).
  void advance(TimePoint now, EventLog& events, const std::string& rv);

  /// From `at` the node is cordoned (unschedulable), unreachable (the node lifecycle controller's
  /// node.kubernetes.io/unreachable:NoSchedule taint) or gone; the waiting pods are retried then.
  void disrupt_node(const std::string& name, bool unschedulable, bool unreachable, bool gone, TimePoint at,
                    EventLog& events, const std::string& rv);

  /// Where a pod is, or nullptr for a pod the scheduler never saw.
  const Placement* placement(const std::string& uid) const;

  /// A node and when it joined.
  struct Member {
    NodeSpec node;
    TimePoint since;
  };
  /// The cluster's nodes in the order they joined.
  const std::vector<Member>& nodes() const { return nodes_; }

 private:
  struct Waiting {
    nlohmann::json pod;
    bool scale_up_triggered = false;
    TimePoint last_attempt;
  };
  struct ScaleUp {
    size_t group;
    TimePoint due;
  };

  std::vector<NodeView> views() const;
  void attempt(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv);
  void try_scale_up(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv);
  void retry_waiting(TimePoint now, EventLog& events, const std::string& rv);

  int minor_ = 33;
  std::vector<Member> nodes_;
  std::vector<NodeGroup> groups_;
  std::vector<ScaleUp> scale_ups_;
  std::map<std::string, Placement> placements_;      ///< by pod uid
  std::map<std::string, Resources> bound_requests_;  ///< by pod uid
  std::vector<std::string> queue_;                   ///< waiting pod uids, in arrival order
  std::map<std::string, Waiting> waiting_;
  std::map<std::string, NodeSpec> disrupted_;  ///< nodes as disruptions left them, by name (the scheduler's view)
  std::set<std::string> gone_;                 ///< nodes deleted by a disruption
};

}  // namespace kexsim::fakes

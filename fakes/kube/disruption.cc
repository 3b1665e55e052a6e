#include "fakes/kube/disruption.h"

#include <algorithm>

#include "base/hash.h"
#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

// The cloud node-lifecycle controller deletes a NotReady node whose instance is gone on its next pass
// (--node-monitor-period, 5 s; cloud-provider controllers/nodelifecycle).
constexpr Duration kCloudNodeMonitorPeriod = std::chrono::seconds(5);
// k8s.io/kubectl/pkg/drain/drain.go evictPods: the pause after a 429 before the next eviction.
constexpr Duration kDrainEvictionRetryInterval = std::chrono::seconds(5);
constexpr int64_t kMinimumGracePeriodSeconds = 2;

bool starts_with_prefix(const std::string& name, const std::string& prefix) { return name.rfind(prefix, 0) == 0; }

json disruption_condition(const char* type, const char* status, TimePoint since, const std::string& reason,
                          const std::string& message) {
  json c = {
      {"type", type}, {"status", status}, {"lastProbeTime", nullptr}, {"lastTransitionTime", format_rfc3339(since)}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

void set_condition(json& pod, const char* type, const char* status, TimePoint since, const std::string& reason = {},
                   const std::string& message = {}) {
  json& conditions = pod["status"]["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  for (json& c : conditions)
    if (text(c, "type") == type) {
      c["status"] = status;
      c["lastTransitionTime"] = format_rfc3339(since);
      if (!reason.empty()) c["reason"] = reason;
      if (!message.empty()) c["message"] = message;
      return;
    }
  conditions.push_back(disruption_condition(type, status, since, reason, message));  // a new type goes last
}

// The container runtime's record of a SIGKILLed container (128 + 9), as the kubelet reports it.
void mark_killed(json& pod, TimePoint at) {
  json& statuses = pod["status"]["containerStatuses"];
  if (!statuses.is_array()) return;
  for (json& c : statuses) {
    json& state = c["state"];
    if (!member(state, "running").is_object()) continue;
    json terminated = {{"exitCode", 137},
                       {"reason", "Error"},
                       {"startedAt", text(state["running"], "startedAt")},
                       {"finishedAt", format_rfc3339(at)}};
    if (c.contains("containerID")) terminated["containerID"] = c["containerID"];
    state = {{"terminated", terminated}};
    c["ready"] = false;
    c["started"] = false;
  }
}

EventSubject subject_of(const json& pod, const std::string& field_path = {}) {
  const json& meta = member(pod, "metadata");
  EventSubject s;
  s.ns = text(meta, "namespace");
  s.name = text(meta, "name");
  s.uid = text(meta, "uid");
  s.resource_version = text(meta, "resourceVersion");
  s.field_path = field_path;
  return s;
}

int64_t pod_grace(const json& pod, const std::optional<int64_t>& asked) {
  // pkg/registry/core/pod/strategy.go CheckGracefulDelete: the options' period, else the pod's
  // terminationGracePeriodSeconds (defaulted to 30); a negative period becomes 1.
  int64_t grace = 30;
  const json& own = member(member(pod, "spec"), "terminationGracePeriodSeconds");
  if (own.is_number_integer()) grace = own.get<int64_t>();
  if (asked) grace = *asked;
  return grace < 0 ? 1 : grace;
}

}  // namespace

std::string disruption_action_name(DisruptionAction action) {
  switch (action) {
    case DisruptionAction::kEvict: return "evict";
    case DisruptionAction::kDelete: return "delete";
    case DisruptionAction::kDrain: return "drain";
    case DisruptionAction::kNodeLost: return "node_lost";
    case DisruptionAction::kPreempt: return "preempt";
  }
  return "evict";
}

std::optional<DisruptionAction> parse_disruption_action(std::string_view name) {
  for (DisruptionAction a : {DisruptionAction::kEvict, DisruptionAction::kDelete, DisruptionAction::kDrain,
                             DisruptionAction::kNodeLost, DisruptionAction::kPreempt})
    if (disruption_action_name(a) == name) return a;
  return std::nullopt;
}

Duration node_monitor_grace_period(int kubernetes_minor) {
  return std::chrono::seconds(kubernetes_minor >= 32 ? 50 : 40);
}

void Disruptions::set_plans(std::vector<DisruptionPlan> plans, TimePoint start) {
  start_ = start;
  plans_.clear();
  for (DisruptionPlan& p : plans) plans_.push_back({std::move(p), false});
}

const PodDisruption* Disruptions::find(const std::string& uid) const {
  for (const PodDisruption& d : hits_)
    if (d.uid == uid) return &d;
  return nullptr;
}

void Disruptions::release(const std::string& uid) {
  std::erase_if(hits_, [&uid](const PodDisruption& d) { return d.uid == uid; });
}

std::optional<TimePoint> Disruptions::node_deleted_at(const std::string& node) const {
  for (const NodeState& n : nodes_)
    if (n.name == node && n.not_ready_at) return *n.not_ready_at + kCloudNodeMonitorPeriod;
  return std::nullopt;
}

void Disruptions::hit(const DisruptionPlan& plan, const json& pod, TimePoint at) {
  const json& meta = member(pod, "metadata");
  if (find(text(meta, "uid"))) return;  // the first disruption counts
  // The Eviction API refuses a pod its PodDisruptionBudget protects (drain and evict go through it).
  if ((plan.action == DisruptionAction::kDrain || plan.action == DisruptionAction::kEvict) && guard_ && guard_(pod)) {
    // k8s.io/kubectl/pkg/drain/drain.go evictPods: on 429 TooManyRequests, "(will retry after 5s)", then again.
    const std::string uid = text(meta, "uid");
    const bool queued =
        std::any_of(refused_.begin(), refused_.end(), [&uid](const Refused& r) { return r.uid == uid; });
    if (plan.action == DisruptionAction::kDrain && !queued)
      refused_.push_back({plan, uid, at + kDrainEvictionRetryInterval});
    return;
  }
  PodDisruption d;
  d.action = plan.action;
  d.pod = pod;
  d.uid = text(meta, "uid");
  d.ns = text(meta, "namespace");
  d.name = text(meta, "name");
  d.node = text(member(pod, "spec"), "nodeName");
  d.at = at;
  // Gate PodDisruptionConditions: beta (on) from 1.26, GA in 1.31.
  const bool conditions = minor_ >= 26;
  switch (plan.action) {
    case DisruptionAction::kEvict:
    case DisruptionAction::kDrain:
      if (conditions) {
        // pkg/registry/core/pod/storage/eviction.go: addConditionAndDeletePod.
        d.reason = "EvictionByEvictionAPI";
        d.message = "Eviction API: evicting";
      }
      break;
    case DisruptionAction::kPreempt:
      d.preemptor = plan.preemptor;
      d.preemptor_uid = stable_uid("pod/" + d.ns + "/" + plan.preemptor);
      // pkg/scheduler/framework/preemption/preemption.go prepareCandidate.
      if (minor_ >= 27) {
        std::string scheduler = text(member(pod, "spec"), "schedulerName");
        if (scheduler.empty()) scheduler = "default-scheduler";
        d.reason = "PreemptionByScheduler";
        d.message = scheduler + ": preempting to accommodate a higher priority pod";
      } else if (conditions) {
        d.reason = "PreemptionByKubeScheduler";
        d.message = "Kube-scheduler: preempting to accommodate a higher priority pod: " + d.ns + "/" + plan.preemptor;
      }
      break;
    case DisruptionAction::kDelete:
    case DisruptionAction::kNodeLost: break;
  }
  if (plan.action == DisruptionAction::kNodeLost) {
    // The kubelet is gone with its machine: nothing stops the containers, they just end. The node
    // controller marks the node NotReady after node-monitor-grace-period, the cloud controller deletes
    // it, and PodGC force-deletes its pods after the quarantine (its 20 s check period is not modelled).
    d.graceful = false;
    d.kill_at = at;
    d.not_ready_at = at + node_monitor_grace_period(minor_);
    d.removed_at = *d.not_ready_at + kCloudNodeMonitorPeriod + kPodGcQuarantine;
    if (conditions) {
      d.reason = "DeletionByPodGC";  // pkg/controller/podgc/gc_controller.go gcOrphaned
      d.message = "PodGC: node no longer exists";
    }
  } else {
    // A graceful delete: the kubelet sends SIGTERM, which a shell as PID 1 ignores, then SIGKILL at
    // the deadline; it then reports the pod terminal and the API server removes it.
    // A period of 0 removes the object at once (no graceful deletion); the kubelet still gives the
    // containers minimumGracePeriodInSeconds, 2 s (kuberuntime_container.go killContainer).
    d.grace = pod_grace(pod, plan.grace_period_seconds);
    d.kill_at = at + std::chrono::seconds(std::max<int64_t>(d.grace, kMinimumGracePeriodSeconds));
    d.removed_at = d.grace == 0 ? at : d.kill_at;
  }
  hits_.push_back(std::move(d));
}

void Disruptions::retry_refused(TimePoint now, const std::vector<json>& pods) {
  for (size_t i = 0; i < refused_.size();) {
    Refused& r = refused_[i];
    const auto pod = std::find_if(pods.begin(), pods.end(),
                                  [&r](const json& p) { return text(member(p, "metadata"), "uid") == r.uid; });
    if (pod == pods.end() || find(r.uid)) {  // gone (or hit otherwise): the drain is done with it
      refused_.erase(refused_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (r.next > now) {
      ++i;
      continue;
    }
    // The budget as it is now answers the try that was due (the tries in between saw the same answer).
    const TimePoint at = r.next;
    const DisruptionPlan plan = r.plan;
    while (r.next <= now) r.next += kDrainEvictionRetryInterval;
    if (guard_ && guard_(*pod)) {
      ++i;
      continue;
    }
    refused_.erase(refused_.begin() + static_cast<std::ptrdiff_t>(i));
    hit(plan, *pod, at);
  }
}

void Disruptions::advance(TimePoint now, const std::vector<json>& pods) {
  retry_refused(now, pods);
  for (Planned& p : plans_) {
    if (p.fired || !p.plan.at || start_ + *p.plan.at > now) continue;
    p.fired = true;
    const TimePoint at = start_ + *p.plan.at;
    std::vector<std::string> targets;  // the nodes a drain or a lost node takes down
    for (const json& pod : pods) {
      if (!starts_with_prefix(text(member(pod, "metadata"), "name"), p.plan.pod)) continue;
      if (p.plan.action == DisruptionAction::kDrain || p.plan.action == DisruptionAction::kNodeLost) {
        const std::string node = text(member(pod, "spec"), "nodeName");
        if (std::find(targets.begin(), targets.end(), node) == targets.end()) targets.push_back(node);
      } else {
        hit(p.plan, pod, at);
      }
    }
    for (const std::string& node : targets) {
      NodeState state{node, {}, {}, {}, 0};
      if (p.plan.action == DisruptionAction::kDrain) {
        state.cordoned_at = at;
      } else {
        state.lost_at = at;
        state.not_ready_at = at + node_monitor_grace_period(minor_);
      }
      nodes_.push_back(state);
      for (const json& pod : pods)
        if (text(member(pod, "spec"), "nodeName") == node) hit(p.plan, pod, at);
    }
  }
}

void Disruptions::evict(const json& pod, TimePoint now, std::optional<int64_t> grace) {
  DisruptionPlan plan;
  plan.action = DisruptionAction::kEvict;
  plan.grace_period_seconds = grace;
  hit(plan, pod, now);
}

void Disruptions::saw_output(const json& pod, TimePoint start, const std::vector<OutputChunk>& output) {
  const std::string name = text(member(pod, "metadata"), "name");
  for (Planned& p : plans_) {
    if (p.fired || p.plan.on_output.empty() || !starts_with_prefix(name, p.plan.pod)) continue;
    for (const OutputChunk& chunk : output) {
      if (chunk.data.find(p.plan.on_output) == std::string::npos) continue;
      p.fired = true;
      const TimePoint at = start + chunk.at + p.plan.after;
      if (p.plan.action == DisruptionAction::kDrain || p.plan.action == DisruptionAction::kNodeLost) {
        NodeState state{text(member(pod, "spec"), "nodeName"), {}, {}, {}, 0};
        if (p.plan.action == DisruptionAction::kDrain) {
          state.cordoned_at = at;
        } else {
          state.lost_at = at;
          state.not_ready_at = at + node_monitor_grace_period(minor_);
        }
        nodes_.push_back(state);
      }
      hit(p.plan, pod, at);
      break;
    }
  }
}

std::optional<TimePoint> Disruptions::kill_time(const json& pod) const {
  const std::string uid = text(member(pod, "metadata"), "uid");
  std::optional<TimePoint> kill;
  if (const PodDisruption* d = find(uid)) kill = d->kill_at;
  const std::string name = text(member(pod, "metadata"), "name");
  for (const Planned& p : plans_) {
    if (p.fired || !p.plan.at || !starts_with_prefix(name, p.plan.pod)) continue;
    TimePoint at = start_ + *p.plan.at;
    if (p.plan.action != DisruptionAction::kNodeLost)
      at += std::chrono::seconds(
          std::max<int64_t>(pod_grace(pod, p.plan.grace_period_seconds), kMinimumGracePeriodSeconds));
    if (!kill || at < *kill) kill = at;
  }
  return kill;
}

void Disruptions::apply(json& pod, TimePoint now) const {
  const PodDisruption* d = find(text(member(pod, "metadata"), "uid"));
  if (!d || now < d->at) return;
  json& meta = pod["metadata"];
  if (d->graceful) {
    // rest.BeforeDelete: deletionTimestamp = now + period, deletionGracePeriodSeconds = period.
    meta["deletionTimestamp"] = format_rfc3339(d->at + std::chrono::seconds(d->grace));
    meta["deletionGracePeriodSeconds"] = d->grace;
    if (!d->reason.empty()) set_condition(pod, "DisruptionTarget", "True", d->at, d->reason, d->message);
    if (now >= d->kill_at) {
      mark_killed(pod, d->kill_at);
      pod["status"]["phase"] = "Failed";
      set_condition(pod, "Ready", "False", d->kill_at, "PodCompleted");
      set_condition(pod, "ContainersReady", "False", d->kill_at, "PodCompleted");
    }
    return;
  }
  // A lost node: its kubelet no longer reports, so the last status stands; the node controller
  // (pkg/controller/util/node/controller_utils.go MarkPodsNotReady) turns Ready False.
  if (d->not_ready_at && now >= *d->not_ready_at) set_condition(pod, "Ready", "False", *d->not_ready_at);
  if (now >= d->removed_at) {
    // PodGC marks the orphan Failed with its condition, then deletes it with grace 0.
    meta["deletionTimestamp"] = format_rfc3339(d->removed_at);
    meta["deletionGracePeriodSeconds"] = 0;
    pod["status"]["phase"] = "Failed";
    if (!d->reason.empty()) set_condition(pod, "DisruptionTarget", "True", d->removed_at, d->reason, d->message);
  }
}

void Disruptions::strip(json& pod) {
  if (pod.contains("metadata") && pod["metadata"].is_object()) {
    pod["metadata"].erase("deletionTimestamp");
    pod["metadata"].erase("deletionGracePeriodSeconds");
  }
  json& conditions = pod["status"]["conditions"];
  if (!conditions.is_array()) return;
  conditions.erase(std::remove_if(conditions.begin(), conditions.end(),
                                  [](const json& c) { return text(c, "type") == "DisruptionTarget"; }),
                   conditions.end());
  for (json& c : conditions)
    if (text(c, "type") == "Ready") c["status"] = "True";
}

std::vector<PodDisruption> Disruptions::take_hits(TimePoint now) {
  std::vector<PodDisruption> out;
  for (PodDisruption& d : hits_) {
    // What a watch sees change: the deletion mark, or a lost node's pod turning not ready.
    const TimePoint visible = d.graceful ? d.at : d.not_ready_at.value_or(d.removed_at);
    if (d.hit_recorded || visible > now || d.removed) continue;
    d.hit_recorded = true;
    out.push_back(d);
  }
  return out;
}

void Disruptions::record_events(TimePoint now, EventLog& events, const std::string& rv) {
  for (PodDisruption& d : hits_) {
    if (d.at > now) continue;
    if (d.graceful) {
      if (d.events_recorded) continue;
      d.events_recorded = true;
      if (d.action == DisruptionAction::kPreempt) {
        // preemption.go: Normal Preempted, action Preempting, by the scheduler's events.k8s.io recorder.
        std::string message;
        if (minor_ >= 29)
          message = "Preempted by pod " + d.preemptor_uid + " on node " + d.node;
        else if (minor_ >= 27)
          message = "Preempted by a pod on node " + d.node;
        else
          message = "Preempted by " + d.ns + "/" + d.preemptor + " on node " + d.node;
        events.record_series(
            subject_of(d.pod),
            {"Normal", "Preempted", message, "Preempting", "default-scheduler", "default-scheduler-control-plane"},
            d.at, rv);
      }
      // pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer: "Stopping container %s".
      const json& containers = member(member(d.pod, "spec"), "containers");
      if (containers.is_array())
        for (const json& c : containers) {
          const std::string name = text(c, "name");
          EventRecord r{"Normal", "Killing", "Stopping container " + name, "", "kubelet", d.node};
          events.record_legacy(subject_of(d.pod, "spec.containers{" + name + "}"), r, d.at, rv);
        }
      continue;
    }
    if (d.not_ready_at && *d.not_ready_at <= now && !d.not_ready_recorded) {
      d.not_ready_recorded = true;
      // controller_utils.go MarkPodsNotReady, by the node-lifecycle controller's legacy recorder.
      EventRecord r{"Warning", "NodeNotReady", "Node is not ready", "", "node-controller", ""};
      events.record_legacy(subject_of(d.pod), r, *d.not_ready_at, rv);
    }
  }
}

std::vector<PodDisruption> Disruptions::take_removals(TimePoint now) {
  std::vector<PodDisruption> out;
  for (PodDisruption& d : hits_) {
    if (d.removed || d.removed_at > now) continue;
    d.removed = true;
    out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PodDisruption& a, const PodDisruption& b) { return a.removed_at < b.removed_at; });
  return out;
}

std::optional<TimePoint> Disruptions::next_change(TimePoint now) const {
  std::optional<TimePoint> next;
  const auto consider = [&](TimePoint t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  for (const Planned& p : plans_)
    if (!p.fired && p.plan.at) consider(start_ + *p.plan.at);
  for (const Refused& r : refused_) consider(r.next);
  for (const PodDisruption& d : hits_) {
    if (d.removed) continue;
    consider(d.at);
    if (d.not_ready_at) consider(*d.not_ready_at);
    consider(d.removed_at);
  }
  return next;
}

std::vector<Disruptions::NodeChange> Disruptions::take_node_changes(TimePoint now) {
  std::vector<NodeChange> out;
  for (NodeState& n : nodes_) {
    std::vector<NodeChange> all;
    if (n.cordoned_at) all.push_back({NodeChange::kCordoned, n.name, *n.cordoned_at});
    if (n.not_ready_at) all.push_back({NodeChange::kUnreachable, n.name, *n.not_ready_at});
    if (const std::optional<TimePoint> deleted = node_deleted_at(n.name); deleted && n.not_ready_at)
      all.push_back({NodeChange::kDeleted, n.name, *deleted});
    for (; n.changes_taken < static_cast<int>(all.size()) && all[n.changes_taken].at <= now; ++n.changes_taken)
      out.push_back(all[n.changes_taken]);
  }
  std::stable_sort(out.begin(), out.end(), [](const NodeChange& a, const NodeChange& b) { return a.at < b.at; });
  return out;
}

void Disruptions::apply_nodes(std::vector<json>& nodes, TimePoint now) const {
  for (const NodeState& n : nodes_) {
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [&n](const json& node) { return text(member(node, "metadata"), "name") == n.name; });
    if (it == nodes.end()) continue;
    json& node = *it;
    if (n.cordoned_at && *n.cordoned_at <= now) {
      // kubectl cordon: spec.unschedulable; the node-lifecycle controller adds the taint.
      node["spec"]["unschedulable"] = true;
      json& taints = node["spec"]["taints"];
      if (!taints.is_array()) taints = json::array();
      taints.push_back({{"key", "node.kubernetes.io/unschedulable"},
                        {"effect", "NoSchedule"},
                        {"timeAdded", format_rfc3339(*n.cordoned_at)}});
    }
    if (n.not_ready_at && *n.not_ready_at <= now) {
      if (const std::optional<TimePoint> deleted = node_deleted_at(n.name); deleted && *deleted <= now) {
        nodes.erase(it);  // the cloud node-lifecycle controller: the instance no longer exists
        continue;
      }
      // pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth.
      for (json& c : node["status"]["conditions"]) {
        c["status"] = "Unknown";
        c["reason"] = "NodeStatusUnknown";
        c["message"] = "Kubelet stopped posting node status.";
        c["lastTransitionTime"] = format_rfc3339(*n.not_ready_at);
      }
      json& taints = node["spec"]["taints"];
      if (!taints.is_array()) taints = json::array();
      for (const char* effect : {"NoSchedule", "NoExecute"})
        taints.push_back({{"key", "node.kubernetes.io/unreachable"},
                          {"effect", effect},
                          {"timeAdded", format_rfc3339(*n.not_ready_at)}});
    }
  }
}

}  // namespace kexsim::fakes

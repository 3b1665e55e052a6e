#include "fakes/kube/scheduler.h"

#include <algorithm>
#include <cstdlib>

#include "base/json_fields.h"
#include "fakes/kube/quantity.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

// The scheduler's events name it as reportingController; the instance is "<controller>-<host>"
// (client-go tools/events NewRecorder; the host is the control-plane node running kube-scheduler).
constexpr const char* kScheduler = "default-scheduler";
constexpr const char* kSchedulerInstance = "default-scheduler-control-plane";
constexpr const char* kAutoscaler = "cluster-autoscaler";
// podMaxInUnschedulablePodsDuration (pkg/scheduler/internal/queue/scheduling_queue.go): without a cluster
// change, an unschedulable pod goes back to the active queue after 5 minutes.
constexpr Duration kUnschedulableFlush = std::chrono::minutes(5);

using json_fields::member;
using json_fields::text;

// A container's requests, a limit standing in for a missing request (SetDefaults: requests default to limits).
Resources container_requests(const json& container) {
  const json& resources = member(container, "resources");
  std::map<std::string, std::string> amounts;
  for (const char* part : {"limits", "requests"}) {
    const json& list = member(resources, part);
    if (!list.is_object()) continue;
    for (const auto& [name, value] : list.items()) {
      if (value.is_string())
        amounts[name] = value.get<std::string>();
      else if (value.is_number())
        amounts[name] = value.dump();
    }
  }
  auto parsed = parse_resources(amounts);
  return parsed.ok() ? parsed.value() : Resources{};
}

void take_max(Resources& into, const Resources& other) {
  into.milli_cpu = std::max(into.milli_cpu, other.milli_cpu);
  into.memory = std::max(into.memory, other.memory);
  into.ephemeral_storage = std::max(into.ephemeral_storage, other.ephemeral_storage);
  for (const auto& [name, v] : other.scalar) into.scalar[name] = std::max(into.scalar[name], v);
}

// v1helper.TolerationsTolerateTaint for one taint.
bool tolerates(const json& tolerations, const Taint& taint) {
  if (!tolerations.is_array()) return false;
  for (const auto& t : tolerations) {
    const std::string effect = text(t, "effect"), key = text(t, "key"), op = text(t, "operator");
    if (!effect.empty() && effect != taint.effect) continue;
    if (op == "Exists") {
      if (key.empty() || key == taint.key) return true;
      continue;
    }
    if (key == taint.key && (op.empty() || op == "Equal") && text(t, "value") == taint.value) return true;
  }
  return false;
}

bool expression_matches(const json& expr, const std::map<std::string, std::string>& labels) {
  const std::string key = text(expr, "key"), op = text(expr, "operator");
  std::vector<std::string> values;
  if (member(expr, "values").is_array())
    for (const auto& v : expr["values"])
      if (v.is_string()) values.push_back(v.get<std::string>());
  auto it = labels.find(key);
  const bool has = it != labels.end();
  auto in = [&] { return has && std::find(values.begin(), values.end(), it->second) != values.end(); };
  if (op == "In") return in();
  if (op == "NotIn") return !in();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if ((op == "Gt" || op == "Lt") && has && values.size() == 1) {
    char* end1 = nullptr;
    char* end2 = nullptr;
    const long long label = std::strtoll(it->second.c_str(), &end1, 10);
    const long long bound = std::strtoll(values[0].c_str(), &end2, 10);
    if (*end1 || *end2) return false;
    return op == "Gt" ? label > bound : label < bound;
  }
  return false;
}

// A node selector term: every matchExpressions and matchFields entry holds; an empty term matches nothing.
bool term_matches(const json& term, const NodeSpec& node, const std::map<std::string, std::string>& labels) {
  const json& exprs = member(term, "matchExpressions");
  const json& fields = member(term, "matchFields");
  const bool any = (exprs.is_array() && !exprs.empty()) || (fields.is_array() && !fields.empty());
  if (!any) return false;
  if (exprs.is_array())
    for (const auto& e : exprs)
      if (!expression_matches(e, labels)) return false;
  if (fields.is_array())
    for (const auto& f : fields)
      if (text(f, "key") != "metadata.name" || !expression_matches(f, {{"metadata.name", node.name}})) return false;
  return true;
}

// NodeAffinity: spec.nodeSelector, then requiredDuringSchedulingIgnoredDuringExecution.
bool affinity_matches(const json& spec, const NodeSpec& node) {
  const std::map<std::string, std::string> labels = node_labels(node);
  const json& selector = member(spec, "nodeSelector");
  if (selector.is_object())
    for (const auto& [k, v] : selector.items()) {
      auto it = labels.find(k);
      if (it == labels.end() || !v.is_string() || it->second != v.get<std::string>()) return false;
    }
  const json& required =
      member(member(member(spec, "affinity"), "nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution");
  const json& terms = member(required, "nodeSelectorTerms");
  if (!terms.is_array()) return true;
  return std::any_of(terms.begin(), terms.end(), [&](const json& t) { return term_matches(t, node, labels); });
}

// The message of a TaintToleration rejection (tainttoleration/taint_toleration.go).
std::string taint_reason(const Taint& taint, int minor) {
  if (minor <= 23) return "node(s) had taint {" + taint.key + ": " + taint.value + "}, that the pod didn't tolerate";
  if (minor >= 35) return "node(s) had untolerated taint(s)";
  return "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}";
}

// "N reason" entries sorted as strings (sort.Strings over the whole entry) and joined.
std::string histogram(const std::map<std::string, int>& reasons) {
  std::vector<std::string> entries;
  for (const auto& [reason, count] : reasons) entries.push_back(std::to_string(count) + " " + reason);
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? ", " : "") + entries[i];
  return out;
}

// FitError.Error() (pkg/scheduler/framework/types.go) by release; post is the PostFilter message.
std::string fit_error(size_t nodes, const std::map<std::string, int>& reasons, const std::string& post, int minor) {
  const std::string head = "0/" + std::to_string(nodes) + " nodes are available:";
  const std::string h = histogram(reasons);
  if (minor <= 23) return head + " " + h + ".";
  if (minor <= 25) return head + " " + h + "." + (post.empty() ? "" : " " + post);
  if (minor <= 28) return head + (h.empty() ? "" : " " + h + ".") + (post.empty() ? "" : " " + post + ".");
  return head + " " + h + "." + (post.empty() ? "" : " " + post);
}

EventSubject scheduling_subject(const json& pod) {
  const json& meta = member(pod, "metadata");
  EventSubject s;
  s.ns = text(meta, "namespace");
  s.name = text(meta, "name");
  s.uid = text(meta, "uid");
  s.resource_version = text(meta, "resourceVersion");
  return s;
}

}  // namespace

Resources pod_requests(const json& pod) {
  const json& spec = member(pod, "spec");
  Resources sum;
  if (member(spec, "containers").is_array())
    for (const auto& c : spec["containers"]) sum.add(container_requests(c));
  if (member(spec, "initContainers").is_array())
    for (const auto& c : spec["initContainers"]) take_max(sum, container_requests(c));
  sum.pods = 1;
  return sum;
}

std::optional<NodeFailure> filter_node(const json& pod, const Resources& request, const NodeView& view, int minor) {
  const NodeSpec& node = *view.node;
  const json& spec = member(pod, "spec");
  const json& tolerations = member(spec, "tolerations");
  // NodeUnschedulable (nodeunschedulable/node_unschedulable.go).
  if (node.unschedulable && !tolerates(tolerations, {"node.kubernetes.io/unschedulable", "", "NoSchedule"}))
    return NodeFailure{{"node(s) were unschedulable"}, true};
  // TaintToleration: the first untolerated NoSchedule/NoExecute taint.
  for (const Taint& t : effective_taints(node)) {
    if (t.effect != "NoSchedule" && t.effect != "NoExecute") continue;
    if (!tolerates(tolerations, t)) return NodeFailure{{taint_reason(t, minor)}, true};
  }
  // NodeAffinity (nodeaffinity/node_affinity.go ErrReasonPod).
  if (!affinity_matches(spec, node)) return NodeFailure{{"node(s) didn't match Pod's node affinity/selector"}, true};
  // NodeResourcesFit (noderesources/fit.go): pods, cpu, memory, ephemeral-storage, then extended resources.
  NodeFailure fit;
  const Resources& alloc = view.allocatable;
  const Resources& used = view.requested;
  if (used.pods + 1 > alloc.pods) fit.reasons.push_back("Too many pods");
  const bool asks = request.milli_cpu || request.memory || request.ephemeral_storage || !request.scalar.empty();
  if (asks) {
    if (request.milli_cpu > 0 && request.milli_cpu > alloc.milli_cpu - used.milli_cpu)
      fit.reasons.push_back("Insufficient cpu");
    if (request.memory > 0 && request.memory > alloc.memory - used.memory) fit.reasons.push_back("Insufficient memory");
    if (request.ephemeral_storage > 0 && request.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage)
      fit.reasons.push_back("Insufficient ephemeral-storage");
    // Go iterates the scalar map in random order; names are sorted here so runs repeat.
    for (const auto& [name, amount] : request.scalar) {
      auto a = alloc.scalar.find(name);
      auto u = used.scalar.find(name);
      const int64_t free = (a == alloc.scalar.end() ? 0 : a->second) - (u == used.scalar.end() ? 0 : u->second);
      if (amount > 0 && amount > free) fit.reasons.push_back("Insufficient " + name);
    }
  }
  if (!fit.reasons.empty()) return fit;
  return std::nullopt;
}

std::string fit_error_message(const json& pod, const std::vector<NodeFailure>& failures, int minor) {
  // pkg/scheduler/scheduler.go ErrNoNodesAvailable.
  if (failures.empty()) return "no nodes available to schedule pods";
  std::map<std::string, int> reasons, preemption;
  for (const NodeFailure& f : failures) {
    for (const auto& r : f.reasons) ++reasons[r];
    // pkg/scheduler/framework/preemption/preemption.go and defaultpreemption/default_preemption.go.
    ++preemption[f.unresolvable ? "Preemption is not helpful for scheduling"
                                : "No preemption victims found for incoming pod"];
  }
  std::string post;
  if (minor >= 24) {
    if (text(member(pod, "spec"), "preemptionPolicy") == "Never")
      post = "preemption: not eligible due to preemptionPolicy=Never.";
    else
      post = "preemption: " + fit_error(failures.size(), preemption, "", minor);
  }
  return fit_error(failures.size(), reasons, post, minor);
}

ScheduleOutcome schedule_pod(const json& pod, const std::vector<NodeView>& nodes, int minor) {
  const Resources request = pod_requests(pod);
  std::vector<NodeFailure> failures;
  for (const NodeView& view : nodes) {
    auto failure = filter_node(pod, request, view, minor);
    if (!failure) return {view.node->name, {}};
    failures.push_back(*failure);
  }
  return {{}, fit_error_message(pod, failures, minor)};
}

void Scheduler::add_node(NodeSpec node, TimePoint at) {
  if (node.address.empty()) node.address = "10.0.0." + std::to_string(10 + nodes_.size());
  nodes_.push_back({std::move(node), at});
}

void Scheduler::add_group(NodeGroup group) { groups_.push_back(std::move(group)); }

const Placement* Scheduler::placement(const std::string& uid) const {
  auto it = placements_.find(uid);
  return it == placements_.end() ? nullptr : &it->second;
}

std::vector<NodeView> Scheduler::views() const {
  std::vector<NodeView> out;
  for (const Member& m : nodes_) {
    if (gone_.count(m.node.name)) continue;
    NodeView v;
    auto disrupted = disrupted_.find(m.node.name);
    v.node = disrupted == disrupted_.end() ? &m.node : &disrupted->second;
    v.allocatable = parse_resources(allocatable_of(m.node)).value();
    v.requested = parse_resources(m.node.used).value();
    for (const auto& [uid, p] : placements_)
      if (p.bound && p.node == m.node.name) v.requested.add(bound_requests_.at(uid));
    out.push_back(std::move(v));
  }
  return out;
}

void Scheduler::disrupt_node(const std::string& name, bool unschedulable, bool unreachable, bool gone, TimePoint at,
                             EventLog& events, const std::string& rv) {
  auto m = std::find_if(nodes_.begin(), nodes_.end(), [&name](const Member& n) { return n.node.name == name; });
  if (m == nodes_.end()) return;
  NodeSpec& node = disrupted_.try_emplace(name, m->node).first->second;
  if (unschedulable) node.unschedulable = true;
  // pkg/controller/nodelifecycle/node_lifecycle_controller.go: an unknown Ready condition taints the node
  // node.kubernetes.io/unreachable (NoSchedule through TaintNodesByCondition, NoExecute for eviction).
  if (unreachable) node.taints.push_back({"node.kubernetes.io/unreachable", "", "NoSchedule"});
  if (gone) gone_.insert(name);
  // A node update moves the unschedulable pods back to the active queue (scheduling_queue.go
  // MoveAllToActiveOrBackoffQueue).
  retry_waiting(at, events, rv);
}

void Scheduler::admit(const json& pod, TimePoint now, EventLog& events, const std::string& rv) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  const std::string named = text(member(pod, "spec"), "nodeName");
  if (!named.empty()) {
    // A pod that names its node never reaches the scheduler.
    Placement p{true, named, "", now, ""};
    for (const Member& m : nodes_)
      if (m.node.name == named) p.host_ip = m.node.address;
    placements_[uid] = p;
    bound_requests_[uid] = pod_requests(pod);
    return;
  }
  waiting_[uid] = {pod, false};
  queue_.push_back(uid);
  attempt(uid, now, events, rv);
}

void Scheduler::release(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv) {
  auto it = placements_.find(uid);
  if (it == placements_.end()) return;
  const bool was_bound = it->second.bound;
  placements_.erase(it);
  bound_requests_.erase(uid);
  waiting_.erase(uid);
  queue_.erase(std::remove(queue_.begin(), queue_.end(), uid), queue_.end());
  if (was_bound) retry_waiting(now, events, rv);
}

void Scheduler::advance(TimePoint now, EventLog& events, const std::string& rv) {
  while (true) {
    auto next = std::min_element(scale_ups_.begin(), scale_ups_.end(),
                                 [](const ScaleUp& a, const ScaleUp& b) { return a.due < b.due; });
    // The waiting pod due for a flush first (queue order breaks ties).
    std::string flush_uid;
    TimePoint flush_at = TimePoint::max();
    for (const std::string& uid : queue_) {
      const TimePoint at = waiting_.at(uid).last_attempt + kUnschedulableFlush;
      if (at < flush_at) flush_at = at, flush_uid = uid;
    }
    const bool node_first = next != scale_ups_.end() && next->due <= flush_at;
    if (!node_first) {
      if (flush_uid.empty() || flush_at > now) return;
      attempt(flush_uid, flush_at, events, rv);
      continue;
    }
    if (next->due > now) return;
    const ScaleUp due = *next;
    scale_ups_.erase(next);
    NodeGroup& group = groups_[due.group];
    NodeSpec node = group.node;
    node.name = group.name + "-" + std::to_string(++group.size);
    add_node(std::move(node), due.due);
    retry_waiting(due.due, events, rv);
  }
}

void Scheduler::retry_waiting(TimePoint now, EventLog& events, const std::string& rv) {
  const std::vector<std::string> queue = queue_;
  for (const std::string& uid : queue) attempt(uid, now, events, rv);
}

void Scheduler::attempt(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv) {
  auto w = waiting_.find(uid);
  if (w == waiting_.end()) return;
  const json& pod = w->second.pod;
  const ScheduleOutcome outcome = schedule_pod(pod, views(), minor_);
  const EventSubject subject = scheduling_subject(pod);
  if (!outcome.node.empty()) {
    Placement p{true, outcome.node, "", now, ""};
    for (const Member& m : nodes_)
      if (m.node.name == outcome.node) p.host_ip = m.node.address;
    placements_[uid] = p;
    bound_requests_[uid] = pod_requests(pod);
    // schedule_one.go: "Successfully assigned %v/%v to %v", Normal Scheduled, action Binding.
    events.record_series(
        subject,
        {"Normal", "Scheduled", "Successfully assigned " + subject.ns + "/" + subject.name + " to " + outcome.node,
         "Binding", kScheduler, kSchedulerInstance},
        now, rv);
    waiting_.erase(uid);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), uid), queue_.end());
    return;
  }
  w->second.last_attempt = now;
  auto [it, first] = placements_.try_emplace(uid, Placement{false, "", "", now, outcome.message});
  if (!first) it->second.message = outcome.message;
  // schedule_one.go handleSchedulingFailure: Warning FailedScheduling, action Scheduling, truncated note.
  events.record_series(subject,
                       {"Warning", "FailedScheduling", truncate_event_note(outcome.message), "Scheduling", kScheduler,
                        kSchedulerInstance},
                       now, rv);
  try_scale_up(uid, now, events, rv);
}

void Scheduler::try_scale_up(const std::string& uid, TimePoint now, EventLog& events, const std::string& rv) {
  Waiting& w = waiting_.at(uid);
  if (groups_.empty() || w.scale_up_triggered) return;
  std::map<std::string, int> reasons;
  for (size_t i = 0; i < groups_.size(); ++i) {
    NodeGroup& g = groups_[i];
    const int in_flight = static_cast<int>(
        std::count_if(scale_ups_.begin(), scale_ups_.end(), [&](const ScaleUp& s) { return s.group == i; }));
    const int current = g.size + in_flight;
    if (current >= g.max_size) {
      // core/scaleup/orchestrator/skippedreasons.go.
      ++reasons["max node group size reached"];
      continue;
    }
    NodeSpec templ = g.node;
    templ.name = g.name + "-template";
    NodeView view;
    view.node = &templ;
    view.allocatable = parse_resources(allocatable_of(templ)).value();
    view.requested = parse_resources(templ.used).value();
    if (auto failure = filter_node(w.pod, pod_requests(w.pod), view, minor_)) {
      for (const auto& r : failure->reasons) ++reasons[r];
      continue;
    }
    scale_ups_.push_back({i, now + g.scale_up});
    w.scale_up_triggered = true;
    // processors/status/eventing_scale_up_processor.go; ScaleUpInfo.String() is "{%v %v->%v (max: %v)}".
    const std::string info = "{" + g.name + " " + std::to_string(current) + "->" + std::to_string(current + 1) +
                             " (max: " + std::to_string(g.max_size) + ")}";
    events.record_legacy(scheduling_subject(w.pod),
                         {"Normal", "TriggeredScaleUp", "pod triggered scale-up: [" + info + "]", "", kAutoscaler, ""},
                         now, rv);
    return;
  }
  // NotTriggerScaleUp: "%d %s" per reason over node groups, joined ", " (Go map order upstream; sorted here).
  std::string joined;
  for (const auto& [reason, count] : reasons)
    joined += (joined.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  events.record_legacy(scheduling_subject(w.pod),
                       {"Normal", "NotTriggerScaleUp", "pod didn't trigger scale-up: " + joined, "", kAutoscaler, ""},
                       now, rv);
}

}  // namespace kexsim::fakes

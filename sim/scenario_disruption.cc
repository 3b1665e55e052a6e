#include "sim/scenario_disruption.h"

#include <chrono>
#include <string>

namespace kexsim::sim {
namespace {

Duration from_seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

// A number of seconds >= 0 at key, or the loader's error; false when absent or invalid.
bool get_seconds(TomlTable& t, const char* key, double& out) {
  if (!t.get(key, out)) return false;
  if (out < 0) {
    t.context().fail(t.node(key)->source(), t.path(key) + ": expected a number of seconds >= 0",
                     "write a virtual time such as " + std::string(key) + " = 12");
    return false;
  }
  return true;
}

}  // namespace

void read_disruption_keys(TomlTable& t, Scenario& s) {
  for (const toml::table* entry : t.tables("disruptions")) {
    TomlTable d(*entry, t.path("disruptions"), t.context());
    fakes::DisruptionPlan plan;
    std::string action;
    if (d.require("action", "say what disrupts the pod: evict, delete, drain, node_lost or preempt") &&
        d.get("action", action)) {
      if (auto parsed = fakes::parse_disruption_action(action)) {
        plan.action = *parsed;
      } else {
        d.context().fail(
            d.node("action")->source(),
            d.path("action") + ": expected evict, delete, drain, node_lost or preempt, got \"" + action + "\"",
            "evict (Eviction API), delete (kubectl delete pod), drain (cordon + evict), node_lost (spot "
            "reclaim), preempt (scheduler preemption)");
      }
    }
    double at = 0, after = 0;
    const bool timed = get_seconds(d, "at_seconds", at);
    d.get("on_output", plan.on_output);
    const bool delayed = get_seconds(d, "after_seconds", after);
    if (timed) plan.at = from_seconds(at);
    plan.after = from_seconds(after);
    const bool has_at = d.node("at_seconds") != nullptr, has_output = d.node("on_output") != nullptr;
    if (!has_at && !has_output)
      d.context().fail(entry->source(), t.path("disruptions") + ": a disruption needs a trigger",
                       "give at_seconds = 12 (virtual time) or on_output = \"text the job prints\"");
    if (has_at && has_output)
      d.context().fail(d.node("on_output")->source(), d.path("on_output") + ": give at_seconds or on_output, not both",
                       "at_seconds fires at a virtual time, on_output when a container of the pod prints the text");
    if (delayed && plan.on_output.empty())
      d.context().fail(d.node("after_seconds")->source(), d.path("after_seconds") + ": only counts from on_output",
                       "add at_seconds' delay to at_seconds itself");
    int64_t grace = 0;
    if (d.get("grace_period_seconds", grace)) {
      if (plan.action == fakes::DisruptionAction::kNodeLost)
        d.context().fail(d.node("grace_period_seconds")->source(),
                         d.path("grace_period_seconds") + ": a lost node stops nothing gracefully",
                         "drop grace_period_seconds, or use drain for a node taken down in order");
      plan.grace_period_seconds = grace;
    }
    d.get("pod", plan.pod);
    if (d.get("preemptor", plan.preemptor) && plan.action != fakes::DisruptionAction::kPreempt)
      d.context().fail(d.node("preemptor")->source(), d.path("preemptor") + ": only preempt has a preemptor",
                       "set action = \"preempt\" or drop preemptor");
    d.reject_unread();
    s.disruptions.push_back(std::move(plan));
  }
}

}  // namespace kexsim::sim

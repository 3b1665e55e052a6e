#include "fakes/kube/table.h"

#include <algorithm>

#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using json_fields::text;
using nlohmann::json;

json column(const char* name, const char* description, int priority = 0, const char* format = "") {
  return {{"name", name}, {"type", "string"}, {"format", format}, {"description", description}, {"priority", priority}};
}

// The age of an RFC 3339 timestamp at now, or "<unknown>" (translateTimestampSince).
std::string age(const std::string& timestamp, TimePoint now) {
  TimePoint at;
  if (timestamp.empty() || !parse_rfc3339(timestamp, at)) return "<unknown>";
  return human_duration(now - at);
}

json row(json cells, const json& object) {
  json meta = object.contains("metadata") ? object["metadata"] : json::object();
  return {{"cells", std::move(cells)},
          {"object", {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta}}}};
}

json table(json columns, json rows, const std::string& rv) {
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", {{"resourceVersion", rv}}},
          {"columnDefinitions", std::move(columns)},
          {"rows", std::move(rows)}};
}

}  // namespace

bool wants_table(const std::string& accept) { return accept.find("as=Table") != std::string::npos; }

std::string human_duration(Duration d) {
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return std::to_string(seconds) + "s";
  const long long minutes = seconds / 60;
  if (minutes < 10) return std::to_string(minutes) + "m" + (seconds % 60 ? std::to_string(seconds % 60) + "s" : "");
  if (minutes < 180) return std::to_string(minutes) + "m";
  const long long hours = minutes / 60;
  if (hours < 8) return std::to_string(hours) + "h" + (minutes % 60 ? std::to_string(minutes % 60) + "m" : "");
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) return std::to_string(hours / 24) + "d" + (hours % 24 ? std::to_string(hours % 24) + "h" : "");
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const long long days = (hours / 24) % 365;
    return std::to_string(hours / 24 / 365) + "y" + (days ? std::to_string(days) + "d" : "");
  }
  return std::to_string(hours / 24 / 365) + "y";
}

json node_table(const std::vector<json>& nodes, TimePoint now, const std::string& rv) {
  // printNode: Ready/NotReady/Unknown (+ ",SchedulingDisabled"), roles from node-role.kubernetes.io/* labels.
  json columns = json::array(
      {column("Name", "Name must be unique within a namespace.", 0, "name"), column("Status", "The status of the node"),
       column("Roles", "The roles of the node"),
       column("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
       column("Version", "Kubelet Version reported by the node."),
       column("Internal-IP", "List of addresses reachable to the node.", 1),
       column("External-IP", "List of addresses reachable to the node.", 1),
       column("OS-Image", "OS Image reported by the node from /etc/os-release.", 1),
       column("Kernel-Version", "Kernel Version reported by the node.", 1),
       column("Container-Runtime", "ContainerRuntime Version reported by the node.", 1)});
  json rows = json::array();
  for (const json& n : nodes) {
    std::string status = "Unknown";
    for (const auto& c : n["status"]["conditions"])
      if (c["type"] == "Ready") status = c["status"] == "True" ? "Ready" : "NotReady";
    if (n["spec"].value("unschedulable", false)) status += ",SchedulingDisabled";
    std::vector<std::string> roles;
    for (const auto& [k, v] : n["metadata"]["labels"].items()) {
      if (starts_with(k, "node-role.kubernetes.io/")) roles.push_back(k.substr(24));
      if (k == "kubernetes.io/role" && v.is_string()) roles.push_back(v.get<std::string>());
    }
    std::sort(roles.begin(), roles.end());
    std::string role_text;
    for (const auto& r : roles) role_text += (role_text.empty() ? "" : ",") + r;
    std::string internal = "<none>", external = "<none>";
    for (const auto& a : n["status"]["addresses"]) {
      if (a["type"] == "InternalIP" && internal == "<none>") internal = a["address"];
      if (a["type"] == "ExternalIP" && external == "<none>") external = a["address"];
    }
    const json& info = n["status"]["nodeInfo"];
    rows.push_back(
        row({text(n["metadata"], "name"), status, role_text.empty() ? "<none>" : role_text,
             age(text(n["metadata"], "creationTimestamp"), now), text(info, "kubeletVersion"), internal, external,
             text(info, "osImage"), text(info, "kernelVersion"), text(info, "containerRuntimeVersion")},
            n));
  }
  return table(std::move(columns), std::move(rows), rv);
}

json event_table(const std::vector<json>& events, TimePoint now, const std::string& rv) {
  // printEvent: FIRST SEEN falls back to eventTime, LAST SEEN to series.lastObservedTime, then FIRST SEEN.
  json columns = json::array(
      {column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
       column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
       column("Reason",
              "This should be a short, machine understandable string that gives the reason for the transition into the "
              "object's current status."),
       column("Object", "The object that this event is about."),
       column("Subobject", "If the reference is to an object component, the field path.", 1),
       column("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
       column("Message", "A human-readable description of the status of this operation."),
       column("First Seen", "The time at which the event was first recorded.", 1),
       column("Count", "The number of times this event has occurred.", 1),
       column("Name", "Name must be unique within a namespace.", 1, "name")});
  json rows = json::array();
  for (const json& e : events) {
    const std::string first_ts = !text(e, "firstTimestamp").empty() ? text(e, "firstTimestamp") : text(e, "eventTime");
    std::string last_ts = !text(e, "lastTimestamp").empty() ? text(e, "lastTimestamp") : first_ts;
    long long count = e.contains("count") && e["count"].is_number() ? e["count"].get<long long>() : 1;
    if (e.contains("series") && e["series"].is_object()) {
      last_ts = text(e["series"], "lastObservedTime");
      count = e["series"].value("count", 1LL);
    }
    const json& source = e.contains("source") ? e["source"] : json::object();
    std::string component = text(source, "component");
    if (component.empty()) component = text(e, "reportingComponent");
    std::string host = text(source, "host");
    if (host.empty()) host = text(e, "reportingInstance");
    const json& obj = e["involvedObject"];
    std::string kind = text(obj, "kind");
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
    rows.push_back(row({age(last_ts, now), text(e, "type"), text(e, "reason"), kind + "/" + text(obj, "name"),
                        text(obj, "fieldPath"), host.empty() ? component : component + ", " + host,
                        trim(text(e, "message")), age(first_ts, now), count, text(e["metadata"], "name")},
                       e));
  }
  return table(std::move(columns), std::move(rows), rv);
}

namespace {

const json& field(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

bool json_true(const json& value) { return value.is_boolean() && value.get<bool>(); }

int restart_count(const json& status) {
  const json& n = field(status, "restartCount");
  return n.is_number_integer() ? n.get<int>() : 0;
}

// A later lastState.terminated.finishedAt (RFC 3339 text compares in time order here: one format, UTC).
void note_last_restart(const json& status, std::string& latest) {
  const std::string at = text(field(field(status, "lastState"), "terminated"), "finishedAt");
  if (at > latest) latest = at;
}

// podutil.IsRestartableInitContainer: an init container with restartPolicy Always (a native sidecar).
bool restartable_init(const json& spec, const std::string& name) {
  for (const json& c : field(spec, "initContainers"))
    if (text(c, "name") == name) return text(c, "restartPolicy") == "Always";
  return false;
}

// "Init:" or "" + the terminated state's reason, else Signal:N / ExitCode:N.
std::string terminated_reason(const json& terminated, const char* prefix) {
  const std::string reason = text(terminated, "reason");
  if (!reason.empty()) return prefix + reason;
  const json& signal = field(terminated, "signal");
  if (signal.is_number_integer() && signal.get<int>() != 0)
    return prefix + ("Signal:" + std::to_string(signal.get<int>()));
  const json& code = field(terminated, "exitCode");
  return prefix + ("ExitCode:" + std::to_string(code.is_number_integer() ? code.get<int>() : 0));
}

bool condition_true(const json& status, const char* type) {
  for (const json& c : field(status, "conditions"))
    if (text(c, "type") == type) return text(c, "status") == "True";
  return false;
}

}  // namespace

json pod_cells(const json& pod, TimePoint now) {
  // printPod (pkg/printers/internalversion/printers.go, 1.29–1.33).
  const json& spec = field(pod, "spec");
  const json& status = field(pod, "status");
  const json& meta = field(pod, "metadata");
  int restarts = 0, sidecar_restarts = 0, ready = 0;
  int total = field(spec, "containers").is_array() ? static_cast<int>(spec["containers"].size()) : 0;
  std::string last_restart, last_sidecar_restart;
  const std::string phase = text(status, "phase");
  std::string reason = !text(status, "reason").empty() ? text(status, "reason") : phase;
  for (const json& c : field(status, "conditions"))
    if (text(c, "type") == "PodScheduled" && text(c, "reason") == "SchedulingGated") reason = "SchedulingGated";
  const int init_count = field(spec, "initContainers").is_array() ? static_cast<int>(spec["initContainers"].size()) : 0;
  for (const json& c : field(spec, "initContainers"))
    if (text(c, "restartPolicy") == "Always") ++total;

  bool initializing = false;
  const json& init_statuses = field(status, "initContainerStatuses");
  for (size_t i = 0; init_statuses.is_array() && i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const bool sidecar = restartable_init(spec, text(c, "name"));
    restarts += restart_count(c);
    note_last_restart(c, last_restart);
    if (sidecar) {
      sidecar_restarts += restart_count(c);
      note_last_restart(c, last_sidecar_restart);
    }
    const json& state = field(c, "state");
    const json& terminated = field(state, "terminated");
    const json& waiting = field(state, "waiting");
    if (terminated.is_object() && field(terminated, "exitCode") == 0) continue;
    if (sidecar && json_true(field(c, "started"))) {
      if (json_true(field(c, "ready"))) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      reason = terminated_reason(terminated, "Init:");
    } else if (waiting.is_object() && !text(waiting, "reason").empty() &&
               text(waiting, "reason") != "PodInitializing") {
      reason = "Init:" + text(waiting, "reason");
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
    }
    initializing = true;
    break;
  }

  if (!initializing || condition_true(status, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const json& statuses = field(status, "containerStatuses");
    for (size_t k = statuses.is_array() ? statuses.size() : 0; k-- > 0;) {
      const json& c = statuses[k];
      restarts += restart_count(c);
      note_last_restart(c, last_restart);
      const json& state = field(c, "state");
      const json& waiting = field(state, "waiting");
      const json& terminated = field(state, "terminated");
      if (waiting.is_object() && !text(waiting, "reason").empty()) {
        reason = text(waiting, "reason");
      } else if (terminated.is_object()) {
        reason = terminated_reason(terminated, "");
      } else if (json_true(field(c, "ready")) && field(state, "running").is_object()) {
        has_running = true;
        ++ready;
      }
    }
    // At least one container still running turns "Completed" back into Running (or NotReady).
    if (reason == "Completed" && has_running) reason = condition_true(status, "Ready") ? "Running" : "NotReady";
  }
  const bool deleting = field(meta, "deletionTimestamp").is_string();
  if (deleting && text(status, "reason") == "NodeLost") {
    reason = "Unknown";  // pkg/util/node NodeUnreachablePodReason
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }
  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && !last_restart.empty()) restarts_text += " (" + age(last_restart, now) + " ago)";

  std::string ip = "<none>";
  const json& ips = field(status, "podIPs");
  if (ips.is_array() && !ips.empty() && !text(ips[0], "ip").empty()) ip = text(ips[0], "ip");
  const std::string node = text(spec, "nodeName"), nominated = text(status, "nominatedNodeName");
  std::string gates = "<none>";
  if (field(spec, "readinessGates").is_array() && !spec["readinessGates"].empty()) {
    int met = 0;
    for (const json& gate : spec["readinessGates"])
      for (const json& c : field(status, "conditions"))
        if (text(c, "type") == text(gate, "conditionType")) {
          if (text(c, "status") == "True") ++met;
          break;
        }
    gates = std::to_string(met) + "/" + std::to_string(spec["readinessGates"].size());
  }
  return json::array({text(meta, "name"), std::to_string(ready) + "/" + std::to_string(total), reason, restarts_text,
                      age(text(meta, "creationTimestamp"), now), ip, node.empty() ? "<none>" : node,
                      nominated.empty() ? "<none>" : nominated, gates});
}

json pod_table(const std::vector<json>& pods, TimePoint now, const std::string& rv) {
  // podColumnDefinitions (AddHandlers); the wide columns' descriptions (swagger docs) are left out:
  // kubectl prints only the names.
  json columns = json::array(
      {column("Name", "Name must be unique within a namespace.", 0, "name"),
       column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
       column("Status", "The aggregate status of the containers in this pod."),
       column("Restarts",
              "The number of times the containers in this pod have been restarted and when the last container in this "
              "pod has restarted."),
       column("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
       column("IP", "", 1), column("Node", "", 1), column("Nominated Node", "", 1), column("Readiness Gates", "", 1)});
  json rows = json::array();
  for (const json& p : pods) {
    json r = row(pod_cells(p, now), p);
    // printPod's row conditions: Completed for Succeeded and Failed pods (kubectl hides them without -a).
    const std::string phase = text(field(p, "status"), "phase");
    if (phase == "Succeeded" || phase == "Failed")
      r["conditions"] = json::array(
          {{{"type", "Completed"},
            {"status", "True"},
            {"reason", phase},
            {"message", phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed."}}});
    rows.push_back(std::move(r));
  }
  return table(std::move(columns), std::move(rows), rv);
}

}  // namespace kexsim::fakes

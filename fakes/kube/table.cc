#include "fakes/kube/table.h"

#include <algorithm>

#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

json column(const char* name, const char* description, int priority = 0, const char* format = "") {
  return {{"name", name}, {"type", "string"}, {"format", format}, {"description", description}, {"priority", priority}};
}

std::string text(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
  return object[key].get<std::string>();
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

}  // namespace kexsim::fakes

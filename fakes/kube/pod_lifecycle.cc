#include "fakes/kube/pod_lifecycle.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/hash.h"
#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;

std::vector<std::string> container_names(const json& containers) {
  std::vector<std::string> names;
  if (!containers.is_array()) return names;
  for (const auto& c : containers) names.push_back(member(c, "name").is_string() ? c["name"].get<std::string>() : "");
  return names;
}

json pod_condition(const char* type, bool status, TimePoint since, const std::string& reason = {},
                   const std::string& message = {}) {
  json c = {{"type", type},
            {"status", status ? "True" : "False"},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", format_rfc3339(since)}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

// 64 hex digits derived from text: stable stand-ins for container and image digests.
std::string digest(const std::string& text) {
  uint64_t state = fnv1a(text);
  std::string out;
  for (int i = 0; i < 4; ++i) out += hex64(splitmix64(state));
  return out;
}

std::string image_of(const json& container) {
  const json& image = member(container, "image");
  return image.is_string() ? image.get<std::string>() : std::string();
}

std::string image_id(const std::string& image) {
  const size_t colon = image.rfind(':');
  const bool tagged = colon != std::string::npos && image.find('/', colon) == std::string::npos;
  return (tagged ? image.substr(0, colon) : image) + "@sha256:" + digest(image);
}

json waiting_status(const json& container, const std::string& reason, const std::string& message = {}) {
  json waiting = {{"reason", reason}};
  if (!message.empty()) waiting["message"] = message;
  return {{"name", member(container, "name")},
          {"image", image_of(container)},
          {"imageID", ""},
          {"ready", false},
          {"restartCount", 0},
          {"started", false},
          {"state", {{"waiting", waiting}}},
          {"lastState", json::object()}};
}

// The image model's view of one container: nullptr when pulls are not modelled.
const ContainerImageState* image_state(const PodImageStates* images, const json& container) {
  if (!images) return nullptr;
  auto it = images->find(member(container, "name").is_string() ? container["name"].get<std::string>() : "");
  return it == images->end() ? nullptr : &it->second;
}

json started_status(const json& container, const std::string& uid, TimePoint at, bool init) {
  const std::string name = member(container, "name").is_string() ? container["name"].get<std::string>() : "";
  const std::string id = "containerd://" + digest(uid + "/" + name);
  json state;
  if (init) {
    state["terminated"] = {{"exitCode", 0},
                           {"reason", "Completed"},
                           {"startedAt", format_rfc3339(at)},
                           {"finishedAt", format_rfc3339(at)},
                           {"containerID", id}};
  } else {
    state["running"] = {{"startedAt", format_rfc3339(at)}};
  }
  return {{"name", name},
          {"image", image_of(container)},
          {"imageID", image_id(image_of(container))},
          {"containerID", id},
          {"ready", true},
          {"restartCount", 0},
          {"started", !init},
          {"state", state},
          {"lastState", json::object()}};
}

// The kubelet reports container statuses sorted by container name.
json sorted_by_name(json statuses) {
  std::sort(statuses.begin(), statuses.end(),
            [](const json& a, const json& b) { return a.value("name", "") < b.value("name", ""); });
  return statuses;
}

bool has_resources(const json& container) {
  const json& r = member(container, "resources");
  return (member(r, "requests").is_object() && !r["requests"].empty()) ||
         (member(r, "limits").is_object() && !r["limits"].empty());
}

// Guaranteed needs cpu and memory limits on every container, with requests (if given) equal to them.
bool guaranteed(const json& container) {
  const json& r = member(container, "resources");
  const json& limits = member(r, "limits");
  const json& requests = member(r, "requests");
  for (const char* res : {"cpu", "memory"}) {
    if (!member(limits, res).is_string() && !member(limits, res).is_number()) return false;
    const json& req = member(requests, res);
    if (!req.is_null() && req != limits[res]) return false;
  }
  return true;
}

}  // namespace

std::string pod_qos_class(const json& pod) {
  const json& spec = member(pod, "spec");
  std::vector<const json*> all;
  for (const char* list : {"initContainers", "containers"})
    if (member(spec, list).is_array())
      for (const auto& c : spec[list]) all.push_back(&c);
  if (std::none_of(all.begin(), all.end(), [](const json* c) { return has_resources(*c); })) return "BestEffort";
  if (std::all_of(all.begin(), all.end(), [](const json* c) { return guaranteed(*c); })) return "Guaranteed";
  return "Burstable";
}

json pod_status(const json& pod, TimePoint created, TimePoint now, const PodTiming& timing, const std::string& pod_ip,
                const PodImageStates* images) {
  const json& spec = member(pod, "spec");
  const json& containers = member(spec, "containers");
  const json& init_containers = member(spec, "initContainers");
  const bool has_init = init_containers.is_array() && !init_containers.empty();
  TimePoint ready_at = created + timing.pending;
  bool running = !timing.never_start && now >= ready_at;
  // Containers start once their images are present (the image model's pulls, fakes/kube/images.h).
  if (images && !images->empty()) {
    for (const char* list : {"initContainers", "containers"})
      if (member(spec, list).is_array())
        for (const auto& c : spec[list]) {
          const ContainerImageState* state = image_state(images, c);
          if (!state) continue;
          if (!state->present) {
            running = false;
          } else if (state->since > ready_at) {
            ready_at = state->since;
          }
        }
    if (now < ready_at) running = false;
  }

  json status = json::object();
  status["hostIP"] = timing.host_ip;
  status["hostIPs"] = json::array({{{"ip", timing.host_ip}}});
  status["startTime"] = format_rfc3339(created);
  status["qosClass"] = pod_qos_class(pod);

  if (!running) {
    // A container whose image is present runs before the others (the kubelet starts what it can).
    const std::string uid =
        member(member(pod, "metadata"), "uid").is_string() ? pod["metadata"]["uid"].get<std::string>() : std::string();
    auto started_early = [&](const json& c) {
      const ContainerImageState* state = image_state(images, c);
      return state && state->present && !timing.never_start && now >= std::max(created + timing.pending, state->since);
    };
    std::vector<std::string> not_ready;
    if (containers.is_array())
      for (const auto& c : containers)
        if (!started_early(c) || has_init)
          not_ready.push_back(member(c, "name").is_string() ? c["name"].get<std::string>() : "");
    const std::string unready =
        "containers with unready status: " + go_list(images ? not_ready : container_names(containers));
    status["phase"] = "Pending";
    status["conditions"] = json::array(
        {pod_condition("PodReadyToStartContainers", false, created),
         has_init ? pod_condition("Initialized", false, created, "ContainersNotInitialized",
                                  "containers with incomplete status: " + go_list(container_names(init_containers)))
                  : pod_condition("Initialized", true, created),
         pod_condition("Ready", false, created, "ContainersNotReady", unready),
         pod_condition("ContainersReady", false, created, "ContainersNotReady", unready),
         pod_condition("PodScheduled", true, created)});
    const char* waiting = has_init ? "PodInitializing" : "ContainerCreating";
    auto container_status = [&](const json& c, const char* fallback) {
      const ContainerImageState* state = image_state(images, c);
      if (state && !state->reason.empty()) return waiting_status(c, state->reason, state->message);
      return waiting_status(c, fallback);
    };
    json statuses = json::array();
    if (containers.is_array())
      for (const auto& c : containers) {
        if (!has_init && started_early(c)) {
          statuses.push_back(
              started_status(c, uid, std::max(created + timing.pending, image_state(images, c)->since), false));
        } else {
          statuses.push_back(container_status(c, waiting));
        }
      }
    status["containerStatuses"] = sorted_by_name(statuses);
    if (has_init) {
      json init = json::array();
      for (const auto& c : init_containers) init.push_back(container_status(c, "PodInitializing"));
      status["initContainerStatuses"] = init;
    }
    return status;
  }

  const std::string uid =
      member(member(pod, "metadata"), "uid").is_string() ? pod["metadata"]["uid"].get<std::string>() : std::string();
  status["phase"] = "Running";
  status["podIP"] = pod_ip;
  status["podIPs"] = json::array({{{"ip", pod_ip}}});
  status["conditions"] = json::array(
      {pod_condition("PodReadyToStartContainers", true, ready_at),
       pod_condition("Initialized", true, has_init ? ready_at : created), pod_condition("Ready", true, ready_at),
       pod_condition("ContainersReady", true, ready_at), pod_condition("PodScheduled", true, created)});
  json statuses = json::array();
  if (containers.is_array())
    for (const auto& c : containers) statuses.push_back(started_status(c, uid, ready_at, false));
  status["containerStatuses"] = sorted_by_name(statuses);
  if (has_init) {
    json init = json::array();
    for (const auto& c : init_containers) init.push_back(started_status(c, uid, ready_at, true));
    status["initContainerStatuses"] = init;
  }
  return status;
}

json pod_with_status(const json& pod, TimePoint created, TimePoint now, const PodTiming& timing,
                     const std::string& pod_ip, const PodImageStates* images) {
  return with_status(pod, timing, pod_status(pod, created, now, timing, pod_ip, images));
}

json with_status(const json& pod, const PodTiming& timing, json status) {
  json out = pod;
  json& spec = out["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!spec.contains("nodeName") || !spec["nodeName"].is_string() || spec["nodeName"].get<std::string>().empty())
    spec["nodeName"] = timing.node_name;
  out["status"] = std::move(status);
  return out;
}

json unscheduled_pod(const json& pod, TimePoint since, const std::string& message) {
  json out = pod;
  if (out.contains("spec") && out["spec"].is_object()) out["spec"].erase("nodeName");
  json status = json::object();
  status["phase"] = "Pending";
  status["conditions"] = json::array({pod_condition("PodScheduled", false, since, "Unschedulable", message)});
  status["qosClass"] = pod_qos_class(pod);
  out["status"] = status;
  return out;
}

}  // namespace kexsim::fakes

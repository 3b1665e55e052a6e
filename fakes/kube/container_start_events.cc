#include "fakes/kube/container_start_events.h"

#include "base/clock.h"
#include "base/json_fields.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

std::string created_container_message(const std::string& container, int kubernetes_minor) {
  // pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer: "Created container %s" up to 1.30,
  // "Created container: %v" from 1.31 (k8s-cluster-messages.md §3.2).
  return (kubernetes_minor >= 31 ? "Created container: " : "Created container ") + container;
}

std::string started_container_message(const std::string& container) {
  // pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer: "Started container %s".
  return "Started container " + container;
}

void ContainerStartEvents::record(const json& pod, int kubernetes_minor, EventLog& events, const std::string& rv,
                                  std::optional<TimePoint> exact) {
  const json& meta = member(pod, "metadata");
  const json& status = member(pod, "status");
  EventSubject subject;
  subject.ns = text(meta, "namespace");
  subject.name = text(meta, "name");
  subject.uid = text(meta, "uid");
  subject.resource_version = text(meta, "resourceVersion");
  for (const auto& [list, path] : {std::pair{"initContainerStatuses", "spec.initContainers{"},
                                   std::pair{"containerStatuses", "spec.containers{"}}) {
    const json& statuses = member(status, list);
    if (!statuses.is_array()) continue;
    for (const json& c : statuses) {
      if (!c.contains("containerID")) continue;  // the runtime never created it
      const json& state = member(c, "state");
      std::string started = text(member(state, "running"), "startedAt");
      if (started.empty()) started = text(member(state, "terminated"), "startedAt");
      TimePoint at;
      if (started.empty() || !parse_rfc3339(started, at)) continue;
      if (exact && format_rfc3339(*exact) == started) at = *exact;
      const std::string name = text(c, "name");
      const int restarts = member(c, "restartCount").is_number_integer() ? c["restartCount"].get<int>() : 0;
      if (!recorded_.insert({subject.uid, name, restarts}).second) continue;
      subject.field_path = path + name + "}";
      // pkg/kubelet/events/event.go CreatedContainer, StartedContainer; the legacy recorder, source kubelet/<node>.
      const std::string node = text(member(pod, "spec"), "nodeName");
      events.record_legacy(
          subject, {"Normal", "Created", created_container_message(name, kubernetes_minor), "", "kubelet", node}, at,
          rv);
      events.record_legacy(subject, {"Normal", "Started", started_container_message(name), "", "kubelet", node}, at,
                           rv);
    }
  }
}

void ContainerStartEvents::forget(const std::string& uid) {
  recorded_.erase(recorded_.lower_bound({uid, std::string(), 0}),
                  recorded_.lower_bound({uid + '\x01', std::string(), 0}));
}

}  // namespace kexsim::fakes

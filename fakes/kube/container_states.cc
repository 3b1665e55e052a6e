#include "fakes/kube/container_states.h"

#include <algorithm>
#include <chrono>

#include "base/hash.h"
#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

// pkg/kubelet/active_deadline.go (1.22–1.32).
constexpr const char* kDeadlineReason = "DeadlineExceeded";
constexpr const char* kDeadlineMessage = "Pod was active on the node longer than the specified deadline";

// pkg/volume/util/nestedpendingoperations: the first retry after 500 ms, doubling, at most 2m2s.
constexpr Duration kMountRetryFirst = std::chrono::milliseconds(500);
constexpr Duration kMountRetryMax = std::chrono::seconds(122);
// pkg/kubelet/volumemanager/volume_manager.go podAttachAndMountTimeout.
constexpr Duration kMountWaitTimeout = std::chrono::seconds(123);

EventSubject container_subject(const json& pod) {
  const json& meta = member(pod, "metadata");
  EventSubject s;
  s.ns = text(meta, "namespace");
  s.name = text(meta, "name");
  s.uid = text(meta, "uid");
  s.resource_version = text(meta, "resourceVersion");
  return s;
}

EventRecord kubelet_event(const json& pod, const char* type, const char* reason, std::string message) {
  EventRecord r;
  r.type = type;
  r.reason = reason;
  r.message = std::move(message);
  r.component = "kubelet";
  r.instance = text(member(pod, "spec"), "nodeName");
  return r;
}

void mark_terminated(json& status, TimePoint at, const std::string& reason, int exit_code) {
  json& state = status["state"];
  const std::string started = text(member(state, "running"), "startedAt");
  json terminated = {{"exitCode", exit_code}, {"reason", reason}, {"finishedAt", format_rfc3339(at)}};
  terminated["startedAt"] = started.empty() ? format_rfc3339(at) : started;
  if (status.contains("containerID")) terminated["containerID"] = status["containerID"];
  state = {{"terminated", terminated}};
  status["ready"] = false;
  status["started"] = false;
}

bool is_terminated(const json& status) { return member(member(status, "state"), "terminated").is_object(); }

}  // namespace

std::optional<MountFailure> missing_volume(const json& pod, const ObjectExists& exists) {
  const json& volumes = member(member(pod, "spec"), "volumes");
  if (!volumes.is_array()) return std::nullopt;
  const std::string ns = text(member(pod, "metadata"), "namespace");
  for (const json& v : volumes) {
    // pkg/volume/secret/secret.go and configmap/configmap.go SetUpAt: the manager's NotFound error,
    // singular resource names (k8s-cluster-messages.md §3.3).
    const json& secret = member(v, "secret");
    if (secret.is_object() && !member(secret, "optional").is_boolean()) {
      const std::string name = text(secret, "secretName");
      if (!exists("secrets", ns, name)) return MountFailure{text(v, "name"), "secret \"" + name + "\" not found"};
    }
    const json& config_map = member(v, "configMap");
    if (config_map.is_object() && !member(config_map, "optional").is_boolean()) {
      const std::string name = text(config_map, "name");
      if (!exists("configmaps", ns, name)) return MountFailure{text(v, "name"), "configmap \"" + name + "\" not found"};
    }
  }
  return std::nullopt;
}

std::optional<std::string> container_config_error(const json& pod, const json& container, const SecretLookup& secret,
                                                  const SecretLookup& config_map) {
  // pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: envFrom in order, then env in order; the
  // secret and configmap managers' NotFound (singular "secret", "configmap") and "couldn't find key %v in
  // Secret %v/%v" / "couldn't find key %v in ConfigMap %v/%v" (k8s-cluster-messages.md §3.3).
  const std::string ns = text(member(pod, "metadata"), "namespace");
  const auto find_map = [&](const std::string& name) -> const json* {
    return config_map ? config_map(ns, name) : nullptr;
  };
  for (const json& from : member(container, "envFrom")) {
    const json& map_ref = member(from, "configMapRef");
    if (map_ref.is_object() && member(map_ref, "optional") != true && !find_map(text(map_ref, "name")))
      return "configmap \"" + text(map_ref, "name") + "\" not found";
    const json& ref = member(from, "secretRef");
    if (!ref.is_object() || member(ref, "optional") == true) continue;
    if (!secret(ns, text(ref, "name"))) return "secret \"" + text(ref, "name") + "\" not found";
  }
  for (const json& env : member(container, "env")) {
    const json& map_ref = member(member(env, "valueFrom"), "configMapKeyRef");
    if (map_ref.is_object() && member(map_ref, "optional") != true) {
      const std::string name = text(map_ref, "name"), key = text(map_ref, "key");
      const json* stored = find_map(name);
      if (!stored) return "configmap \"" + name + "\" not found";
      if (!member(member(*stored, "data"), key.c_str()).is_string())
        // kubelet pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: "couldn't find key %v in ConfigMap %v/%v".
        return "couldn't find key " + key + " in ConfigMap " + ns + "/" + name;
    }
    const json& ref = member(member(env, "valueFrom"), "secretKeyRef");
    if (!ref.is_object() || member(ref, "optional") == true) continue;
    const std::string name = text(ref, "name"), key = text(ref, "key");
    const json* stored = secret(ns, name);
    if (!stored) return "secret \"" + name + "\" not found";
    if (!member(member(*stored, "data"), key.c_str()).is_string())
      // kubelet pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: "couldn't find key %v in Secret %v/%v".
      return "couldn't find key " + key + " in Secret " + ns + "/" + name;
  }
  return std::nullopt;
}

bool apply_config_errors(json& pod, const SecretLookup& secret, const SecretLookup& config_map) {
  json& status = pod["status"];
  if (!status.is_object() || text(status, "phase") != "Running") return false;
  std::vector<std::string> failed;
  for (const json& c : member(member(pod, "spec"), "containers")) {
    const std::optional<std::string> error = container_config_error(pod, c, secret, config_map);
    if (!error) continue;
    failed.push_back(text(c, "name"));
    for (json& cs : status["containerStatuses"]) {
      if (text(cs, "name") != text(c, "name")) continue;
      cs["state"] = {{"waiting", {{"reason", "CreateContainerConfigError"}, {"message", *error}}}};
      cs["ready"] = false;
      cs["started"] = false;
      cs["imageID"] = "";
      cs.erase("containerID");
    }
  }
  if (failed.empty()) return false;
  // getPhase: a waiting container keeps the pod Pending.
  status["phase"] = "Pending";
  status.erase("podIP");
  status.erase("podIPs");
  for (json& condition : status["conditions"]) {
    const std::string type = text(condition, "type");
    if (type != "Ready" && type != "ContainersReady") continue;
    condition["status"] = "False";
    condition["reason"] = "ContainersNotReady";
    condition["message"] = "containers with unready status: " + go_list(failed);
  }
  return true;
}

std::string sandbox_failure_message(const SandboxFailure& failure, const std::string& sandbox_id) {
  // libcni api.go pluginDescription: type=%q plus an optional name=%q; "plugin %s failed (add): %w".
  std::string plugin = "type=" + nlohmann::json(failure.plugin).dump();
  if (!failure.plugin_name.empty()) plugin += " name=" + nlohmann::json(failure.plugin_name).dump();
  // containerd sandbox_run.go "failed to setup network for sandbox %q: %w", through CRI as gRPC Unknown;
  // the kubelet's "Failed to create pod sandbox: %v".
  return "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"" +
         sandbox_id + "\": plugin " + plugin + " failed (add): " + failure.error;
}

std::optional<TimePoint> deadline_kill_time(const json& pod, TimePoint started) {
  const json& spec = member(pod, "spec");
  const json& deadline = member(spec, "activeDeadlineSeconds");
  if (!deadline.is_number_integer()) return std::nullopt;
  const json& grace = member(spec, "terminationGracePeriodSeconds");
  const int64_t grace_seconds = grace.is_number_integer() ? grace.get<int64_t>() : 30;
  return started + std::chrono::seconds(deadline.get<int64_t>()) + std::chrono::seconds(grace_seconds);
}

CrashLoop crash_loop_at(TimePoint first_exit, TimePoint now) {
  CrashLoop loop{1, first_exit, std::chrono::seconds(10)};
  while (loop.last_exit + loop.back_off <= now) {
    loop.last_exit += loop.back_off;
    ++loop.restarts;
    loop.back_off = std::min<Duration>(loop.back_off * 2, std::chrono::seconds(300));
  }
  return loop;
}

// pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff: "back-off %s restarting failed container=%s pod=%s".
std::string crash_loop_message(Duration back_off, const std::string& container, const json& pod) {
  const json& meta = member(pod, "metadata");
  return "back-off " + go_duration_string(back_off) + " restarting failed container=" + container +
         " pod=" + text(meta, "name") + "_" + text(meta, "namespace") + "(" + text(meta, "uid") + ")";
}

std::string crash_loop_event_message(const std::string& container, const json& pod, int kubernetes_minor) {
  const json& meta = member(pod, "metadata");
  // kuberuntime_manager.go doBackOff: 1.26+ names the container and pod (format.Pod).
  if (kubernetes_minor < 26) return "Back-off restarting failed container";
  return "Back-off restarting failed container " + container + " in pod " + text(meta, "name") + "_" +
         text(meta, "namespace") + "(" + text(meta, "uid") + ")";
}

int exec_format_exit_code(int kubernetes_minor) { return kubernetes_minor >= 32 ? 255 : 1; }

void ContainerStates::record_exit(const std::string& uid, const std::string& container, ContainerExit exit) {
  exits_[uid].emplace(container, std::move(exit));
}

bool ContainerStates::apply_init_exec_failure(json& pod, TimePoint now, const PodImageStates* images) const {
  json& status = pod["status"];
  if (!images || text(status, "phase") != "Running" || !status["initContainerStatuses"].is_array()) return false;
  // The first init container whose image is for another platform: the ones after it never start.
  json* failed = nullptr;
  for (json& c : status["initContainerStatuses"]) {
    auto it = images->find(text(c, "name"));
    if (it != images->end() && !it->second.foreign_platform.empty()) {
      failed = &c;
      break;
    }
  }
  if (!failed) return false;
  const std::string name = text(*failed, "name");
  TimePoint start = now;
  parse_rfc3339(text(member(member(*failed, "state"), "terminated"), "startedAt"), start);
  const int code = exec_format_exit_code(minor_);
  const std::string restart_policy = text(member(pod, "spec"), "restartPolicy");
  const bool never = restart_policy == "Never";
  if (never) {
    // pkg/kubelet/kubelet_pods.go getPhase: a failed init container under Never fails the pod.
    (*failed)["state"] = {{"terminated",
                           {{"exitCode", code},
                            {"reason", "Error"},
                            {"startedAt", format_rfc3339(start)},
                            {"finishedAt", format_rfc3339(start)}}}};
    if (failed->contains("containerID")) (*failed)["state"]["terminated"]["containerID"] = (*failed)["containerID"];
  } else {
    const CrashLoop loop = crash_loop_at(start, now);
    json last = {{"exitCode", code},
                 {"reason", "Error"},
                 {"startedAt", format_rfc3339(loop.last_exit)},
                 {"finishedAt", format_rfc3339(loop.last_exit)}};
    (*failed)["state"] = {
        {"waiting", {{"reason", "CrashLoopBackOff"}, {"message", crash_loop_message(loop.back_off, name, pod)}}}};
    (*failed)["lastState"] = {{"terminated", last}};
    (*failed)["restartCount"] = loop.restarts;
  }
  (*failed)["ready"] = false;
  (*failed)["started"] = false;
  bool after = false;
  std::vector<std::string> incomplete;
  for (json& c : status["initContainerStatuses"]) {
    if (&c == failed) after = true;
    if (!after) continue;
    incomplete.push_back(text(c, "name"));
    if (&c == failed) continue;
    c = {{"name", c["name"]},
         {"image", c["image"]},
         {"imageID", ""},
         {"ready", false},
         {"restartCount", 0},
         {"started", false},
         {"state", {{"waiting", {{"reason", "PodInitializing"}}}}},
         {"lastState", json::object()}};
  }
  // The app containers wait for the init containers (kubelet_pods.go: PodInitializing, no container yet).
  std::vector<std::string> unready;
  for (json& c : status["containerStatuses"]) {
    unready.push_back(text(c, "name"));
    c = {{"name", c["name"]},
         {"image", c["image"]},
         {"imageID", ""},
         {"ready", false},
         {"restartCount", 0},
         {"started", false},
         {"state", {{"waiting", {{"reason", "PodInitializing"}}}}},
         {"lastState", json::object()}};
  }
  std::sort(unready.begin(), unready.end());
  status["phase"] = never ? "Failed" : "Pending";
  for (json& condition : status["conditions"]) {
    const std::string type = text(condition, "type");
    if (type == "Initialized") {
      condition["status"] = "False";
      condition["reason"] = "ContainersNotInitialized";
      // pkg/kubelet/status/generate.go GeneratePodInitializedCondition: "containers with incomplete status: %s".
      condition["message"] = "containers with incomplete status: " + go_list(incomplete);
      condition["lastTransitionTime"] = format_rfc3339(start);
    } else if (type == "Ready" || type == "ContainersReady") {
      condition["status"] = "False";
      condition["lastTransitionTime"] = format_rfc3339(start);
      if (never && minor_ >= 25) {
        condition["reason"] = "PodFailed";
        condition.erase("message");
      } else {
        condition["reason"] = "ContainersNotReady";
        condition["message"] = "containers with unready status: " + go_list(unready);
      }
    }
  }
  return true;
}

void ContainerStates::apply(json& pod, TimePoint started, TimePoint now, const PodImageStates* images,
                            std::optional<TimePoint> commands_changed) const {
  json& status = pod["status"];
  if (!status.is_object() || !status.contains("containerStatuses")) return;
  if (apply_init_exec_failure(pod, now, images)) return;
  const std::string uid = text(member(pod, "metadata"), "uid");
  const json& spec = member(pod, "spec");
  std::optional<TimePoint> changed = commands_changed;  // when readiness last changed
  const auto note = [&](TimePoint at) { changed = changed ? std::max(*changed, at) : at; };

  bool deadline_passed = false;
  if (const json& d = member(spec, "activeDeadlineSeconds"); d.is_number_integer()) {
    const TimePoint deadline = started + std::chrono::seconds(d.get<int64_t>());
    deadline_passed = now >= deadline;
    if (deadline_passed) note(deadline);
  }
  const bool running = text(status, "phase") == "Running";
  auto exits = exits_.find(uid);
  const std::optional<TimePoint> kill = deadline_kill_time(pod, started);
  // pkg/kubelet/kubelet_pods.go: the pod's restartPolicy, Always when unset.
  const std::string restart_policy = text(spec, "restartPolicy").empty() ? "Always" : text(spec, "restartPolicy");
  for (json& c : status["containerStatuses"]) {
    if (!running || is_terminated(c)) continue;
    const std::string name = text(c, "name");
    if (const auto image = images ? images->find(name) : PodImageStates::const_iterator();
        images && image != images->end() && !image->second.foreign_platform.empty() &&
        member(member(c, "state"), "running").is_object()) {
      // runc init cannot execve the entrypoint (k8s-cluster-messages.md §3.4): the container ends as it starts.
      TimePoint start = now;
      parse_rfc3339(text(member(member(c, "state"), "running"), "startedAt"), start);
      const int code = exec_format_exit_code(minor_);
      if (restart_policy == "Never") {
        mark_terminated(c, start, "Error", code);
        note(start);
        continue;
      }
      const CrashLoop loop = crash_loop_at(start, now);
      json last = {{"exitCode", code},
                   {"reason", "Error"},
                   {"startedAt", format_rfc3339(loop.last_exit)},
                   {"finishedAt", format_rfc3339(loop.last_exit)}};
      if (c.contains("containerID")) last["containerID"] = c["containerID"];
      c["state"] = {
          {"waiting", {{"reason", "CrashLoopBackOff"}, {"message", crash_loop_message(loop.back_off, name, pod)}}}};
      c["lastState"] = {{"terminated", last}};
      c["restartCount"] = loop.restarts;
      c["ready"] = false;
      c["started"] = false;
      note(start);
      continue;
    }
    const ContainerExit* exit = nullptr;
    if (exits != exits_.end())
      if (auto it = exits->second.find(name); it != exits->second.end() && it->second.at <= now) exit = &it->second;
    if (exit && (!kill || exit->at <= *kill)) {
      mark_terminated(c, exit->at, exit->reason, exit->exit_code);
      note(exit->at);
    } else if (kill && now >= *kill) {
      // SIGKILL after the grace period: containerd's errorExitReason.
      mark_terminated(c, *kill, "Error", 137);
      note(*kill);
    }
  }
  if (!changed) return;

  std::vector<std::string> unready;
  bool all_ended = true, any_failed = false;
  if (member(spec, "containers").is_array())
    for (const json& sc : spec["containers"])
      for (const json& c : status["containerStatuses"]) {
        if (text(c, "name") != text(sc, "name")) continue;
        const json& ready = member(c, "ready");
        if (!ready.is_boolean() || !ready.get<bool>()) unready.push_back(text(c, "name"));
        const json& terminated = member(member(c, "state"), "terminated");
        if (!terminated.is_object()) {
          all_ended = false;
        } else if (member(terminated, "exitCode") != 0) {
          any_failed = true;
        }
      }
  // pkg/kubelet/kubelet_pods.go getPhase with restartPolicy Never; the deadline fails the pod at once.
  if (deadline_passed) {
    status["phase"] = "Failed";
    status["reason"] = kDeadlineReason;
    status["message"] = kDeadlineMessage;
  } else if (all_ended) {
    status["phase"] = any_failed ? "Failed" : "Succeeded";
  }
  const std::string phase = text(status, "phase");
  if (unready.empty() && phase == "Running") return;
  // pkg/kubelet/status/generate.go GeneratePodReadyCondition / GenerateContainersReadyCondition.
  for (json& condition : status["conditions"]) {
    const std::string type = text(condition, "type");
    if (type != "Ready" && type != "ContainersReady") continue;
    condition["status"] = "False";
    condition["lastTransitionTime"] = format_rfc3339(*changed);
    condition.erase("message");
    if (phase == "Failed" && minor_ >= 25) {
      condition["reason"] = "PodFailed";
    } else if (phase == "Succeeded") {
      condition["reason"] = "PodCompleted";
    } else {
      condition["reason"] = "ContainersNotReady";
      condition["message"] = "containers with unready status: " + go_list(unready);
    }
  }
}

void ContainerStates::record_events(const json& pod, TimePoint started, TimePoint now,
                                    const std::optional<MountFailure>& mount, EventLog& events, const std::string& rv) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  const EventSubject subject = container_subject(pod);
  if (const json& d = member(member(pod, "spec"), "activeDeadlineSeconds");
      d.is_number_integer() && !deadline_recorded_.count(uid)) {
    const TimePoint deadline = started + std::chrono::seconds(d.get<int64_t>());
    if (now >= deadline) {
      deadline_recorded_.insert(uid);
      // active_deadline.go ShouldEvict records a Normal event; then the pod's containers are stopped
      // (kuberuntime_container.go killContainer: "Stopping container %s").
      events.record_legacy(subject, kubelet_event(pod, "Normal", kDeadlineReason, kDeadlineMessage), deadline, rv);
      // Only containers the runtime created have something to stop.
      const auto created = [&pod](const std::string& name) {
        for (const json& status : member(member(pod, "status"), "containerStatuses"))
          if (text(status, "name") == name) return status.contains("containerID");
        return false;
      };
      for (const json& c : member(member(pod, "spec"), "containers"))
        if (created(text(c, "name")))
          events.record_legacy(
              subject, kubelet_event(pod, "Normal", "Killing", "Stopping container " + text(c, "name")), deadline, rv);
    }
  }
  if (!mount) return;
  auto& [setups, timeouts] = mount_events_[uid];
  // MountVolume.SetUp is retried with exponential back-off; each failure is a FailedMount event
  // (operation_generator.go: "%v for volume %q %v", errSuffix ": " + err; the legacy recorder counts repeats).
  TimePoint attempt = started;
  Duration wait = kMountRetryFirst;
  for (int i = 0; attempt <= now; ++i) {
    if (i >= setups) {
      events.record_legacy(
          subject,
          kubelet_event(pod, "Warning", "FailedMount",
                        "MountVolume.SetUp failed for volume \"" + mount->volume + "\" : " + mount->error),
          attempt, rv);
      setups = i + 1;
    }
    attempt += wait;
    wait = std::min(wait * 2, kMountRetryMax);
  }
  // kubelet.go syncPod: WaitForAttachAndMount gives up after 2m3s, once per sync.
  const std::string suffix = minor_ >= 28 ? ", failed to process volumes=[]: context deadline exceeded"
                                          : ": timed out waiting for the condition";
  for (int k = timeouts + 1; started + kMountWaitTimeout * k <= now; ++k) {
    events.record_legacy(subject,
                         kubelet_event(pod, "Warning", "FailedMount",
                                       "Unable to attach or mount volumes: unmounted volumes=[" + mount->volume +
                                           "], unattached volumes=[]" + suffix),
                         started + kMountWaitTimeout * k, rv);
    timeouts = k;
  }
}

void ContainerStates::record_config_events(const json& pod, TimePoint running_at, TimePoint now,
                                           const SecretLookup& secret, EventLog& events, const std::string& rv,
                                           const SecretLookup& config_map) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  int& recorded = config_events_[uid];
  TimePoint attempt = running_at;
  Duration wait = std::chrono::seconds(10);
  for (int i = 0; attempt <= now; ++i) {
    if (i >= recorded) {
      // kuberuntime_container.go startContainer: Warning Failed "Error: %v".
      for (const json& c : member(member(pod, "spec"), "containers"))
        if (const auto error = container_config_error(pod, c, secret, config_map))
          events.record_legacy(container_subject(pod), kubelet_event(pod, "Warning", "Failed", "Error: " + *error),
                               attempt, rv);
      recorded = i + 1;
    }
    attempt += wait;
    wait = std::min<Duration>(wait * 2, std::chrono::seconds(300));
  }
}

void ContainerStates::record_sandbox_events(const json& pod, TimePoint started, TimePoint now,
                                            const SandboxFailure& failure, EventLog& events, const std::string& rv) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  int& recorded = sandbox_events_[uid];
  TimePoint attempt = started;
  Duration wait = std::chrono::seconds(10);
  for (int i = 0; attempt <= now; ++i) {
    if (i >= recorded) {
      uint64_t state = fnv1a(uid + "/sandbox/" + std::to_string(i));
      std::string id;
      for (int k = 0; k < 4; ++k) id += hex64(splitmix64(state));
      events.record_legacy(
          container_subject(pod),
          kubelet_event(pod, "Warning", "FailedCreatePodSandBox", sandbox_failure_message(failure, id)), attempt, rv);
      recorded = i + 1;
    }
    attempt += wait;
    wait = std::min<Duration>(wait * 2, std::chrono::seconds(300));
  }
}

std::optional<TimePoint> ContainerStates::next_change(const json& presented, TimePoint started, TimePoint now) const {
  std::optional<TimePoint> next;
  const auto consider = [&](TimePoint at) {
    if (at > now && (!next || at < *next)) next = at;
  };
  const std::string uid = text(member(presented, "metadata"), "uid");
  if (auto it = exits_.find(uid); it != exits_.end())
    for (const auto& [container, exit] : it->second) consider(exit.at);
  const json& spec = member(presented, "spec");
  if (const json& d = member(spec, "activeDeadlineSeconds"); d.is_number_integer())
    consider(started + std::chrono::seconds(d.get<int64_t>()));
  if (const std::optional<TimePoint> kill = deadline_kill_time(presented, started)) consider(*kill);
  for (const char* list : {"initContainerStatuses", "containerStatuses"})
    for (const json& c : member(member(presented, "status"), list)) {
      if (text(member(member(c, "state"), "waiting"), "reason") != "CrashLoopBackOff") continue;
      TimePoint last{};
      if (!parse_rfc3339(text(member(member(c, "lastState"), "terminated"), "finishedAt"), last)) continue;
      const json& restarts = member(c, "restartCount");
      const int k = restarts.is_number_integer() ? std::max(restarts.get<int>(), 1) : 1;
      consider(last + std::min<Duration>(std::chrono::seconds(10) * (int64_t{1} << std::min(k - 1, 30)),
                                         std::chrono::seconds(300)));
    }
  return next;
}

void ContainerStates::record_crash_loop_events(const json& pod, TimePoint now, EventLog& events,
                                               const std::string& rv) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  for (const char* list : {"initContainerStatuses", "containerStatuses"})
    for (const json& c : member(member(pod, "status"), list)) {
      if (text(member(member(c, "state"), "waiting"), "reason") != "CrashLoopBackOff") continue;
      const std::string name = text(c, "name");
      TimePoint last = now;
      if (!parse_rfc3339(text(member(member(c, "lastState"), "terminated"), "finishedAt"), last)) continue;
      const json& restarts = member(c, "restartCount");
      const int count = restarts.is_number_integer() ? restarts.get<int>() : 1;
      int& recorded = crash_events_[uid][name];
      // A back-off starts at each exit after the first; the k-th runs 10 s · 2^(k-1) (at most 5 min), so
      // counting back from the last exit gives the times of the earlier ones.
      std::vector<TimePoint> exits(static_cast<size_t>(std::max(count, 1)));
      exits.back() = last;
      for (int k = count - 1; k >= 1; --k) {
        const Duration back_off = std::min<Duration>(std::chrono::seconds(10) * (int64_t{1} << std::min(k - 1, 30)),
                                                     std::chrono::seconds(300));
        exits[static_cast<size_t>(k - 1)] = exits[static_cast<size_t>(k)] - back_off;
      }
      EventSubject subject = container_subject(pod);
      subject.field_path =
          std::string(list == std::string("containerStatuses") ? "spec.containers{" : "spec.initContainers{") + name +
          "}";
      const std::string message = crash_loop_event_message(name, pod, minor_);
      for (int k = recorded; k < count; ++k)
        events.record_legacy(subject, kubelet_event(pod, "Warning", "BackOff", message), exits[static_cast<size_t>(k)],
                             rv);
      recorded = std::max(recorded, count);
    }
}

void ContainerStates::release(const std::string& uid) {
  crash_events_.erase(uid);
  sandbox_events_.erase(uid);
  config_events_.erase(uid);
  exits_.erase(uid);
  deadline_recorded_.erase(uid);
  mount_events_.erase(uid);
}

void apply_run_once_deadline(json& pod, int64_t limit) {
  json& spec = pod["spec"];
  if (!spec.is_object()) return;
  const std::string policy = text(spec, "restartPolicy");
  if (policy != "Never" && policy != "OnFailure") return;
  const json& current = member(spec, "activeDeadlineSeconds");
  if (current.is_number_integer() && current.get<int64_t>() <= limit) return;
  spec["activeDeadlineSeconds"] = limit;
}

bool container_running(const json& pod, const std::string& container) {
  for (const json& c : member(member(pod, "status"), "containerStatuses"))
    if (text(c, "name") == container) return member(member(c, "state"), "running").is_object();
  return false;
}

}  // namespace kexsim::fakes

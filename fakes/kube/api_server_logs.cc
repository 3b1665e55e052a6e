// The fake API server's side of container logs (fakes/kube/pod_logs.h): `GET pods/NAME/log`, whole or
// followed, and the service daemons' own output in their containers' logs. Kept out of api_server.cc,
// which only calls in.

#include <algorithm>

#include "base/json_fields.h"
#include "fakes/kube/api_server.h"
#include "fakes/kube/attach.h"
#include "fakes/kube/kubelet_serving.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

// Whether a container of the pod runs docker:dind (the one daemon whose output is modelled).
bool runs_dind(const json& pod) {
  const json& containers = member(member(pod, "spec"), "containers");
  return containers.is_array() && std::any_of(containers.begin(), containers.end(),
                                              [](const json& c) { return is_dind_image(text(c, "image")); });
}

}  // namespace

void KubeApiServer::containers_started(const StoredObject& stored, TimePoint at) {
  // The pulls that came before (a watch's sync has not recorded them yet): at the same instant they take
  // the earlier names, so the list shows Pulled before Created.
  if (images_.modelled()) {
    images_.advance(clock_.now(), events_, store_.resource_version());
    status_sync_.invalidate();
  }
  const json pod = present(*find_resource("", "pods"), stored);
  status_sync_.mark(text(member(pod, "metadata"), "namespace"), text(member(pod, "metadata"), "name"));
  start_events_.record(pod, std::atoi(version_.minor.c_str()), events_, store_.resource_version(), at);
  start_own_commands(pod, at);
  if (!runs_dind(pod)) return;  // only dockerd fails at its start
  write_daemon_logs(pod);       // while its container shows it running, with the time it started
  std::unique_ptr<ContainerWorld> world = worlds_.world_for(pod, "");
  const PodServices* services = world ? world->services() : nullptr;
  if (!services) return;
  const std::string uid = text(member(pod, "metadata"), "uid");
  for (const ServiceDaemon& d : services->daemons)
    if (d.dind && d.dind->fails && d.files_from)
      // dockerd exits as it fails to start (fakes/runtime/dind.h); the kubelet reports the runtime's Error.
      container_states_.record_exit(uid, d.container, {*d.files_from, "Error", d.dind->exit_code});
}

void KubeApiServer::start_own_commands(const json& pod, TimePoint at) {
  if (text(member(pod, "status"), "phase") != "Running") return;  // a container that cannot be configured never starts
  const std::string uid = text(member(pod, "metadata"), "uid");
  const json& spec = member(pod, "spec");
  // pkg/kubelet/container/helpers.go ShouldContainerBeRestarted: an unset restartPolicy is Always (defaulting).
  const std::string policy = text(spec, "restartPolicy").empty() ? "Always" : text(spec, "restartPolicy");
  const std::optional<PodImageStates> images = image_states(uid, at);
  for (const json& c : member(spec, "containers")) {
    if (!runs_own_command(c)) continue;
    const std::string name = text(c, "name");
    // A binary for another platform never runs: runc's execve fails (container_states.h, exec format error).
    if (images)
      if (auto it = images->find(name); it != images->end() && !it->second.foreign_platform.empty()) continue;
    std::string id;
    for (const json& cs : member(member(pod, "status"), "containerStatuses"))
      if (text(cs, "name") == name) id = text(cs, "containerID");
    const json for_process = process_pod(pod, name);
    const std::shared_ptr<shell::Volumes> volumes = pods_.volumes(uid);
    const std::vector<std::string> argv = container_argv(c);
    ContainerCommands::Runner run = [this, for_process, name, volumes, argv](TimePoint start) {
      std::unique_ptr<ContainerWorld> world = worlds_.world_for(for_process, name);
      if (!world) return ShellResult{};
      ShellOptions options = exec_options(for_process, name);
      options.start = start;
      options.volumes = volumes;
      volumes->land_due(start);
      make_mount_dirs(for_process, name, *volumes);
      // A bare shell (`sh`) reads its script from a stdin the container does not have: it ends at once.
      const ExecScript plan = exec_script(argv);
      return interpret(plan.from_stdin ? std::string() : plan.script, options, *world);
    };
    commands_.start(uid, name, policy, at, id, std::move(run));
  }
}

void KubeApiServer::write_daemon_logs(const json& pod) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  if (daemon_logs_written_.count(uid) || !runs_dind(pod)) return;
  std::unique_ptr<ContainerWorld> world = worlds_.world_for(pod, "");
  const PodServices* services = world ? world->services() : nullptr;
  if (!services) return;
  bool all_started = true;
  for (const ServiceDaemon& d : services->daemons) {
    if (!d.dind) continue;
    if (!d.files_from) {
      all_started = false;  // not started yet: its output comes once it has
      continue;
    }
    // dockerd (and the entrypoint before it) log to stderr.
    container_logs_.write(uid, d.container, *d.files_from, 2, d.dind->log);
  }
  if (all_started) daemon_logs_written_.insert(uid);
}

HttpResponse KubeApiServer::pod_log(const HttpRequest& request, const std::string& ns, const std::string& name) {
  const ResourceType& pods = *find_resource("", "pods");
  const StoredObject* stored = store_.find("pods", ns, name);
  if (!stored) return status_not_found(pods.group_resource(), name).response();
  ApiResult<PodLogOptions> options = parse_pod_log_options(request, name, std::atoi(version_.minor.c_str()));
  if (!options.ok()) return options.status().response();
  const json pod = present(pods, *stored);
  ApiResult<std::string> container = log_container(pod, options.value().container);
  if (!container.ok()) return container.status().response();
  // pkg/registry/core/pod/rest/log.go: an unbound pod has no kubelet to ask, and the answer is empty.
  const std::string node = text(member(pod, "spec"), "nodeName");
  if (node.empty()) return HttpResponse::text(200, "");
  // A kubelet the API server cannot reach answers nothing; Go's error is the Status (ErrorToAPIStatus).
  if (std::optional<KubeletDialFailure> dial = kubelet_dial_failure(scheduler_, node, clock_.now()))
    return status_failure(500, "", kubelet_log_error(*dial, ns, name, container.value(), options.value())).response();
  // The kubelet's refusal reaches the client as a 400 with its words (genericrest's response checker).
  if (std::optional<std::string> refused = log_state_error(pod, container.value(), options.value().previous))
    return status_bad_request(*refused).response();
  const std::string uid = text(member(pod, "metadata"), "uid");
  write_daemon_logs(pod);
  // The previous instance of a restarted container wrote nothing the model keeps (it failed at its start),
  // unless the container runs its own command: each run keeps its own log.
  static const std::vector<LogLine> kNone;
  const bool own = commands_.has(uid, container.value());
  const std::vector<LogLine>* run_log = own ? commands_.log(uid, container.value(), options.value().previous, clock_.now()) : nullptr;
  const std::vector<LogLine>& lines = own                        ? (run_log ? *run_log : kNone)
                                      : options.value().previous ? kNone
                                                                 : container_logs_.lines(uid, container.value());
  // A previous instance has ended: following it is reading it whole.
  if (!options.value().follow || options.value().previous) {
    HttpResponse response = HttpResponse::text(200, render_pod_log(lines, options.value(), clock_.now()));
    response.headers = {{"Content-Type", "text/plain"}};
    return response;
  }
  const std::string which = container.value();
  std::weak_ptr<int> alive = alive_;
  auto current = [this, alive, ns, name, uid, which]() -> const std::vector<LogLine>* {
    if (alive.expired()) return nullptr;
    const StoredObject* now = store_.find("pods", ns, name);
    if (!now || text(member(now->object, "metadata"), "uid") != uid) return nullptr;
    if (commands_.has(uid, which)) return commands_.log(uid, which, false, clock_.now());
    return &container_logs_.lines(uid, which);
  };
  auto running = [this, alive, ns, name, uid, which]() {
    if (alive.expired()) return false;
    sync_lifecycle();
    const StoredObject* now = store_.find("pods", ns, name);
    if (!now || text(member(now->object, "metadata"), "uid") != uid) return false;
    return container_running(present(*find_resource("", "pods"), *now), which);
  };
  auto stream =
      std::make_shared<LogFollowStream>(clock_, options.value(), std::move(current), std::move(running), alive_);
  return HttpResponse::streamed(200, "text/plain", std::move(stream));
}

}  // namespace kexsim::fakes

#include "fakes/kube/pod_services.h"

#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const json* find_named(const json& list, const std::string& name) {
  if (!list.is_array()) return nullptr;
  for (const auto& item : list)
    if (item.is_object() && item.value("name", std::string()) == name) return &item;
  return nullptr;
}

// When the kubelet started a container (state.running.startedAt); none while it is not running.
std::optional<TimePoint> started_at(const json& pod, const std::string& name) {
  if (!pod.contains("status")) return std::nullopt;
  const json statuses = pod["status"].value("containerStatuses", json::array());
  const json* status = find_named(statuses, name);
  if (!status || !status->contains("state") || !(*status)["state"].contains("running")) return std::nullopt;
  TimePoint t{};
  if (!parse_rfc3339((*status)["state"]["running"].value("startedAt", std::string()), t)) return std::nullopt;
  return t;
}

// Whether a volume mounted in both containers (same volume, same path) holds dir.
bool shares_dir(const json& service, const json* other, const std::string& dir) {
  if (!other) return false;
  for (const auto& m : service.value("volumeMounts", json::array())) {
    const std::string path = m.value("mountPath", std::string());
    if (path.empty() || !(dir == path || starts_with(dir, path == "/" ? path : path + "/"))) continue;
    for (const auto& o : other->value("volumeMounts", json::array()))
      if (o.value("name", std::string()) == m.value("name", std::string()) &&
          o.value("mountPath", std::string()) == path)
        return true;
  }
  return false;
}

}  // namespace

PodServices pod_services(const json& pod, const std::string& container, const std::vector<ServiceModel>& models) {
  PodServices out;
  if (!pod.contains("spec")) return out;
  const json containers = pod["spec"].value("containers", json::array());
  const json* self = find_named(containers, container);
  if (self && is_docker_image(self->value("image", std::string())))
    out.client_version = docker_image_version(self->value("image", std::string()));
  for (const auto& c : containers) {
    const std::string name = c.value("name", std::string());
    if (name == "build" || name == "helper" || name == container) continue;
    ServiceDaemon d;
    d.container = name;
    d.image = c.value("image", std::string());
    const ServiceModel* model = find_service_model(models, d.image);
    if (!model && !is_dind_image(d.image)) continue;  // a service without a model: nothing known listens
    const Duration delay = model ? model->listen_after : Duration{0};
    const std::optional<TimePoint> started = started_at(pod, name);
    if (started) d.files_from = *started + delay;
    if (is_dind_image(d.image)) {
      DindSettings settings;
      settings.image = d.image;
      const json env_list = c.value("env", json::array());
      if (const json* env = find_named(env_list, "DOCKER_TLS_CERTDIR"))
        settings.tls_certdir = env->value("value", std::string());
      settings.privileged = c.contains("securityContext") && c["securityContext"].value("privileged", false);
      if (model) settings.fails = model->fails;
      const std::string client_dir = settings.tls_certdir.value_or("/certs") + "/client";
      settings.certs_shared = shares_dir(c, self, client_dir);
      d.dind = plan_dind(settings);
      d.ports = {d.dind->port};
      if (!d.dind->fails) d.listening_from = d.files_from;
    } else {
      d.ports = model->ports;
      if (!model->fails.value_or(false)) d.listening_from = d.files_from;
    }
    if (model && !model->ports.empty()) d.ports = model->ports;
    out.daemons.push_back(std::move(d));
  }
  return out;
}

}  // namespace kexsim::fakes

// The fake API server's side of disruptions (fakes/kube/disruption.h): the Eviction subresource and
// the sync that fires planned disruptions, records their changes and events and removes the pods they
// end. Kept out of api_server.cc, which only calls in.

#include "base/json_fields.h"
#include "fakes/kube/api_server.h"
#include "fakes/kube/pdb.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

}  // namespace

HttpResponse KubeApiServer::evict(const HttpRequest& request, const std::string& ns, const std::string& name) {
  const json eviction = json::parse(request.body, nullptr, false);
  if (eviction.is_discarded() || !eviction.is_object())
    return status_bad_request("couldn't get version/kind; json parse error: the body is not a JSON object").response();
  // pkg/registry/core/pod/storage/eviction.go Create.
  const std::string named = text(member(eviction, "metadata"), "name");
  if (!named.empty() && named != name)
    return status_bad_request("name in URL does not match name in Eviction object").response();
  const ResourceType& pods = *find_resource("", "pods");
  const StoredObject* stored = store_.find("pods", ns, name);
  if (!stored) return status_not_found(pods.group_resource(), name).response();
  const json& grace = member(member(eviction, "deleteOptions"), "gracePeriodSeconds");
  std::optional<int64_t> asked;
  if (grace.is_number_integer()) asked = grace.get<int64_t>();
  json pod = present(pods, *stored);
  if (kubelet_start(*stored))
    if (const std::optional<ApiStatus> refused = eviction_refusal(pod, budgets(ns))) return refused->response();
  if (!kubelet_start(*stored)) {
    // canIgnorePDB: a Pending pod is deleted at once; unscheduled, its grace period is 0.
    pod["metadata"]["deletionTimestamp"] = format_rfc3339(clock_.now());
    pod["metadata"]["deletionGracePeriodSeconds"] = 0;
    remove_pod(ns, name, pod);
  } else {
    disruptions_.evict(pod, clock_.now(), asked);
    status_sync_.invalidate();
    sync_disruptions();
  }
  // The create handler answers 201 with the registry's Status{Status: Success} (handlers/create.go).
  const nlohmann::ordered_json success = {{"kind", "Status"},
                                          {"apiVersion", "v1"},
                                          {"metadata", nlohmann::ordered_json::object()},
                                          {"status", "Success"},
                                          {"code", 201}};
  return HttpResponse::json(201, success.dump());
}

std::vector<json> KubeApiServer::budgets(const std::string& ns) const {
  std::vector<json> out;
  const ResourceType* type = find_resource("policy", "poddisruptionbudgets");
  for (const StoredObject* stored : store_.list("poddisruptionbudgets", ns)) out.push_back(present(*type, *stored));
  return out;
}

void KubeApiServer::sync_disruptions() {
  if (!disruptions_.active()) return;
  const TimePoint now = clock_.now();
  const ResourceType& pods = *find_resource("", "pods");
  std::vector<json> bound;
  for (const StoredObject* stored : store_.list("pods", ""))
    if (kubelet_start(*stored)) bound.push_back(present(pods, *stored));
  disruptions_.set_eviction_guard([this](const json& pod) {
    return eviction_refusal(pod, budgets(text(member(pod, "metadata"), "namespace"))).has_value();
  });
  disruptions_.advance(now, bound);
  // The scheduler sees cordoned, unreachable and deleted nodes: the next pods go elsewhere or wait.
  for (const Disruptions::NodeChange& c : disruptions_.take_node_changes(now))
    scheduler_.disrupt_node(c.node, c.kind == Disruptions::NodeChange::kCordoned,
                            c.kind == Disruptions::NodeChange::kUnreachable,
                            c.kind == Disruptions::NodeChange::kDeleted, c.at, events_, store_.resource_version());
  for (const PodDisruption& d : disruptions_.take_hits(now)) {
    const StoredObject* stored = store_.find("pods", d.ns, d.name);
    if (!stored) continue;
    json before = present(pods, *stored);
    Disruptions::strip(before);
    store_.touch("pods", d.ns, d.name, std::move(before));
  }
  disruptions_.record_events(now, events_, store_.resource_version());
  status_sync_.invalidate();  // disruptions show in the pods they hit (and nodes in all) without a write
  for (const PodDisruption& d : disruptions_.take_removals(now)) {
    const StoredObject* stored = store_.find("pods", d.ns, d.name);
    if (stored) remove_pod(d.ns, d.name, present(pods, *stored));
  }
}

}  // namespace kexsim::fakes

#include "fakes/kube/api_server.h"

#include <algorithm>
#include <tuple>

#include "base/json_fields.h"
#include "base/strings.h"
#include "fakes/kube/admission_quota.h"
#include "fakes/kube/kubelet_serving.h"
#include "fakes/kube/list_paging.h"
#include "fakes/kube/config_map_env.h"
#include "fakes/kube/config_maps.h"
#include "fakes/kube/secret_volumes.h"
#include "fakes/kube/selector.h"
#include "fakes/kube/strategy.h"
#include "fakes/kube/table.h"
#include "fakes/kube/watch_stream.h"
#include "fakes/kube/pdb.h"
#include "fakes/runtime/shell_state.h"

namespace kexsim::fakes {
namespace {

using json_fields::text;
using nlohmann::json;

// Until protobuf request bodies are decoded (reference §9.2), JSON is all the fake accepts.
const std::vector<std::string> kAcceptedMediaTypes = {"application/json"};

using json_fields::member;

// Decodes a request body the way the fake can: JSON only.
ApiResult<json> decode_body(const HttpRequest& request) {
  const std::string content_type = request.header("content-type");
  if (content_type.rfind("application/vnd.kubernetes.protobuf", 0) == 0)
    return status_unsupported_media_type(kAcceptedMediaTypes);
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded())
    return status_bad_request("couldn't get version/kind; json parse error: the body is not valid JSON");
  if (!body.is_object()) return status_bad_request("couldn't get version/kind; json parse error: expected an object");
  return body;
}

std::vector<std::string> names_in(const json& pod, const char* list) {
  std::vector<std::string> out;
  const json& containers = member(member(pod, "spec"), list);
  if (containers.is_array())
    for (const auto& c : containers) out.push_back(text(c, "name"));
  return out;
}

// The fields a field selector may name, per kind (the rest is "field label not supported").
bool field_supported(const std::string& resource, const std::string& field) {
  if (field == "metadata.name" || field == "metadata.namespace") return true;
  if (resource == "pods")
    return field == "status.phase" || field == "spec.nodeName" || field == "spec.restartPolicy" ||
           field == "spec.schedulerName" || field == "spec.serviceAccountName" || field == "status.podIP" ||
           field == "status.nominatedNodeName";
  if (resource == "secrets") return field == "type";
  if (resource == "events") return true;
  if (resource == "nodes") return field == "spec.unschedulable";
  return false;
}

}  // namespace

KubeApiServer::KubeApiServer(Clock& clock, Random random, ContainerWorldFactory& worlds)
    : clock_(clock),
      random_(std::move(random)),
      worlds_(worlds),
      store_(clock_, random_),
      authorizer_(store_),
      started_(clock_.now()) {
  store_.set_presenter([this](const std::string& resource, const StoredObject& stored) {
    const ResourceType* type = find_plural(resource);
    return type ? present(*type, stored) : stored.object;
  });
}

KubeApiServer::~KubeApiServer() {
  if (ticker_) ticker_->stop();
}

void KubeApiServer::add_token(const std::string& token, const std::string& user, std::vector<std::string> groups) {
  tokens_[token] = authenticated_user(user, std::move(groups));
}

void KubeApiServer::set_version(const std::string& major, const std::string& minor, const std::string& git_version) {
  version_ = VersionInfo{major, minor, git_version};
  admission_.set_minor(std::atoi(minor.c_str()));
}

Status KubeApiServer::set_webhooks(std::vector<WebhookSpec> webhooks) {
  for (const json& config : webhook_configurations(webhooks))
    if (Status st = seed(config); !st) return st;
  admission_.set_webhooks(std::move(webhooks));
  return {};
}

HttpResponse KubeApiServer::handle(const HttpRequest& request) {
  std::string user_name = "-";
  HttpResponse response;
  // Cluster changes due by now (nodes the autoscaler adds) happen before the request is answered.
  scheduler_.advance(clock_.now(), events_, store_.resource_version());
  if (scheduler_.modelled()) status_sync_.invalidate();  // a binding shows in the pod, without a write
  sync_images();
  try {
    sync_lifecycle();  // every read sees the history up to now
    sync_container_events();
    record_back_off_events();
    response = serve(request, user_name);
  } catch (const json::exception& e) {
    // A body of the right syntax but the wrong shape (a string where an object belongs).
    response = status_bad_request(std::string("the request body has an unexpected shape: ") + e.what()).response();
  }
  log_.record(request.method, request.target.empty() ? request.path : request.target, response.status, user_name);
  return response;
}

std::optional<UserInfo> KubeApiServer::authenticate(const std::string& header) const {
  // bearertoken.go AuthenticateRequest: no header, another scheme (Basic: its authenticator left in 1.19)
  // or an empty token is no credential; an unknown token is an error, never anonymous.
  const std::string auth = trim(header);
  const std::vector<std::string> parts = split(auth, ' ');
  const bool bearer = parts.size() >= 2 && to_lower(parts[0]) == "bearer" && !parts[1].empty();
  if (bearer) {
    auto token = tokens_.find(parts[1]);
    if (token == tokens_.end()) return std::nullopt;
    return token->second;
  }
  // authenticator/config.go New: union.NewFailOnError(..., anonymous.NewAuthenticator(...)).
  if (!anonymous_auth_) return std::nullopt;
  return UserInfo{"system:anonymous", {"system:unauthenticated"}};
}

HttpResponse KubeApiServer::serve(const HttpRequest& request, std::string& user_name) {
  std::optional<UserInfo> authenticated = authenticate(request.header("authorization"));
  if (!authenticated) return status_unauthorized().response();
  UserInfo user = std::move(*authenticated);
  user_name = user.name;

  const std::string as_user = trim(request.header("impersonate-user"));
  const std::vector<std::string> as_groups = split_list(request.header("impersonate-group"));
  if (as_user.empty() && !as_groups.empty())
    return status_internal_error("requested " + go_list(as_groups) + " without impersonating a user").response();
  if (!as_user.empty()) {
    ApiResult<UserInfo> impersonated = authorizer_.impersonate(user, as_user, as_groups);
    if (!impersonated.ok()) return impersonated.status().response();
    user = impersonated.value();
    user_name = user.name;
  }

  const RequestAttributes attrs = resolve_request(request.method, request.path, request.query);
  const Decision decision = authorizer_.authorize(user, attrs);
  if (!decision.allowed) return forbidden_status(user, attrs, decision.reason).response();
  if (!attrs.resource_request) return serve_non_resource(request);
  return serve_resource(request, attrs, user);
}

HttpResponse KubeApiServer::serve_non_resource(const HttpRequest& request) {
  std::string path = request.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (request.method != "GET" && request.method != "HEAD") return status_method_not_allowed().response();
  if (path == "/version") return HttpResponse::json(200, version_document(version_));
  if (path == "/api") return HttpResponse::json(200, api_versions_document());
  if (path == "/apis") return HttpResponse::json(200, api_group_list_document());
  if (path == "/healthz" || path == "/livez" || path == "/readyz") return HttpResponse::text(200, "ok");
  std::optional<std::string> resources;
  if (path == "/api/v1") resources = api_resource_list_document("v1");
  if (path.rfind("/apis/", 0) == 0) resources = api_resource_list_document(path.substr(6));
  if (resources) return HttpResponse::json(200, *resources);
  return status_path_not_found().response();
}

HttpResponse KubeApiServer::serve_resource(const HttpRequest& request, const RequestAttributes& attrs,
                                           const UserInfo& user) {
  const ResourceType* type = attrs.api_version == "v1" ? find_resource(attrs.api_group, attrs.resource) : nullptr;
  if (!type) return status_path_not_found().response();
  // Cluster-scoped kinds have no namespaced URL (a namespace's own URL names it as the namespace).
  if (!type->namespaced && !attrs.ns.empty() && type->resource != "namespaces")
    return status_path_not_found().response();
  const std::string ns = type->namespaced ? attrs.ns : std::string();
  if (!attrs.subresource.empty()) {
    if (type->resource == "pods" && attrs.subresource == "exec" && attrs.verb == "create")
      return exec(request, ns, attrs.name);
    if (type->resource == "pods" && attrs.subresource == "attach" && attrs.verb == "create")
      return exec(request, ns, attrs.name, true);
    if (type->resource == "pods" && attrs.subresource == "eviction" && attrs.verb == "create")
      return evict(request, ns, attrs.name);
    if (type->resource == "pods" && attrs.subresource == "log" && attrs.verb == "get")
      return pod_log(request, ns, attrs.name);
    return status_path_not_found().response();
  }
  if (attrs.verb == "watch" && !type->serves("watch"))
    return status_method_not_supported(type->group_resource(), "watch").response();
  if (type->resource == "selfsubjectaccessreviews" && attrs.verb == "create" && attrs.name.empty())
    return access_review(request, user);
  if (!type->serves(attrs.verb)) return status_method_not_allowed().response();
  // Listing across namespaces is the only namespaced verb without a namespace in the URL.
  if (type->namespaced && ns.empty() && attrs.verb != "list" && attrs.verb != "watch")
    return status_method_not_allowed().response();
  if (attrs.verb == "watch") {
    if (type->resource == "pods" && !pods_watched_) {
      pods_watched_ = true;
      record_status_changes();  // the baseline the watch's MODIFIED events start from
    }
    return watch(request, *type, ns, attrs.name);
  }
  // A list narrowed by a metadata.name field selector carries that name for RBAC only.
  if (attrs.verb == "list") return list(request, *type, ns);
  if (attrs.verb == "create")
    return attrs.name.empty() ? create(request, *type, ns) : status_method_not_allowed().response();
  if (attrs.name.empty()) return status_method_not_allowed().response();
  if (attrs.verb == "get" && type->resource == "nodes") {
    for (const json& node : node_objects()) {
      if (text(node["metadata"], "name") != attrs.name) continue;
      if (wants_table(request.header("accept")))
        return HttpResponse::json(200, node_table({node}, clock_.now(), store_.resource_version()).dump());
      return HttpResponse::json(200, node.dump());
    }
    return status_not_found(type->group_resource(), attrs.name).response();
  }
  if (attrs.verb == "get") {
    const StoredObject* stored = store_.find(type->resource, ns, attrs.name);
    if (!stored) return status_not_found(type->group_resource(), attrs.name).response();
    if (type->resource == "pods" && wants_table(request.header("accept")))
      return HttpResponse::json(200,
                                pod_table({present(*type, *stored)}, clock_.now(), store_.resource_version()).dump());
    if (type->resource == "pods")
      return HttpResponse::json(200,
                                served_.text(text(member(stored->object, "metadata"), "uid"), present(*type, *stored)));
    return HttpResponse::json(200, present(*type, *stored).dump());
  }
  if (attrs.verb == "update") return update(request, *type, ns, attrs.name);
  if (attrs.verb == "delete") return remove(request, *type, ns, attrs.name);
  return status_method_not_allowed().response();
}

HttpResponse KubeApiServer::create(const HttpRequest& request, const ResourceType& type, const std::string& ns) {
  ApiResult<json> body = decode_body(request);
  if (!body.ok()) return body.status().response();
  json object = std::move(body).value();
  json& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object();
  const std::string body_ns = text(meta, "namespace");
  if (type.namespaced && !body_ns.empty() && body_ns != ns)
    return status_bad_request("the namespace of the provided object does not match the namespace sent on the request")
        .response();
  warnings_.clear();
  admission_delay_ = Duration(0);
  ApiResult<json> created = create_object(type, ns, std::move(object));
  HttpResponse response =
      created.ok()
          ? HttpResponse::json(
                201, present(type, *store_.find(type.resource, ns, text(created.value()["metadata"], "name"))).dump())
          : created.status().response();
  for (const std::string& warning : warnings_) response.headers.emplace_back("Warning", warning_header(warning));
  response.delay = admission_delay_;  // the server answers once the webhook calls are over
  return response;
}

ApiResult<json> KubeApiServer::create_object(const ResourceType& type, const std::string& ns, json object) {
  // Admission, in a real server's order: the namespace must exist, a pod's service account too.
  if (type.namespaced && !store_.find("namespaces", "", ns)) return status_not_found({"", "namespaces"}, ns);
  json& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object();
  if (type.resource == "pods") {
    std::string account = text(member(object, "spec"), "serviceAccountName");
    if (account.empty()) account = "default";
    if (!store_.find("serviceaccounts", ns, account)) {
      // Admission runs before name generation, so the message names the generateName prefix.
      const std::string name = text(meta, "name").empty() ? text(meta, "generateName") : text(meta, "name");
      return status_forbidden({"", "pods"}, name.empty() ? "Unknown" : name,
                              "error looking up service account " + ns + "/" + account + ": serviceaccount " +
                                  json(account).dump() + " not found");
    }
  }
  bool generated = false;
  if (text(meta, "name").empty() && !text(meta, "generateName").empty()) {
    meta["name"] = store_.generate_name(text(meta, "generateName"));
    generated = true;
  }
  if (type.namespaced) meta["namespace"] = ns;
  if (type.resource == "pods" && run_once_deadline_) apply_run_once_deadline(object, *run_once_deadline_);
  if (auto invalid = validate_create(type, object)) return *invalid;
  apply_create_defaults(type, object);
  // Pods seeded by a scenario predate its policies: only pods created through the API are admitted.
  if (type.resource == "pods" && !seeding_) {
    std::vector<json> present_pods;  // what quotas charge; presented only where a quota looks
    if (!store_.list("resourcequotas", ns).empty())
      for (const StoredObject* pod : store_.list("pods", ns))
        present_pods.push_back(present(*find_plural("pods"), *pod));
    AdmissionOutcome admitted = admission_.admit(store_, ns, object, present_pods);
    warnings_ = std::move(admitted.warnings);
    admission_delay_ = admitted.delay;
    if (admitted.rejected) return *admitted.rejected;
  }
  ApiResult<json> created = store_.create(type, ns, std::move(object), generated);
  if (!created.ok()) return created;
  const std::string name = text(created.value()["metadata"], "name");
  if (type.resource == "pods") {
    const std::string uid = text(created.value()["metadata"], "uid");
    pods_.admit(uid);
    if (scheduler_.modelled()) scheduler_.admit(created.value(), clock_.now(), events_, store_.resource_version());
    sync_images();
    store_.restate("pods", ns, name);  // watches see the ADDED pod as this create answers it (bound, pulling)
    // A pod that is running from the start has no status change to record later.
    const StoredObject* pod = store_.find("pods", ns, name);
    if (pod) kubelet_sync_.admit(pod->object, pod->created);
    const std::optional<TimePoint> running_at = pod ? pod_running_at(*pod) : std::nullopt;
    if (!running_at || *running_at <= clock_.now()) {
      running_recorded_.insert(uid);
      if (running_at && pod) containers_started(*pod, *running_at);
    } else
      starts_pending_.schedule(uid, {ns, name}, running_at);
  }
  // The service-account controller gives every new namespace its `default` account at once.
  if (type.resource == "namespaces" && !store_.find("serviceaccounts", name, "default")) {
    json account = {{"metadata", {{"name", "default"}}}};
    store_.create(*find_resource("", "serviceaccounts"), name, std::move(account));
  }
  return created;
}

HttpResponse KubeApiServer::update(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                                   const std::string& name) {
  ApiResult<json> body = decode_body(request);
  if (!body.ok()) return body.status().response();
  json object = std::move(body).value();
  const std::string body_name = text(member(object, "metadata"), "name");
  if (!body_name.empty() && body_name != name)
    return status_bad_request("the name of the object (" + body_name + ") does not match the name on the URL (" + name +
                              ")")
        .response();
  if (type.resource == "secrets") {
    json& meta = object["metadata"];
    if (!meta.is_object()) meta = json::object();
    meta["name"] = name;
    apply_create_defaults(type, object);
  }
  ApiResult<json> updated = store_.update(type, ns, name, std::move(object));
  if (!updated.ok()) return updated.status().response();
  return HttpResponse::json(200, updated.value().dump());
}

HttpResponse KubeApiServer::list(const HttpRequest& request, const ResourceType& type, const std::string& ns) {
  auto labels = LabelSelector::parse(request.query_value("labelSelector"));
  if (!labels.ok()) return status_bad_request(labels.error().message).response();
  auto fields = parse_field_selector(request.query_value("fieldSelector"));
  if (!fields.ok()) return status_bad_request(fields.error().message).response();
  for (const FieldTerm& term : fields.value())
    if (!field_supported(type.resource, term.field))
      return status_bad_request("field label not supported: " + term.field).response();

  std::string items;
  std::vector<json> objects;
  // Events and nodes live in the cluster model, not in the store.
  if (type.resource == "events") {
    std::string involved;  // the runner lists one pod's events: present only that pod
    for (const FieldTerm& t : fields.value())
      if (t.field == "involvedObject.name" && t.equals) involved = t.value;
    record_start_events(ns, involved);
    objects = events_.list(ns);
  } else if (type.resource == "nodes") {
    objects = node_objects();
  } else {
    // Objects the selectors refuse as stored are not presented (fakes/kube/selector.h).
    for (const StoredObject* stored : store_.list(type.resource, ns))
      if (may_select_stored(stored->object, labels.value(), fields.value())) objects.push_back(present(type, *stored));
  }
  std::vector<json> selected_objects;
  for (const json& object : objects) {
    if (!labels.value().matches(member(member(object, "metadata"), "labels"))) continue;
    const bool selected = std::all_of(fields.value().begin(), fields.value().end(), [&](const FieldTerm& t) {
      return (field_value(object, t.field) == t.value) == t.equals;
    });
    if (!selected) continue;
    selected_objects.push_back(object);
  }
  // ?limit= and ?continue= (fakes/kube/list_paging.h): the page goes out, the list's metadata says the rest.
  const ListQuery paging{
      request.query_value("limit"), request.query_value("continue"), request.query_value("resourceVersion"),
      !request.query_value("labelSelector").empty() || !request.query_value("fieldSelector").empty()};
  ApiResult<ListPage> page = take_page(selected_objects, ns, paging, store_.resource_version());
  if (!page.ok()) return page.status().response();
  for (const json& object : selected_objects) items += (items.empty() ? "" : ",") + object.dump();
  // kubectl asks for a Table; nodes and events have their printers' columns, other kinds stay plain lists.
  if (wants_table(request.header("accept")) &&
      (type.resource == "nodes" || type.resource == "events" || type.resource == "pods")) {
    json table = type.resource == "nodes"  ? node_table(selected_objects, clock_.now(), page.value().resource_version)
                 : type.resource == "pods" ? pod_table(selected_objects, clock_.now(), page.value().resource_version)
                                           : event_table(selected_objects, clock_.now(), page.value().resource_version);
    list_page_metadata(table["metadata"], page.value());
    return HttpResponse::json(200, table.dump());
  }
  nlohmann::ordered_json meta = {{"resourceVersion", page.value().resource_version}};
  list_page_metadata(meta, page.value());
  const std::string body = "{\"kind\":" + json(type.kind + "List").dump() +
                           ",\"apiVersion\":" + json(type.api_version()).dump() + ",\"metadata\":" + meta.dump() +
                           ",\"items\":[" + items + "]}";
  return HttpResponse::json(200, body);
}

HttpResponse KubeApiServer::watch(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                                  const std::string& name) {
  auto labels = LabelSelector::parse(request.query_value("labelSelector"));
  if (!labels.ok()) return status_bad_request(labels.error().message).response();
  auto fields = parse_field_selector(request.query_value("fieldSelector"));
  if (!fields.ok()) return status_bad_request(fields.error().message).response();
  for (const FieldTerm& term : fields.value())
    if (!field_supported(type.resource, term.field))
      return status_bad_request("field label not supported: " + term.field).response();
  WatchOptions options;
  options.resource = type.resource;
  options.api_version = type.api_version();
  options.kind = type.kind;
  options.ns = ns;
  options.labels = std::move(labels).value();
  options.fields = std::move(fields).value();
  // The legacy /api/v1/watch/namespaces/<ns>/<resource>/<name> watches one object.
  if (!name.empty()) options.fields.push_back({"metadata.name", true, name});
  options.resource_version = request.query_value("resourceVersion");
  // Booleans as apimachinery decodes them: anything but "", "0" and "false" (any case) is true.
  const auto flag = [&](const char* key) {
    const std::string v = request.query_value(key);
    return !v.empty() && v != "0" && !iequals(v, "false");
  };
  options.allow_bookmarks = flag("allowWatchBookmarks");
  options.send_initial_events = flag("sendInitialEvents");
  const std::string timeout = request.query_value("timeoutSeconds");
  uint64_t seconds = 0;
  if (!timeout.empty() && parse_resource_version(timeout, seconds) && seconds > 0)
    options.timeout = std::chrono::seconds(seconds);
  uint64_t requested = 0;
  if (!parse_resource_version(options.resource_version, requested)) options.resource_version.clear();
  const uint64_t current = std::stoull(store_.resource_version());
  if (requested > current) {
    // apiserver storage/errors.go NewTooLargeResourceVersionError, through errors.NewTimeoutError.
    const nlohmann::ordered_json status = {
        {"kind", "Status"},
        {"apiVersion", "v1"},
        {"metadata", nlohmann::ordered_json::object()},
        {"status", "Failure"},
        {"message",
         "Timeout: Too large resource version: " + std::to_string(requested) + ", current: " + std::to_string(current)},
        {"reason", "Timeout"},
        {"details",
         {{"causes", {{{"reason", "ResourceVersionTooLarge"}, {"message", "Too large resource version"}}}},
          {"retryAfterSeconds", 1}}},
        {"code", 504}};
    return HttpResponse::json(504, status.dump());
  }
  WatchSource source;
  source.sync = [this] { sync_lifecycle(); };
  source.current = [this, &type, ns](const StoredFilter& may_select) {
    std::vector<json> out;
    // Events live in the cluster model, without history: the watch sends them as they appear (snapshot).
    if (type.resource == "events") return events_.list(ns);
    for (const StoredObject* stored : store_.list(type.resource, ns))
      if (may_select(stored->object)) out.push_back(present(type, *stored));
    return out;
  };
  options.snapshot = type.resource == "events";
  source.next_change = [this] { return next_lifecycle_change(); };
  if (!ticker_)
    ticker_ = std::make_shared<LifecycleTicker>(
        clock_, store_.history(), [this] { sync_lifecycle(); }, [this] { return next_lifecycle_change(); }, alive_);
  source.ticker = ticker_;
  source.resource_version = [this] { return static_cast<uint64_t>(std::stoull(store_.resource_version())); };
  // kubectl get pods -w asks for Tables: each event carries a one-row Table with its column definitions.
  if (type.resource == "pods" && wants_table(request.header("accept")))
    options.present = [this](const json& pod) { return pod_table({pod}, clock_.now(), store_.resource_version()); };
  auto stream = std::make_shared<WatchStream>(clock_, store_.history(), std::move(source), alive_, std::move(options));
  return HttpResponse::streamed(200, "application/json", std::move(stream));
}

std::optional<TimePoint> KubeApiServer::pod_running_at(const StoredObject& pod) const {
  // Follows pod_lifecycle.h and present(): the one change recorded is the containers starting, `pending`
  // after the pod was created (no scheduler modelled) or bound, and once every image is present. An
  // unbound pod's binding is not recorded as its own MODIFIED event yet.
  if (timing_.never_start || sandbox_failure_ || missing_mount(pod.object)) return std::nullopt;
  const std::string uid = text(member(pod.object, "metadata"), "uid");
  std::optional<TimePoint> at;
  if (!scheduler_.modelled()) {
    at = pod.created + timing_.pending;
  } else {
    const Placement* placement = scheduler_.placement(uid);
    if (!placement || !placement->bound) return std::nullopt;
    at = placement->at + timing_.pending;
  }
  if (!images_.modelled()) return at;
  const std::optional<TimePoint> images = images_.ready_at(uid);
  if (!images) return std::nullopt;
  return std::max(*at, *images);
}

void KubeApiServer::sync_images() {
  if (!images_.modelled()) return;
  struct Bound {
    TimePoint at;
    std::string ns, name, node;
    bool operator<(const Bound& o) const { return std::tie(at, ns, name) < std::tie(o.at, o.ns, o.name); }
  };
  std::vector<Bound> bound;
  for (const StoredObject* pod : store_.list("pods", "")) {
    const json& meta = member(pod->object, "metadata");
    const std::string uid = text(meta, "uid");
    if (images_.started(uid)) continue;
    if (!scheduler_.modelled()) {
      bound.push_back({pod->created, text(meta, "namespace"), text(meta, "name"), timing_.node_name});
      continue;
    }
    const Placement* placement = scheduler_.placement(uid);
    if (placement && placement->bound)
      bound.push_back({placement->at, text(meta, "namespace"), text(meta, "name"), placement->node});
  }
  std::sort(bound.begin(), bound.end());
  const auto secrets = [this](const std::string& ns, const std::string& name) -> const json* {
    const StoredObject* secret = store_.find("secrets", ns, name);
    return secret ? &secret->object : nullptr;
  };
  for (const Bound& b : bound) {
    std::string platform = "linux/amd64";
    for (const Scheduler::Member& m : scheduler_.nodes())
      if (m.node.name == b.node) platform = m.node.os + "/" + m.node.arch;
    images_.start_pod(store_.find("pods", b.ns, b.name)->object, b.node, platform, b.at, secrets);
  }
  images_.advance(clock_.now(), events_, store_.resource_version());
  status_sync_.invalidate();  // pulls show in the pods' status without a write
}

std::optional<PodImageStates> KubeApiServer::image_states(const std::string& uid, TimePoint at) const {
  if (!images_.modelled()) return std::nullopt;
  return images_.states(uid, at);
}

void KubeApiServer::sync_lifecycle() {
  const TimePoint now = clock_.now();
  struct Due {
    TimePoint at;
    std::string ns;
    std::string name;
    std::string uid;
    bool operator<(const Due& o) const { return std::tie(at, ns, name) < std::tie(o.at, o.ns, o.name); }
  };
  std::vector<Due> due;
  // Only the pods whose start may be due by now: scanning every pending pod on every request was quadratic.
  for (const PodStartSchedule::Pending& p : starts_pending_.due(now)) {
    const StoredObject* pod = pending_pod(p.uid, p.key);
    if (!pod) {
      starts_pending_.erase(p.uid);
      continue;
    }
    const std::optional<TimePoint> at = pod_running_at(*pod);
    if (at && *at <= now)
      due.push_back({*at, p.key.first, p.key.second, p.uid});
    else
      starts_pending_.schedule(p.uid, p.key, at);  // later than its key, or not known any more
  }
  std::sort(due.begin(), due.end());
  const ResourceType& pods = *find_resource("", "pods");
  for (const Due& d : due) {
    const StoredObject* pod = store_.find("pods", d.ns, d.name);
    // The state just before the change, for watches whose selectors it enters or leaves.
    const std::optional<PodImageStates> images = image_states(d.uid, d.at - Duration(1));
    json before = pod_with_status(pod->object, pod->created, d.at - Duration(1), timing_,
                                  pods_.ip(text(member(pod->object, "metadata"), "uid")), images ? &*images : nullptr);
    running_recorded_.insert(d.uid);
    starts_pending_.erase(d.uid);
    containers_started(*pod, d.at);  // before the MODIFIED event, which then shows what ended at the start
    store_.touch(pods.resource, d.ns, d.name, std::move(before));
  }
  commands_.advance(now);  // the restarts due by now (their runs land in the status and logs)
  sync_disruptions();
  if (pods_watched_) record_status_changes();
}

StatusSyncKey KubeApiServer::status_sync_key() const {
  return {clock_.now(), status_sync_.generation(), store_.history()->latest_except("pods")};
}

void KubeApiServer::record_status_changes() {
  // Once a pod runs (or never will), its presented status still moves on: containers end, crash-loop and
  // restart, pulls fail and back off, the deadline passes. Each change a sync sees is one MODIFIED event,
  // so that `kubectl get pods -w` shows the transitions.
  const ResourceType& pods = *find_resource("", "pods");
  const WatchHistory& history = *store_.history();
  const StatusSyncKey key = status_sync_key();
  std::vector<const StoredObject*> looked_at;
  if (status_sync_.needs_full(key, history.too_old("pods", status_sync_.pods_cursor()).has_value())) {
    looked_at = store_.list("pods", "");
    status_sync_.clear_next();
    status_sync_.take_marked();
  } else {
    // The same time and models: only pods written or marked since the last sync can show anything new.
    // In (namespace, name) order, as a full sync touches them.
    std::set<std::pair<std::string, std::string>> changed = status_sync_.take_marked();
    for (const WatchEvent* event : history.since("pods", status_sync_.pods_cursor())) {
      const json& meta = member(event->object, "metadata");
      changed.emplace(event->ns, text(meta, "name"));
      if (event->type == "DELETED") status_sync_.forget(text(meta, "uid"));  // also when the store removed it
    }
    for (const auto& [ns, name] : changed)
      if (const StoredObject* pod = store_.find("pods", ns, name)) looked_at.push_back(pod);
  }
  for (const StoredObject* pod : looked_at) {
    const json& meta = member(pod->object, "metadata");
    const std::string uid = text(meta, "uid");
    if (!running_recorded_.count(uid)) {
      status_sync_.forget(uid);
      continue;
    }
    json shown = present(pods, *pod);
    auto it = shown_.find(uid);
    if (it != shown_.end() && member(it->second, "status") != member(shown, "status")) {
      store_.touch(pods.resource, text(meta, "namespace"), text(meta, "name"), std::move(it->second));
      shown = present(pods, *store_.find("pods", text(meta, "namespace"), text(meta, "name")));
    }
    // What next_lifecycle_change() asks of this pod, from the presentation just made: its containers'
    // next state change, or its own command's next restart (fakes/kube/container_command.h), whichever is first.
    const std::optional<TimePoint> started = kubelet_start(*pod);
    std::optional<TimePoint> next = started ? container_states_.next_change(shown, *started, clock_.now()) : std::nullopt;
    if (const std::optional<TimePoint> run = started ? commands_.next_change(uid, clock_.now()) : std::nullopt)
      if (!next || *run < *next) next = run;
    status_sync_.set_next(uid, next);
    shown_[uid] = std::move(shown);
  }
  status_sync_.synced(key, history.latest("pods"));  // its own touches included: they show nothing new
}

std::optional<TimePoint> KubeApiServer::next_lifecycle_change() const {
  std::optional<TimePoint> next;
  // Keys are lower bounds: re-key the earliest pod until its key is its start, which is then the earliest.
  while (const auto earliest = starts_pending_.earliest()) {
    const auto& [key_at, p] = *earliest;
    const StoredObject* pod = pending_pod(p.uid, p.key);
    const std::optional<TimePoint> at = pod ? pod_running_at(*pod) : std::nullopt;
    if (!pod) {
      starts_pending_.erase(p.uid);
    } else if (at == key_at) {
      next = at;
      break;
    } else {
      starts_pending_.schedule(p.uid, p.key, at);
    }
  }
  for (const PodStartSchedule::Pending& p : starts_pending_.unknown()) {
    const StoredObject* pod = pending_pod(p.uid, p.key);
    const std::optional<TimePoint> at = pod ? pod_running_at(*pod) : std::nullopt;
    if (at && (!next || *at < *next)) next = at;
  }
  const ResourceType& pods = *find_resource("", "pods");
  // Each started pod's next change as the last status sync found it, while nothing has changed since.
  const bool noted = pods_watched_ && status_sync_.current(status_sync_key(), store_.history()->latest("pods"));
  if (const std::optional<TimePoint> at = noted ? status_sync_.earliest() : std::nullopt; at && (!next || *at < *next))
    next = at;
  for (const StoredObject* pod : pods_watched_ && !noted ? store_.list("pods", "") : std::vector<const StoredObject*>{}) {
    if (!running_recorded_.count(text(member(pod->object, "metadata"), "uid"))) continue;
    const std::optional<TimePoint> started = kubelet_start(*pod);
    if (!started) continue;
    const std::optional<TimePoint> at = container_states_.next_change(present(pods, *pod), *started, clock_.now());
    if (at && (!next || *at < *next)) next = at;
    const std::optional<TimePoint> run = commands_.next_change(text(member(pod->object, "metadata"), "uid"), clock_.now());
    if (run && (!next || *run < *next)) next = run;
  }
  if (const std::optional<TimePoint> disrupted = disruptions_.next_change(clock_.now()))
    if (!next || *disrupted < *next) next = disrupted;
  return next;
}

const StoredObject* KubeApiServer::pending_pod(const std::string& uid,
                                               const std::pair<std::string, std::string>& key) const {
  // The pod may have gone (deleted, garbage-collected, its namespace deleted) or been replaced by another.
  const StoredObject* pod = store_.find("pods", key.first, key.second);
  if (!pod || running_recorded_.count(uid)) return nullptr;
  const json& stored_uid = member(member(pod->object, "metadata"), "uid");
  return stored_uid.is_string() && stored_uid.get_ref<const std::string&>() == uid ? pod : nullptr;
}

HttpResponse KubeApiServer::remove(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                                   const std::string& name) {
  const StoredObject* stored = store_.find(type.resource, ns, name);
  if (!stored) return status_not_found(type.group_resource(), name).response();
  json shown = present(type, *stored);
  const std::string uid = text(member(shown, "metadata"), "uid");
  if (type.resource == "pods") {
    // Pods answer with the object, marked for deletion; the fake's kubelet removes it at once.
    const json options = request.header("content-type").rfind("application/json", 0) == 0
                             ? json::parse(request.body, nullptr, false)
                             : json();
    json grace = member(options, "gracePeriodSeconds");
    if (!grace.is_number_integer()) grace = member(member(shown, "spec"), "terminationGracePeriodSeconds");
    if (!grace.is_number_integer()) grace = 30;
    shown["metadata"]["deletionTimestamp"] = format_rfc3339(clock_.now());
    shown["metadata"]["deletionGracePeriodSeconds"] = grace;
    remove_pod(ns, name, shown);
    shown["metadata"]["resourceVersion"] = store_.resource_version();
    return HttpResponse::json(200, shown.dump());
  }
  if (type.resource == "namespaces") {
    store_.remove(type.resource, "", name);
    store_.remove_namespace_contents(name);
    shown["metadata"]["deletionTimestamp"] = format_rfc3339(clock_.now());
    shown["metadata"]["resourceVersion"] = store_.resource_version();
    shown["status"] = {{"phase", "Terminating"}};
    return HttpResponse::json(200, shown.dump());
  }
  store_.remove(type.resource, ns, name);
  store_.collect_dependents(ns, uid);
  return status_success(type.group_resource(), name, uid).response();
}

void KubeApiServer::remove_pod(const std::string& ns, const std::string& name, json shown) {
  const std::string uid = text(member(shown, "metadata"), "uid");
  start_events_.record(shown, std::atoi(version_.minor.c_str()), events_, store_.resource_version());
  start_events_.forget(uid);
  store_.remove("pods", ns, name, &shown);
  store_.collect_dependents(ns, uid);
  pods_.release(uid);
  container_memory_.release(uid);
  container_states_.release(uid);
  commands_.release(uid);
  scheduler_.release(uid, clock_.now(), events_, store_.resource_version());
  if (scheduler_.modelled()) status_sync_.invalidate();  // the room it leaves may bind another pod
  images_.release(uid);
  disruptions_.release(uid);
  running_recorded_.erase(uid);
  starts_pending_.erase(uid);
  kubelet_sync_.forget(uid);
  served_.forget(uid);
  running_statuses_.forget(uid);
  shown_.erase(uid);
  status_sync_.forget(uid);
  container_logs_.forget(uid);
  daemon_logs_written_.erase(uid);
}

HttpResponse KubeApiServer::access_review(const HttpRequest& request, const UserInfo& user) {
  ApiResult<json> body = decode_body(request);
  if (!body.ok()) return body.status().response();
  json review = std::move(body).value();
  const json& spec = member(review, "spec");
  const json& resource = member(spec, "resourceAttributes");
  const json& non_resource = member(spec, "nonResourceAttributes");
  if (resource.is_object() == non_resource.is_object())
    return status_invalid("authorization.k8s.io", "SelfSubjectAccessReview", "",
                          {{"FieldValueInvalid",
                            "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must "
                            "be specified",
                            "spec.resourceAttributes"}})
        .response();
  RequestAttributes asked;
  if (resource.is_object()) {
    asked.resource_request = true;
    asked.ns = text(resource, "namespace");
    asked.verb = text(resource, "verb");
    asked.api_group = text(resource, "group");
    asked.api_version = text(resource, "version");
    asked.resource = text(resource, "resource");
    asked.subresource = text(resource, "subresource");
    asked.name = text(resource, "name");
  } else {
    asked.path = text(non_resource, "path");
    asked.verb = text(non_resource, "verb");
  }
  const Decision decision = authorizer_.authorize(user, asked);
  review["apiVersion"] = "authorization.k8s.io/v1";
  review["kind"] = "SelfSubjectAccessReview";
  review["metadata"] = {{"creationTimestamp", nullptr}};
  review["status"] = {{"allowed", decision.allowed}};
  if (!decision.reason.empty()) review["status"]["reason"] = decision.reason;
  return HttpResponse::json(201, review.dump());
}

HttpResponse KubeApiServer::exec(const HttpRequest& request, const std::string& ns, const std::string& name,
                                 bool attach) {
  const ResourceType& pods = *find_resource("", "pods");
  const StoredObject* stored = store_.find("pods", ns, name);
  if (!stored) return status_not_found(pods.group_resource(), name).response();
  const json pod = present(pods, *stored);

  std::string container;
  for (const std::string& c : request.query_values("container"))
    if (!c.empty()) {
      container = c;
      break;
    }
  const std::vector<std::string> app = names_in(pod, "containers");
  const std::vector<std::string> init = names_in(pod, "initContainers");
  if (container.empty()) {
    if (app.size() != 1)
      return status_bad_request("a container name must be specified for pod " + name +
                                ", choose one of: " + go_list(app))
          .response();
    container = app.front();
  }
  const bool in_app = std::find(app.begin(), app.end(), container) != app.end();
  const bool in_init = std::find(init.begin(), init.end(), container) != init.end();
  if (!in_app && !in_init)
    return status_bad_request("container " + container + " is not valid for pod " + name).response();
  const std::vector<std::string> command = request.query_values("command");
  if (command.empty() && !attach) return status_bad_request("you must specify at least 1 command").response();
  // The API server dials the kubelet before the kubelet can judge the container.
  const std::string node = text(member(pod, "spec"), "nodeName");
  if (!request.header("upgrade").empty() && !node.empty())
    if (std::optional<KubeletDialFailure> dial = kubelet_dial_failure(scheduler_, node, clock_.now()))
      return status_failure(500, "", kubelet_upgrade_error(*dial)).response();
  if (text(member(pod, "status"), "phase") != "Running" || !in_app || !container_running(pod, container))
    // apimachinery util/httpstream/spdy/roundtripper.go NewConnection ("unable to upgrade connection: %v") around
    // the kubelet's pkg/kubelet/kubelet_pods.go GetExec/GetAttach ("container not found (%q)").
    return status_bad_request("unable to upgrade connection: container not found (" + json(container).dump() + ")")
        .response();
  if (request.header("upgrade").empty()) return status_bad_request("Upgrade request required").response();

  HttpResponse response;
  response.status = 101;
  const std::string uid = text(member(pod, "metadata"), "uid");
  const json for_process = process_pod(pod, container);
  ExecContainer target;
  target.memory = container_memory_.cgroup(pod, container);
  const std::optional<TimePoint> started = kubelet_start(*stored);
  if (started) target.killed_at = deadline_kill_time(pod, *started);
  target.on_oom_death = [this, uid, container, ns, name](TimePoint at) {
    container_states_.record_exit(uid, container, {at, "OOMKilled", 137});
    status_sync_.mark(ns, name);  // no write: the pod's next change moved
  };
  target.disrupted = [this, pod](TimePoint start, const std::vector<OutputChunk>& output) {
    disruptions_.saw_output(pod, start, output);
    if (disruptions_.active()) status_sync_.invalidate();
    store_.history()->wake_all();  // a watch sleeping past the disruption now armed looks again
    return disruptions_.kill_time(pod);
  };
  target.on_output = [this, uid, container, alive = std::weak_ptr<int>(alive_)](
                         TimePoint start, const std::vector<OutputChunk>& output) {
    if (alive.expired()) return;
    for (const OutputChunk& chunk : output)
      container_logs_.write(uid, container, start + chunk.at, chunk.stream, chunk.data);
  };
  const std::shared_ptr<shell::Volumes> volumes = pods_.volumes(uid);
  if (attach) {  // fakes/kube/attach.h: typed into the container's shell
    const std::string out = request.query_value("stdout");
    response.exec = make_attach_runner(for_process, container, out == "true" || out == "1", attached_, worlds_, clock_,
                                       volumes, std::move(target));
  } else {
    response.exec = make_exec_runner(for_process, container, command, worlds_, clock_, volumes, std::move(target));
  }
  response.upgrade_failed = upgrade_failure_response;
  return response;
}

json KubeApiServer::process_pod(const json& pod, const std::string& container) {
  const std::string uid = text(member(pod, "metadata"), "uid");
  const SecretLookup secrets = [this](const std::string& secret_ns, const std::string& secret_name) {
    return find_secret(secret_ns, secret_name);
  };
  json out = pod;
  resolve_secret_env(out, container, secrets);
  resolve_config_map_env(out, container, config_map_lookup(store_));
  project_secret_volumes(pod, container, secrets, pods_.volumes(uid)->fs);
  project_config_map_volumes(
      pod, container,
      [this](const std::string& map_ns, const std::string& map_name) {
        const StoredObject* map = store_.find("configmaps", map_ns, map_name);
        return map ? &map->object : nullptr;
      },
      pods_.volumes(uid)->fs);
  return out;
}

json KubeApiServer::present(const ResourceType& type, const StoredObject& stored) const {
  if (type.resource == "resourcequotas") {
    // The quota controller's status: usage of the pods present now.
    std::vector<json> pods;
    const std::string ns = text(member(stored.object, "metadata"), "namespace");
    for (const StoredObject* pod : store_.list("pods", ns)) pods.push_back(present(*find_plural("pods"), *pod));
    return quota_with_status(stored.object, pods);
  }
  if (type.resource == "poddisruptionbudgets") {
    // The disruption controller's status: healthy pods of the namespace against the budget.
    std::vector<json> pods;
    for (const StoredObject* pod : store_.list("pods", text(member(stored.object, "metadata"), "namespace")))
      pods.push_back(present(*find_plural("pods"), *pod));
    return pdb_with_status(stored.object, pods);
  }
  if (type.resource != "pods") return stored.object;
  const std::string uid = text(member(stored.object, "metadata"), "uid");
  const Placement* placement = scheduler_.modelled() ? scheduler_.placement(uid) : nullptr;
  const std::optional<PodImageStates> images = image_states(uid, clock_.now());
  const PodImageStates* states = images ? &*images : nullptr;
  if (placement && !placement->bound) return unscheduled_pod(stored.object, placement->at, placement->message);
  // Bound: the kubelet's stages start at the binding.
  PodTiming timing = timing_;
  if (placement) {
    timing.node_name = placement->node;
    if (!placement->host_ip.empty()) timing.host_ip = placement->host_ip;
  }
  // A volume that cannot be set up keeps the containers from being created.
  if (sandbox_failure_ || missing_mount(stored.object)) timing.never_start = true;
  const TimePoint started = placement ? placement->at : stored.created;
  json pod = with_status(stored.object, timing,
                         running_statuses_.status(stored.object, started, clock_.now(), timing, pods_.ip(uid), states));
  apply_config_errors(
      pod, [this](const std::string& ns, const std::string& name) { return find_secret(ns, name); },
      config_map_lookup(store_));
  const std::optional<TimePoint> commands_changed = commands_.apply(pod, clock_.now());
  container_states_.apply(pod, started, clock_.now(), states, commands_changed);
  disruptions_.apply(pod, clock_.now());
  return pod;
}

const json* KubeApiServer::find_secret(const std::string& ns, const std::string& name) const {
  const StoredObject* secret = store_.find("secrets", ns, name);
  return secret ? &secret->object : nullptr;
}

std::optional<TimePoint> KubeApiServer::kubelet_start(const StoredObject& pod) const {
  if (!scheduler_.modelled()) return pod.created;
  const Placement* placement = scheduler_.placement(text(member(pod.object, "metadata"), "uid"));
  if (!placement || !placement->bound) return std::nullopt;
  return placement->at;
}

std::optional<MountFailure> KubeApiServer::missing_mount(const json& pod) const {
  return missing_volume(pod, [this](const std::string& resource, const std::string& ns, const std::string& name) {
    // Kinds the fake does not serve (configmaps) are taken as present.
    return !find_plural(resource) || store_.find(resource, ns, name) != nullptr;
  });
}

void KubeApiServer::sync_container_events() {
  const ResourceType& pods = *find_resource("", "pods");
  // A broken CNI touches every pod, and so may a single-manifest image (it crash-loops wherever its
  // platform is foreign); otherwise only the pods the index names can have events due.
  std::vector<const StoredObject*> looked_at;
  if (sandbox_failure_ || images_.may_pull_foreign()) {
    looked_at = store_.list("pods", "");
  } else {
    for (const auto& [ns, name, uid] : kubelet_sync_.candidates(clock_.now()))
      if (const StoredObject* pod = store_.find("pods", ns, name);
          pod && text(member(pod->object, "metadata"), "uid") == uid)
        looked_at.push_back(pod);
  }
  for (const StoredObject* stored : looked_at) {
    const json& spec = member(stored->object, "spec");
    const SecretLookup secrets = [this](const std::string& ns, const std::string& name) {
      return find_secret(ns, name);
    };
    std::optional<MountFailure> mount = missing_mount(stored->object);
    bool config_error = false;
    for (const json& c : member(spec, "containers"))
      config_error =
          config_error || container_config_error(stored->object, c, secrets, config_map_lookup(store_)).has_value();
    const std::optional<TimePoint> started = kubelet_start(*stored);
    if (!started) continue;
    // Every 19.4 pod has a deadline: present it only once the deadline's events are due.
    const json& deadline = member(spec, "activeDeadlineSeconds");
    const bool deadline_due = deadline.is_number_integer() &&
                              clock_.now() >= *started + std::chrono::seconds(deadline.get<int64_t>()) &&
                              !container_states_.deadline_recorded(text(member(stored->object, "metadata"), "uid"));
    const std::optional<PodImageStates> images =
        image_states(text(member(stored->object, "metadata"), "uid"), clock_.now());
    const bool foreign = images && std::any_of(images->begin(), images->end(),
                                               [](const auto& c) { return !c.second.foreign_platform.empty(); });
    if (!mount && !config_error && !sandbox_failure_ && !deadline_due && !foreign) continue;
    // The kubelet's records of the pod change (deadline, mounts, crash loops): present it again.
    status_sync_.mark(text(member(stored->object, "metadata"), "namespace"),
                      text(member(stored->object, "metadata"), "name"));
    const json pod = present(pods, *stored);
    if (foreign) container_states_.record_crash_loop_events(pod, clock_.now(), events_, store_.resource_version());
    if (sandbox_failure_ && !mount) {
      // Volumes are set up first (kubelet.go syncPod); without a sandbox no container is configured.
      container_states_.record_sandbox_events(pod, *started, clock_.now(), *sandbox_failure_, events_,
                                              store_.resource_version());
      container_states_.record_events(pod, *started, clock_.now(), std::nullopt, events_, store_.resource_version());
      continue;
    }
    container_states_.record_events(pod, *started, clock_.now(), mount, events_, store_.resource_version());
    if (config_error && !mount && !timing_.never_start)
      container_states_.record_config_events(pod, *started + timing_.pending, clock_.now(), secrets, events_,
                                             store_.resource_version(), config_map_lookup(store_));
  }
}

void KubeApiServer::record_back_off_events() {
  if (commands_.empty()) return;
  const ResourceType& pods = *find_resource("", "pods");
  for (const StoredObject* stored : store_.list("pods", ""))
    if (commands_.has_pod(text(member(stored->object, "metadata"), "uid")))
      commands_.record_back_off_events(present(pods, *stored), std::atoi(version_.minor.c_str()), clock_.now(), events_,
                                       store_.resource_version());
}

void KubeApiServer::record_start_events(const std::string& ns, const std::string& name) {
  const ResourceType& pods = *find_resource("", "pods");
  const int minor = std::atoi(version_.minor.c_str());
  if (!name.empty() && !ns.empty()) {
    if (const StoredObject* stored = store_.find("pods", ns, name))
      start_events_.record(present(pods, *stored), minor, events_, store_.resource_version());
    return;
  }
  for (const StoredObject* stored : store_.list("pods", ns))
    start_events_.record(present(pods, *stored), minor, events_, store_.resource_version());
}

std::vector<json> KubeApiServer::node_objects() const {
  std::vector<json> out;
  const std::string rv = store_.resource_version();
  if (!scheduler_.modelled()) {
    NodeSpec node;
    node.name = timing_.node_name;
    node.address = timing_.host_ip;
    out.push_back(node_object(node, started_, version_.git_version, rv));
    disruptions_.apply_nodes(out, clock_.now());
    return out;
  }
  for (const Scheduler::Member& m : scheduler_.nodes())
    out.push_back(node_object(m.node, m.since, version_.git_version, rv));
  disruptions_.apply_nodes(out, clock_.now());
  return out;
}

Status KubeApiServer::seed(const json& object) {
  const std::string kind = text(object, "kind");
  const ResourceType* type = find_kind(kind);
  if (!type || type->resource == "events" || type->resource == "selfsubjectaccessreviews")
    return make_error(
        "cannot seed an object of kind \"" + kind + "\"",
        "seed one of Namespace, ServiceAccount, Secret, ResourceQuota, LimitRange, Role, RoleBinding, ClusterRole, "
        "ClusterRoleBinding, Pod");
  const json& meta = member(object, "metadata");
  const std::string name = text(meta, "name");
  const std::string ns = type->namespaced ? text(meta, "namespace") : std::string();
  const std::string where = kind + " " + (ns.empty() ? name : ns + "/" + name);
  if (type->namespaced && ns.empty())
    return make_error("a " + kind + " needs metadata.namespace", "add metadata.namespace", where);
  if (store_.find(type->resource, ns, name)) {
    json replacement = object;
    replacement["metadata"].erase("resourceVersion");
    ApiResult<json> updated = store_.update(*type, ns, name, std::move(replacement));
    if (!updated.ok()) return make_error(updated.status().message(), {}, where);
    if (const StoredObject* pod = store_.find("pods", ns, name); pod && type->resource == "pods")
      kubelet_sync_.admit(pod->object, pod->created);
    return {};
  }
  seeding_ = true;
  ApiResult<json> created = create_object(*type, ns, object);
  seeding_ = false;
  if (!created.ok()) {
    const std::string hint = created.status().code == 404 ? "seed the Namespace before the objects in it" : "";
    return make_error(created.status().message(), hint, where);
  }
  return {};
}

size_t KubeApiServer::count(const std::string& resource, const std::string& ns) const {
  return store_.list(resource, ns).size();
}

std::vector<std::string> KubeApiServer::names(const std::string& resource, const std::string& ns) const {
  std::vector<std::string> out;
  for (const StoredObject* stored : store_.list(resource, ns)) out.push_back(text(stored->object["metadata"], "name"));
  return out;
}

std::optional<json> KubeApiServer::get(const std::string& resource, const std::string& ns,
                                       const std::string& name) const {
  const StoredObject* stored = store_.find(resource, ns, name);
  const ResourceType* type = find_plural(resource);
  if (!stored || !type) return std::nullopt;
  return present(*type, *stored);
}

}  // namespace kexsim::fakes

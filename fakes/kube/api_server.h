#pragma once
// The fake Kubernetes API server's logic: authentication, impersonation, RBAC, discovery, the served
// kinds, pod status over virtual time and exec routing. A transport (HTTPS/WebSocket) calls handle();
// nothing here touches sockets, clocks other than Clock, or unseeded randomness.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "fakes/http/types.h"
#include "fakes/kube/admission.h"
#include "fakes/kube/attach.h"
#include "fakes/kube/call_log.h"
#include "fakes/kube/container_command.h"
#include "fakes/kube/container_memory.h"
#include "fakes/kube/container_start_events.h"
#include "fakes/kube/container_states.h"
#include "fakes/kube/discovery.h"
#include "fakes/kube/disruption.h"
#include "fakes/kube/events.h"
#include "fakes/kube/exec.h"
#include "fakes/kube/images.h"
#include "fakes/kube/kubelet_sync_index.h"
#include "fakes/kube/pod_lifecycle.h"
#include "fakes/kube/pod_logs.h"
#include "fakes/kube/pod_schedule.h"
#include "fakes/kube/pods.h"
#include "fakes/kube/rbac.h"
#include "fakes/kube/running_status_memo.h"
#include "fakes/kube/scheduler.h"
#include "fakes/kube/served_bodies.h"
#include "fakes/kube/status.h"
#include "fakes/kube/status_sync_memo.h"
#include "fakes/kube/store.h"

namespace kexsim::fakes {

class LifecycleTicker;

/// An in-memory Kubernetes API server answering the requests a runner, kubectl and official clients send.
class KubeApiServer : public HttpHandler {
 public:
  KubeApiServer(Clock& clock, Random random, ContainerWorldFactory& worlds);
  ~KubeApiServer();
  KubeApiServer(const KubeApiServer&) = delete;
  KubeApiServer& operator=(const KubeApiServer&) = delete;

  /// Answers one request (401 -> 403 -> 404/validation, in a real server's order) and logs it.
  HttpResponse handle(const HttpRequest& request) override;

  /// Accepts `Authorization: Bearer <token>` as user with groups (plus the groups §5.4 adds).
  void add_token(const std::string& token, const std::string& user, std::vector<std::string> groups);
  /// kube-apiserver --anonymous-auth (default true): a request that presents no bearer token (none, or
  /// `Basic`, which 1.19 removed) is system:anonymous, so RBAC answers 403; false answers 401.
  void set_anonymous_auth(bool enabled) { anonymous_auth_ = enabled; }
  /// Creates (or replaces) Namespace/ServiceAccount/Secret/Role/RoleBinding/ClusterRole/ClusterRoleBinding/Pod as
  /// admin.
  Status seed(const nlohmann::json& object);
  /// How pods come up from now on.
  void set_pod_timing(PodTiming t) {
    timing_ = std::move(t);
    status_sync_.invalidate();
  }
  /// How the nodes OOM-kill (memory.oom.group) and which kubelet release words container events.
  void set_oom_policy(OomPolicy policy) {
    container_memory_.set_policy(policy);
    container_states_.set_kubernetes_minor(policy.kubernetes_minor);
    status_sync_.invalidate();
  }
  /// OpenShift's RunOnceDurationOverride: run-once pods (restartPolicy Never or OnFailure) get at
  /// most this activeDeadlineSeconds when created.
  void set_run_once_deadline(int64_t seconds) { run_once_deadline_ = seconds; }
  /// The nodes' CNI plugin fails every pod sandbox from now on: pods stay ContainerCreating.
  void set_sandbox_failure(SandboxFailure failure) {
    sandbox_failure_ = std::move(failure);
    status_sync_.invalidate();
  }
  /// The cluster's nodes, node groups and scheduling queue (seed nodes here before the first pod).
  Scheduler& scheduler() {
    status_sync_.invalidate();  // the caller may change how pods present
    return scheduler_;
  }
  /// The kubelet's image manager and the registries (configure before the first pod).
  ImageModel& images() {
    status_sync_.invalidate();
    return images_;
  }
  /// The events recorded so far.
  const EventLog& events() const { return events_; }
  /// The disruptions planned for pods (evictions, deletes, drains, lost nodes, preemption).
  Disruptions& disruptions() {
    status_sync_.invalidate();
    return disruptions_;
  }
  /// How many changes per resource watches can resume from (older resourceVersions get 410 Expired).
  void set_watch_window(size_t events) { store_.history()->set_capacity(events); }
  /// The validating webhooks pod creates go through; their ValidatingWebhookConfigurations are stored too.
  Status set_webhooks(std::vector<WebhookSpec> webhooks);
  /// What /version reports (default "1", "33", "v1.33.0").
  void set_version(const std::string& major, const std::string& minor, const std::string& git_version);

  /// How many objects of resource exist in ns (all namespaces when ns is empty), e.g. leftover pods.
  size_t count(const std::string& resource, const std::string& ns) const;
  /// Their names, in (namespace, name) order.
  std::vector<std::string> names(const std::string& resource, const std::string& ns) const;
  /// One object as a GET returns it (pods with their current status).
  std::optional<nlohmann::json> get(const std::string& resource, const std::string& ns, const std::string& name) const;
  /// One line per request: "<METHOD> <target> <status> <user>".
  const std::vector<std::string>& call_log() const { return log_.lines(); }
  /// Logs what a fault layer did to a request: "<METHOD> <target> <verdict> - fault", the verdict
  /// being the status it answered with, "reset", or "delayed 5s".
  void record_fault(const HttpRequest& request, const std::string& verdict) {
    log_.record_line(request.method + " " + request.target + " " + verdict + " - fault");
  }

 private:
  HttpResponse serve(const HttpRequest& request, std::string& user_name);
  /// Who an Authorization header authenticates as; nullopt: 401 (a bad token, or no anonymous auth).
  std::optional<UserInfo> authenticate(const std::string& header) const;
  HttpResponse serve_non_resource(const HttpRequest& request);
  HttpResponse serve_resource(const HttpRequest& request, const RequestAttributes& attrs, const UserInfo& user);
  HttpResponse create(const HttpRequest& request, const ResourceType& type, const std::string& ns);
  HttpResponse update(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                      const std::string& name);
  HttpResponse list(const HttpRequest& request, const ResourceType& type, const std::string& ns);
  HttpResponse watch(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                     const std::string& name);
  HttpResponse remove(const HttpRequest& request, const ResourceType& type, const std::string& ns,
                      const std::string& name);
  /// pods/eviction: the Eviction API (policy/v1 Eviction body; 201 with a Success Status).
  HttpResponse evict(const HttpRequest& request, const std::string& ns, const std::string& name);
  /// Removes a pod the way a finished deletion does, `shown` being its last state.
  void remove_pod(const std::string& ns, const std::string& name, nlohmann::json shown);
  /// Fires the disruptions due by now, records their changes and events, removes the pods they end.
  void sync_disruptions();
  HttpResponse access_review(const HttpRequest& request, const UserInfo& user);
  /// pods/exec, or with attach pods/attach (the container's shell reads the stdin).
  HttpResponse exec(const HttpRequest& request, const std::string& ns, const std::string& name, bool attach = false);
  /// pods/log: what the container wrote (fakes/kube/pod_logs.h), whole or followed; in api_server_logs.cc.
  HttpResponse pod_log(const HttpRequest& request, const std::string& ns, const std::string& name);
  /// Writes the start-up output of the pod's service daemons (dockerd's) into their containers' logs, once.
  void write_daemon_logs(const nlohmann::json& pod);
  /// The pod's containers started at `at`: the kubelet's Created and Started events, dated then (so events
  /// list in time order), and the service daemons that fail at their start (unprivileged dockerd) end.
  void containers_started(const StoredObject& pod, TimePoint at);
  /// Starts the main process of the pod's containers that run their own command (container_command.h), at `at`.
  void start_own_commands(const nlohmann::json& pod, TimePoint at);
  /// The pod as container's processes see it: its env from Secrets and ConfigMaps resolved, and their
  /// volumes projected into the pod's files.
  nlohmann::json process_pod(const nlohmann::json& pod, const std::string& container);

  ApiResult<nlohmann::json> create_object(const ResourceType& type, const std::string& ns, nlohmann::json object);
  nlohmann::json present(const ResourceType& type, const StoredObject& stored) const;
  /// The Node objects served: the scheduler's nodes, or the one node pods go to when none is declared.
  std::vector<nlohmann::json> node_objects() const;
  /// When a pod's status next changes by itself (its containers start), or nothing.
  std::optional<TimePoint> pod_running_at(const StoredObject& pod) const;
  /// Plans the image pulls of pods bound by now and records the image events due.
  void sync_images();
  /// The image model's states of a pod at `at` (nullopt when pulls are not modelled).
  std::optional<PodImageStates> image_states(const std::string& uid, TimePoint at) const;
  /// Records the pod status changes due by now as MODIFIED events, in the order they happened.
  void sync_lifecycle();
  /// Records a MODIFIED event for each started pod whose presented status changed since the last one.
  void record_status_changes();
  /// The StatusSyncMemo key of now.
  StatusSyncKey status_sync_key() const;
  /// The earliest pod status change still to record.
  std::optional<TimePoint> next_lifecycle_change() const;
  /// The stored pod of a starts_pending_ entry, or nullptr when it is gone, replaced or recorded.
  const StoredObject* pending_pod(const std::string& uid, const std::pair<std::string, std::string>& key) const;
  /// When the kubelet took the pod (bound, or created when no scheduler is modelled); none while unbound.
  std::optional<TimePoint> kubelet_start(const StoredObject& pod) const;
  /// The pod's secret or configMap volume whose object is missing, if any.
  std::optional<MountFailure> missing_mount(const nlohmann::json& pod) const;
  /// The stored Secret, or nullptr.
  const nlohmann::json* find_secret(const std::string& ns, const std::string& name) const;
  /// The namespace's PodDisruptionBudgets with their status.
  std::vector<nlohmann::json> budgets(const std::string& ns) const;
  /// Records the kubelet's container events due by now (deadlines, mount failures, config errors).
  void sync_container_events();
  /// Records the kubelet's BackOff events due by now for containers running their own command.
  void record_back_off_events();
  /// Records the Created/Started events of the containers started so far in ns (every namespace when empty),
  /// of pod `name` only when it is given.
  void record_start_events(const std::string& ns, const std::string& name);

  Clock& clock_;
  Random random_;
  ContainerWorldFactory& worlds_;
  Store store_;
  Authorizer authorizer_;
  CallLog log_;
  PodTiming timing_;
  VersionInfo version_;
  std::map<std::string, UserInfo> tokens_;
  bool anonymous_auth_ = true;
  PodResources pods_;                              ///< pod IPs and volumes, by pod uid
  AttachedShells attached_;                        ///< what attached containers' shells have read of their stdin
  ContainerLogs container_logs_;                   ///< what the containers wrote to stdout and stderr
  std::set<std::string> daemon_logs_written_;      ///< uids whose service daemons' output is in the logs
  ContainerMemory container_memory_;               ///< the containers' memory cgroups
  ContainerStates container_states_;               ///< containers that ended, kubelet events owed
  ContainerCommands commands_;                     ///< the runs of containers that run their own command
  ContainerStartEvents start_events_;              ///< container starts whose Created/Started are recorded
  std::optional<int64_t> run_once_deadline_;       ///< RunOnceDurationOverride's activeDeadlineSeconds
  std::optional<SandboxFailure> sandbox_failure_;  ///< a broken CNI: no pod gets a sandbox
  Scheduler scheduler_;
  PodAdmission admission_;
  std::vector<std::string> warnings_;  ///< admission warnings for the create being answered
  Duration admission_delay_{0};        ///< how long admission held the create being answered
  bool seeding_ = false;               ///< seed() is creating: admission is skipped
  EventLog events_;
  ImageModel images_;
  Disruptions disruptions_;
  /// The pods whose start is not in the history yet (all others are), by when it is due; mutable because
  /// next_lifecycle_change() re-keys pods whose start moved (a cache of pod_running_at, not state).
  mutable PodStartSchedule starts_pending_;
  mutable RunningStatusMemo running_statuses_;  ///< present() is const; the memo only saves work
  ServedBodies served_;  ///< the last body of each pod GET, served again while the pod shows the same
  /// The pods sync_container_events looks at.
  KubeletSyncIndex kubelet_sync_;
  TimePoint started_;                            ///< when the default node joined
  std::set<std::string> running_recorded_;       ///< uids of pods whose start is in the history
  std::map<std::string, nlohmann::json> shown_;  ///< uid -> the pod as its last MODIFIED event showed it
  /// What the last record_status_changes saw, so that the next presents only the pods changed since.
  StatusSyncMemo status_sync_;
  /// Whether a pod watch was ever opened: only then are status changes recorded as MODIFIED events (presenting
  /// every started pod on every request is the fake's quadratic cost with a thousand jobs, and the runner
  /// releases kexsim models never watch pods).
  bool pods_watched_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< watches hold it weakly: they end when we go
  std::shared_ptr<LifecycleTicker> ticker_;                ///< made by the first watch, shared by all
};

}  // namespace kexsim::fakes

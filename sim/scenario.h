#pragma once
// A scenario: one TOML file describing a field failure (or a behaviour) end to end — the runner's
// config.toml, the jobs GitLab hands out, the cluster, the network, and what must be seen.
// The format is documented in docs/scenarios.md.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "executor/config.h"
#include "fakes/faults/fault_rule.h"
#include "fakes/gitlab/job.h"
#include "fakes/gitlab/project.h"
#include "fakes/kube/container_states.h"
#include "fakes/kube/disruption.h"
#include "fakes/kube/images.h"
#include "fakes/kube/admission_webhooks.h"
#include "fakes/kube/nodes.h"
#include "fakes/kube/scheduler.h"
#include "fakes/runtime/world.h"

namespace kexsim::sim {

/// A host on the simulated network, named as the field names it.
struct NetworkHost {
  std::string name;
  std::string serves;   ///< "gitlab" | "kubernetes" | "" (nothing listens)
  std::string address;  ///< the address it listens on, e.g. 10.0.0.216
  int port = 443;
  std::string tls = "ok";  ///< ok | reset | untrusted | wrong-name | expired | none
};

/// What one side (the runner host, or pods) resolves and reaches.
struct NetworkView {
  std::map<std::string, std::string> dns;                  ///< name -> address
  std::vector<std::string> unreachable, refused, timeout;  ///< addresses, or address:port
};

/// What one job (by id) must show; unset fields are not checked ([[expect.jobs]]).
struct JobExpectation {
  int64_t id = 0;
  std::optional<std::string> status, failure_reason;
  std::optional<int> exit_code;
  std::vector<std::string> log_contains, log_not_contains;              ///< as Expectations', on this job's log
  std::vector<std::string> log_contains_text;                           ///< substrings some line of its log has
  std::optional<double> started_after_seconds, started_before_seconds;  ///< when the runner took it
};

/// What the run must show; unset fields are not checked.
struct Expectations {
  std::optional<std::string> status;  ///< "success" | "failed"
  std::optional<std::string> failure_reason;
  std::optional<int> exit_code;
  std::vector<std::string> log_contains, log_not_contains;  ///< exact lines of the rendered log
  std::vector<std::string> log_contains_text;               ///< text some line must contain (names vary by seed)
  std::vector<std::string> api_calls_contain;               ///< substrings of Kubernetes call lines
  std::vector<std::string> gitlab_calls_contain;            ///< substrings of GitLab API call lines
  std::optional<int> leftover_pods, leftover_secrets;
  std::optional<double> min_virtual_seconds, max_virtual_seconds;
  std::vector<std::string> runner_log_contains, runner_log_not_contains;  ///< substrings of runner log lines
  std::vector<JobExpectation> jobs;                                       ///< per-job checks
};

/// A file on the runner host ([[runner.host_files]]): a kubeconfig, a token, a certificate.
struct RunnerHostFile {
  std::string path;     ///< absolute, on the runner host
  std::string content;  ///< verbatim, with @apiserver, @simulation-ca-data, ... replaced when written
};

/// [[gitlab.runners]]: what GitLab registered for one runner token (its jobs' CI_RUNNER_* variables).
struct RunnerRegistration {
  std::string token;                       ///< empty: the first [[runners]] entry's
  std::optional<int64_t> id;               ///< default: the [[runners]] entry's position, from 1
  std::optional<std::string> description;  ///< default: the [[runners]] entry's name (register's description)
  std::vector<std::string> tags;
};

/// A loaded, validated scenario file, with its config.toml parsed once (run, check and serve use
/// `config`; nothing parses runner_config again).
struct Scenario {
  std::string path;
  std::string name;
  std::string group;  ///< the parent folder's name
  std::string reproduces, cause, fix, description;
  std::string profile = "19.4";  ///< GitLab Runner wording: "19.4" | "13.12"
  uint64_t seed = 1;
  std::string runner_hostname = "gitlab-runner-7c9d8b6f4-x2x8p";
  bool runner_in_cluster = true;  ///< the runner runs in a pod (in-cluster discovery works)
  std::map<std::string, std::string>
      runner_files;                         ///< files on the runner host: path -> "simulation-ca" | "untrusted-ca"
  std::vector<std::string> revoked_tokens;  ///< runner tokens GitLab no longer accepts
  std::vector<RunnerRegistration> registrations;  ///< [[gitlab.runners]] (sim/scenario_jobs.h)
  std::string runner_config;                ///< config.toml text, verbatim
  int runner_config_line = 0;               ///< scenario line where config.toml line 1 is
  executor::Config config;                  ///< runner_config as the executor reads it; has at least one [[runners]]
  std::string gitlab_url;                   ///< default: the first runner's url
  std::vector<fakes::JobDefinition> jobs;
  std::vector<std::string> namespaces;  ///< created at start
  std::string runner_identity = "system:serviceaccount:default:default";
  std::vector<nlohmann::json> cluster_objects;  ///< RBAC objects and ServiceAccounts, Kubernetes JSON
  std::string kubernetes_version;               ///< [cluster] kubernetes_version, e.g. "1.29"; "" = the default (1.33)
  int kubernetes_minor = 33;                    ///< its minor version
  std::vector<fakes::NodeSpec> nodes;           ///< [[cluster.nodes]]; none: one node that takes every pod
  std::vector<fakes::NodeGroup> node_groups;    ///< [[cluster.autoscaler]]
  fakes::ImageSettings images;                  ///< [[cluster.registries]], [cluster.image_pulls]
  std::vector<fakes::WebhookSpec> webhooks;     ///< [[cluster.webhooks]] (sim/scenario_admission.h)
  double pod_pending_seconds = 2;
  bool pod_never_starts = false;
  /// kube-apiserver --anonymous-auth: requests without a bearer token are system:anonymous (true) or 401.
  bool anonymous_auth = true;
  std::map<std::string, fakes::CommandSpec> commands;    ///< container commands the scenario defines
  std::vector<fakes::ServiceModel> service_models;       ///< [[cluster.services]]: late daemons, dind overrides
  int cgroup_version = 2;                                ///< [cluster] cgroup_version: the nodes' cgroups
  bool single_process_oom_kill = false;                  ///< [cluster] single_process_oom_kill (kubelet 1.32+)
  std::optional<int64_t> run_once_deadline;              ///< [cluster] run_once_active_deadline_seconds
  std::optional<fakes::SandboxFailure> sandbox_failure;  ///< [cluster.sandbox_failure]: a broken CNI
  std::map<std::string, uint64_t> repository_sizes;      ///< [gitlab] repository_sizes: project -> pack bytes
  std::vector<fakes::ProjectDefinition> projects;        ///< [[gitlab.projects]] (sim/scenario_git.h)
  std::vector<fakes::DisruptionPlan> disruptions;        ///< [[cluster.disruptions]] (sim/scenario_disruption.h)
  std::vector<NetworkHost> hosts;
  NetworkView runner_view, pod_view;
  std::map<std::string, std::string> cluster_dns;  ///< extra cluster DNS records: name -> address
  std::vector<fakes::FaultRule> faults;            ///< [[faults]], in file order
  Expectations expect;

  /// [runner] env: the runner process's environment (KUBECONFIG, HOME).
  std::map<std::string, std::string> runner_env;
  /// [[runner.host_files]] (sim/scenario_runner_host.h).
  std::vector<RunnerHostFile> runner_host_files;
};

/// Reads and validates a scenario file.
Result<Scenario> load_scenario(const std::string& path);

/// Validates scenario text; `path` names the file in messages and gives the group.
Result<Scenario> parse_scenario(const std::string& text, const std::string& path);

/// Every *.toml under dir (recursively), sorted; a .toml file given as dir is returned alone.
std::vector<std::string> list_scenarios(const std::string& dir);

}  // namespace kexsim::sim

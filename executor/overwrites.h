#pragma once
// What a job's KUBERNETES_* variables change in its pod, within what config.toml allows
// (executors/kubernetes/overwrites.go createOverwrites).

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "executor/config.h"
#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// Requests and limits of one container kind: resource name ("cpu", "memory", "ephemeral-storage")
/// -> canonical quantity text, as the pod carries them.
struct ResourceLists {
  std::map<std::string, std::string> requests, limits;
  /// Whether neither list holds anything.
  bool empty() const { return requests.empty() && limits.empty(); }
};

/// The effective settings of one job: config.toml's values with the job's allowed overwrites applied.
struct Overwrites {
  std::string namespace_;  ///< before namespace_per_job and the "default" fallback
  std::string service_account;
  std::string bearer_token;
  std::map<std::string, std::string> pod_labels;  ///< not yet expanded (buildLabels expands them)
  std::map<std::string, std::string> pod_annotations;
  std::map<std::string, std::string> node_selector;
  std::map<std::string, std::string> node_tolerations;  ///< "key[=value]" -> effect
  ResourceLists build, helper, service, pod;
  /// Per-service resources from a service's own KUBERNETES_SERVICE_* variables (16.9+), by container name.
  std::map<std::string, ResourceLists> explicit_service;

  /// The resources of a service container: its explicit ones when it has them, else the common ones.
  const ResourceLists& service_resources(const std::string& container) const;
};

/// Evaluates every overwrite the release has. Errors carry upstream's text without the
/// "couldn't prepare overwrites: " prefix (see prepare_overwrites_error); the hint says which key allows it.
/// The job-log lines ("\"Namespace\" overwritten with \"ci-a\"") go to *log as they are evaluated.
/// runner_environment ([[runners]] environment, "K=V") comes before the job's variables, as in GetAllVariables.
Result<Overwrites> create_overwrites(const KubernetesConfig& config, const Job& job, Profile profile,
                                     std::vector<std::string>* log = nullptr,
                                     const std::vector<std::string>& runner_environment = {});

/// Applies a service's own KUBERNETES_SERVICE_{CPU,MEMORY,EPHEMERAL_STORAGE}_{LIMIT,REQUEST}
/// variables (evaluateExplicitServiceResourceOverwrite), bounded by the service_*_overwrite_max_allowed keys.
Status add_service_overwrites(const KubernetesConfig& config, const std::string& container,
                              const std::vector<JobVariable>& service_variables, Overwrites& out,
                              std::vector<std::string>* log = nullptr);

/// The job-log error of a failed create_overwrites: "couldn't prepare overwrites: <error>".
std::string prepare_overwrites_error(const std::string& inner);
/// The job-log error of a failed add_service_overwrites.
std::string prepare_service_overwrites_error(const std::string& inner);

/// Whether a label key lies in the runner.gitlab.com namespace, which pod_labels may not set (17.9+).
bool is_protected_label_key(const std::string& key);

}  // namespace kexsim::executor

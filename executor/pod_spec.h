#pragma once
// The build pod and the registry-credentials secret, as v1 JSON objects (§2 of the reference).

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/config.h"
#include "executor/docker_auth.h"
#include "executor/job.h"
#include "executor/job_user.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The images a job's pod runs, as GitLab Runner resolves them once for both the log line
/// ("Using Kubernetes executor with image ...") and the pod.
struct PodImages {
  std::string build;   ///< the job's image, else [runners.kubernetes] image; variables expanded
  std::string helper;  ///< [runners.kubernetes] helper_image (expanded), else default_helper_image()
};

/// Resolves the images, expanded with vars (image_expansion_variables(); common/build.go
/// expandContainerOptions the job's, checkDefaults and getHelperImage the config's). Error: no image
/// at all (messages::no_image_specified()).
Result<PodImages> resolve_images(const RunnerConfig& runner, const Job& job, Profile profile,
                                 const std::vector<JobVariable>& vars);

struct Overwrites;

/// Everything build_pod needs; the caller has already chosen names and created the secret.
struct PodInputs {
  const RunnerConfig* runner = nullptr;
  const Job* job = nullptr;
  Profile profile = Profile::kV19_4;
  std::string namespace_;
  std::string name;                    ///< metadata.name; empty: use generate_name (13.12)
  std::string generate_name;           ///< metadata.generateName when name is empty
  PodImages images;                    ///< from resolve_images(); an empty field is resolved again
  std::string registry_secret;         ///< name of the credentials secret; empty: none
  bool host_aliases_supported = true;  ///< false when GET /version said < 1.7 or failed
  int concurrent_id = 0;               ///< ProjectRunnerID ("concurrent-N")
  std::string short_token;
  std::string project_dir;                           ///< CI_PROJECT_DIR (file variables live in "<dir>.tmp")
  std::vector<JobVariable> variables;                ///< every variable (executor/predefined_variables.h)
  std::map<std::string, std::string> pull_policies;  ///< container -> imagePullPolicy ("" or absent: none)
  /// The attach strategy's directories (executor/attach_strategy.h); both empty: the legacy exec
  /// strategy, without the scripts/logs volumes and the init-permissions container.
  std::string scripts_dir, logs_dir;
  /// The job's evaluated overwrites (executor/overwrites.h); null: evaluated from the config and job here.
  const Overwrites* overwrites = nullptr;
};

/// The full v1 Pod for a job (with scripts_dir/logs_dir: the attach strategy's volumes and
/// init-permissions container; without: the legacy exec strategy's pod). Errors: no image at all, an
/// invalid explicit service alias for hostAliases.
/// Labels follow 19.4 for both profiles.
Result<nlohmann::json> build_pod(const PodInputs& in);
/// The build pod's labels (buildLabels) for unique_name (ProjectUniqueName); the pod informer selects by them.
nlohmann::json pod_labels(const PodInputs& in, const std::string& unique_name);

/// The lines GitLab Runner prints while it builds the containers (services in pod order, then build):
/// the job's `kubernetes: user` (parse and allow-list warnings, "Overriding user ... is not allowed") and
/// a refused image (executor/allowed_images.h), after which it builds no more.
std::vector<SetupLine> pod_setup_lines(const PodInputs& in);

/// One service container of the job pod: its container name and the service's own variables.
struct ServiceContainer {
  std::string name;
  std::vector<JobVariable> variables;
  std::string image;    ///< the container's image (the service's name, expanded)
  std::string aliases;  ///< the service's alias field as given ("a,b" or "a b")
  size_t declared = 0;  ///< its place in config.toml's services then the job's
};
/// The pod's service containers in pod order (sorted by name, as getSortedServiceNames), config.toml's
/// services then the job's, named as build_pod names them; for waitForServices.
std::vector<ServiceContainer> service_containers(const PodInputs& in);

/// The helper image the profile uses when the config names none.
std::string default_helper_image(Profile p);

/// The default helper image's repository with the tag's ':' (14.0+ registry.gitlab.com, else Docker Hub).
std::string helper_image_repository(Profile p);

/// The default helper image tag after "<arch>-": "v<version>" (16.8+) or the revision.
std::string helper_image_tag(Profile p);

/// The kubernetes.io/dockercfg Secret holding the resolved registry credentials (executor/docker_auth.h).
/// Exactly one of name (19.4, client-side) and generate_name (13.12, server-side) is set.
nlohmann::json build_registry_secret(const std::string& namespace_, const std::string& name,
                                     const std::string& generate_name, const std::vector<RegistryAuth>& registries);

/// Host names the pod gets for a service image ("docker:dind" -> docker,
/// "registry.example.com:5000/group/img:1" -> registry.example.com-group-img); only names that
/// are valid DNS-1123 subdomains.
std::vector<std::string> service_image_host_names(const std::string& image);

}  // namespace kexsim::executor

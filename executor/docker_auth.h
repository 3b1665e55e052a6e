#pragma once
// Registry credentials for the job's pull secret as the runner resolves them (helpers/docker/auth):
// $DOCKER_AUTH_CONFIG first, then the runner's home-directory docker config (none in kexsim), then
// the job payload's registry credentials; the first source to name a registry wins.

#include <string>
#include <vector>

#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// One registry's credentials (auth.RegistryInfo with its types.AuthConfig).
struct RegistryAuth {
  std::string key;     ///< the dockercfg key: ServerAddress (18.3+) or the registry's hostname (before)
  std::string path;    ///< what "the same registry" means: registry path (18.3+) or hostname
  std::string source;  ///< "$DOCKER_AUTH_CONFIG" or "job payload (GitLab Registry)"
  std::string username, password, email, server_address, identity_token, registry_token;
};

/// What resolve_docker_auth found: the credentials and the job log warnings (18.11+) of failed sources.
struct DockerAuth {
  std::vector<RegistryAuth> registries;
  std::vector<std::string> warnings;  ///< without the "WARNING: " prefix
};

/// Build.GetDockerAuthConfig: the DOCKER_AUTH_CONFIG variable among all of the job's (expanded) variables.
std::string docker_auth_config(const std::vector<JobVariable>& variables, Profile p);

/// Resolves the credentials: docker_auth_config is the DOCKER_AUTH_CONFIG variable's value ("" if unset).
DockerAuth resolve_docker_auth(Profile p, const std::string& docker_auth_config,
                               const std::vector<JobCredential>& credentials);

/// The `.dockercfg` JSON of the secret: key -> AuthConfig as Go's json.Marshal writes it.
std::string dockercfg_json(const std::vector<RegistryAuth>& registries);

/// auth.convertToRegistryPath (18.3+): a server address as a registry path.
std::string registry_path(const std::string& server_address);

/// auth.convertToHostname (before 18.3): a server address as a lowercase hostname.
std::string registry_hostname(const std::string& server_address);

}  // namespace kexsim::executor

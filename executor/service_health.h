#pragma once
// GitLab Runner's wait for services on Kubernetes (executors/kubernetes/kubernetes.go waitForServices,
// 16.9+): which services ask for a TCP health check, the helper command Prepare execs for it, and the
// job log line when the pod fails during the wait.

#include <string>
#include <string_view>
#include <vector>

#include "executor/pod_spec.h"

namespace kexsim::executor {

/// The service's HEALTHCHECK_TCP_PORT (spec.Variables.Get: the last one set wins), or "" when unset.
std::string health_check_port(const std::vector<JobVariable>& variables);

/// `gitlab-runner-helper health-check --port 'P' ...` with one `--port 'P' ` per service that sets
/// HEALTHCHECK_TCP_PORT, in the services' order (trailing space included, as upstream builds it);
/// "" when no service asks for a check (Prepare then does not wait).
std::string health_check_command(const std::vector<ServiceContainer>& services);

/// `Health check aborted due to error:  <err>`: BuildLogger.Println's Sprintln puts a space between its
/// two operands, the first of which already ends with one.
std::string health_check_aborted(std::string_view error);

}  // namespace kexsim::executor

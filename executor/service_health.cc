#include "executor/service_health.h"

namespace kexsim::executor {

std::string health_check_port(const std::vector<JobVariable>& variables) {
  // common/spec/variables.go value: slices.Backward, the first match from the end.
  for (auto it = variables.rbegin(); it != variables.rend(); ++it)
    if (it->key == "HEALTHCHECK_TCP_PORT") return it->value;
  return {};
}

std::string health_check_command(const std::vector<ServiceContainer>& services) {
  // kubernetes.go waitForServices: fmt.Fprintf(&portArgs, "--port '%s' ", port) per service, then
  // helperBinaryName + " health-check " + portArgs.
  std::string ports;
  for (const ServiceContainer& s : services) {
    const std::string port = health_check_port(s.variables);
    if (!port.empty()) ports += "--port '" + port + "' ";
  }
  if (ports.empty()) return {};
  return "gitlab-runner-helper health-check " + ports;
}

std::string health_check_aborted(std::string_view error) {
  // kubernetes.go waitForServices: s.BuildLogger.Println("Health check aborted due to error: ", err.Error()).
  return "Health check aborted due to error:  " + std::string(error);
}

}  // namespace kexsim::executor

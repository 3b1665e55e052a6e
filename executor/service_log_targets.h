#pragma once
// CI_DEBUG_SERVICES' plan: which containers' logs a job follows and how their lines read in the trace
// (executors/kubernetes/kubernetes.go captureServiceContainersLogs, helpers/service/logger.go). Apart from
// the streaming (executor/service_logs.h) so that `kexsim render` can list the calls without the client.

#include <string>
#include <string_view>
#include <vector>

#include "executor/pod_spec.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// One container whose log is followed, and the name its lines carry.
struct ServiceLogTarget {
  std::string container;  ///< the pod's container ("svc-0", an alias, or before 19.0 "build" too)
  std::string name;       ///< NAME of "[service:NAME] "
};

/// The image before its first ':' and the service's aliases, joined by '-' (15.11+: every alias of
/// `aliases`, split on commas and blanks; before: the alias field as it is, even empty).
std::string service_log_name(std::string_view image, std::string_view aliases, Profile profile);

/// The containers a CI_DEBUG_SERVICES job follows, in order: for each service (the config's then the job's;
/// 17.11+ in container-name order), every container of the pod with the service's image (19.0+: service
/// containers only; before, the build or helper container too when its image is the same).
std::vector<ServiceLogTarget> service_log_targets(const std::vector<ServiceContainer>& services,
                                                  const std::string& build_image, const std::string& helper_image,
                                                  Profile profile);

/// InlineServiceLogWriter.Write: each line of one read, the last one even without its newline, between
/// ANSI_GREY "[service:NAME] " and ANSI_RESET "\n".
std::string inline_service_log(std::string_view name, std::string_view bytes);

}  // namespace kexsim::executor

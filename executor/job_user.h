#pragma once
// The user a job asks its containers to run as (`image:` / `services:` `kubernetes: user: "uid[:gid]"`,
// the payload's executor_opts.kubernetes.user), judged against allowed_users / allowed_groups and the
// configured security contexts as GitLab Runner does (executors/kubernetes/kubernetes.go
// getContainerUIDGID, getSecurityContextWithUIDGID; before 18.4 setSecurityContextUser).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "executor/profile.h"
#include "executor/security_context.h"

namespace kexsim::executor {

struct KubernetesConfig;

/// A line the runner prints while it sets up a container (its securityContext, its image check).
struct SetupLine {
  bool warning = false;  ///< BuildLogger.Warningln (else Println)
  std::string text;
  bool error = false;  ///< BuildLogger.Errorln
};

/// What the job's user does to one container: the ids to write over the securityContext (none: keep
/// what the configuration gives) and the lines printed on the way.
struct JobUserIds {
  std::optional<int64_t> uid, gid;
  std::vector<SetupLine> lines;
};

/// The job's `user` (already expanded where the release expands it) for the container `name` of
/// `kind`. The helper and init-permissions containers never take the job's user; releases before
/// 17.11 ignore it.
JobUserIds job_user_ids(const KubernetesConfig& kube, ContainerKind kind, const std::string& name,
                        const std::string& user, Profile profile);

/// Writes the ids over a container's securityContext (an object).
void apply_job_user(const JobUserIds& ids, nlohmann::json& security_context);

}  // namespace kexsim::executor

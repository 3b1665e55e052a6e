#pragma once
// The attach strategy's pod side: a container's main process (the shell `sh -c <detect>` starts,
// reading stdin) fed by `pods/attach`, and `gitlab-runner-helper read-logs` following the shared
// log file over virtual time. Scripts tee into the `logs` emptyDir; their appends land at the
// virtual time the script wrote them, so the follower sees each line when upstream's would.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fakes/http/types.h"
#include "fakes/kube/exec.h"
#include "fakes/runtime/shell_state.h"

namespace kexsim::fakes {

/// What each attached container's shell has read of its stdin but not run yet: a line is run when
/// its newline arrives (the runner types one line per stage), a partial one waits for the rest.
class AttachedShells {
 public:
  /// Appends data to the stdin of container in the pod with uid; returns the complete lines, in order.
  std::vector<std::string> feed(const std::string& uid, const std::string& container, const std::string& data);

 private:
  std::map<std::pair<std::string, std::string>, std::string> partial_;
};

/// Makes the directories container mounts volumes at (the kubelet does before it starts), so a
/// script can write under them.
void make_mount_dirs(const nlohmann::json& pod, const std::string& container, shell::Volumes& volumes);

/// The mount paths of the pod's `logs` volume in container: the directories whose appends are timed.
std::vector<std::string> timed_log_dirs(const nlohmann::json& pod, const std::string& container);

/// The runner of an accepted attach: the stdin that arrives is typed into the container's shell,
/// each complete line run by the shell model at once (background jobs included) with its log
/// appends queued on volumes at their times. With stdout asked for (kubectl attach), the line's
/// output is played back too. The session ends when stdin does, with Success.
ExecRunner make_attach_runner(const nlohmann::json& pod, const std::string& container, bool want_output,
                              AttachedShells& shells, ContainerWorldFactory& worlds, Clock& clock,
                              std::shared_ptr<shell::Volumes> volumes, ExecContainer target = {});

/// True when argv is `gitlab-runner-helper read-logs ...`.
bool is_read_logs(const std::vector<std::string>& command);

/// The outcome of a read-logs exec: a follower that waits for the file (--wait-file-timeout),
/// prints it from --offset and polls it every 500 ms of virtual time, ending with exit 100 when
/// the file (or the pod) goes, as commands/helpers/read_logs.go does. It holds the volumes weakly:
/// a deleted pod ends it.
ExecOutcome follow_read_logs(const std::vector<std::string>& command, Clock& clock,
                             std::weak_ptr<shell::Volumes> volumes);

}  // namespace kexsim::fakes

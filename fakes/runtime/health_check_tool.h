#pragma once
// A model of `gitlab-runner-helper health-check` (commands/helpers/health_check.go upstream), which the
// Kubernetes executor execs in the helper container to wait for services: one dialer per --port against
// the pod's localhost, each dialing once a second until the port accepts, every attempt printed.

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace kexsim::fakes::shell {

struct ToolContext;

/// The model stops waiting after this long (upstream waits until its context ends, i.e. until the runner
/// gives up on Prepare; a job that allows longer than this sees the model give up first).
inline constexpr Duration kHealthCheckModelLimit = std::chrono::hours(6);

/// The --port / -p values of `health-check` arguments (after the command name), in order; an error for an
/// unknown flag or a flag without its value, worded as urfave/cli's "flag provided but not defined: -x".
Result<std::vector<std::string>> health_check_ports(const std::vector<std::string>& args);

/// What one port's dialer does: the dials it makes (each printed as "dialing localhost:P...") and whether the
/// last one succeeded. `answers_at(t)` says whether a dial at time t (since the start) connects; `dial_cost`
/// is how long a failed dial takes (refused: 0; a black hole: its connect timeout, capped at 5 minutes).
struct PortDials {
  std::vector<Duration> dials;  ///< when each dial starts, since the command started
  bool succeeded = false;
};

/// Plans one port's dial loop (checkPort): dial, on error sleep 1 s and dial again, until a dial connects or
/// `limit` is reached.
template <typename AnswersAt>
PortDials plan_port_dials(AnswersAt answers_at, Duration dial_cost, Duration limit) {
  PortDials out;
  const Duration cost = std::min<Duration>(dial_cost, std::chrono::minutes(5));  // DialContext's timeout
  for (Duration t{0}; t <= limit; t += cost + std::chrono::seconds(1)) {
    out.dials.push_back(t);
    if (answers_at(t)) {
      out.succeeded = true;
      break;
    }
  }
  return out;
}

/// `gitlab-runner-helper health-check --port P ...`: prints "waiting for TCP connection to localhost on [P
/// ...]...", then each port's dials and "dial succeeded on localhost:P. Exiting..."; exits 0 once every port
/// answered (waitAll), 1 when the model's limit ran out first.
int health_check(ToolContext& ctx);

}  // namespace kexsim::fakes::shell

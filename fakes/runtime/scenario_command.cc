#include "fakes/runtime/scenario_command.h"

#include <algorithm>

namespace kexsim::fakes::shell {

int run_scenario_command(const CommandSpec& spec, const std::string& name, Session& session, const Io& io) {
  session.write(io.out, spec.stdout_text);
  const uint64_t bytes = spec.memory_bytes ? spec.memory_bytes : footprint::kCommand;
  const OomVerdict oom = session.charge(name, bytes);
  if (oom.kind != OomVerdict::Kind::kGrowerKilled && oom.kind != OomVerdict::Kind::kContainerDied) {
    session.write(io.err, spec.stderr_text);
    session.now += spec.duration;
    return spec.exit_code;
  }
  // The footprint grows evenly over the run: the kill comes when it crosses what the others leave.
  const uint64_t others = oom.usage > bytes ? oom.usage - bytes : 0;
  const uint64_t limit = session.memory && session.memory->limit() ? *session.memory->limit() : bytes;
  const double room = limit > others ? static_cast<double>(limit - others) : 0.0;
  const double fraction = std::clamp(room / static_cast<double>(bytes), 0.0, 1.0);
  session.now += Duration(static_cast<Duration::rep>(static_cast<double>(spec.duration.count()) * fraction));
  return kKilledStatus;
}

}  // namespace kexsim::fakes::shell

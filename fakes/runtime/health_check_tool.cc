#include "fakes/runtime/health_check_tool.h"

#include <algorithm>

#include "base/go_duration.h"
#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {

Result<std::vector<std::string>> health_check_ports(const std::vector<std::string>& args) {
  std::vector<std::string> ports;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool joined = false;
    for (const std::string flag : {"--port=", "-port=", "-p="}) {
      if (a.rfind(flag, 0) != 0) continue;
      ports.push_back(a.substr(flag.size()));
      joined = true;
      break;
    }
    if (joined) continue;
    if (a == "--port" || a == "-port" || a == "-p") {
      // urfave/cli (the flag package): "flag needs an argument: -p".
      if (i + 1 >= args.size()) return make_error("flag needs an argument: " + a, "give the port after --port", a);
      ports.push_back(args[++i]);
      continue;
    }
    if (!a.empty() && a[0] == '-')
      return make_error("flag provided but not defined: " + a.substr(0, a.find('=')), "health-check takes --port only",
                        a);
  }
  return ports;
}

int health_check(ToolContext& ctx) {
  auto ports = health_check_ports({ctx.args.begin() + 2, ctx.args.end()});
  if (!ports) {
    ctx.err("Incorrect Usage: " + ports.error().message + "\n");
    return 1;
  }
  if (ports->empty()) {
    // Without --port upstream reads *_TCP_ADDR / *_TCP_PORT from the environment (the docker executor's
    // way); the Kubernetes executor always passes ports, so kexsim does not model that branch.
    ctx.err("gitlab-runner-helper: kexsim models health-check with --port only\n");
    return 1;
  }
  // health_check.go Execute: with command-line ports the address is localhost (the pod's shared network
  // namespace) and every port must answer (waitAll).
  std::string list;
  for (const std::string& p : *ports) list += (list.empty() ? "" : " ") + p;
  ctx.out("waiting for TCP connection to localhost on [" + list + "]...\n");
  struct Event {
    Duration at;
    size_t port;
    bool last;
    bool ok;
  };
  std::vector<Event> events;
  bool all = true;
  const TimePoint start = ctx.session.start + ctx.session.now;
  for (size_t i = 0; i < ports->size(); ++i) {
    int number = 0;
    const std::string& p = (*ports)[i];
    const bool numeric = !p.empty() && p.size() <= 5 &&
                         std::all_of(p.begin(), p.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
    if (numeric) number = std::stoi(p);
    // A port that is not a number never dials successfully (net.Dial: "unknown port").
    ConnectOutcome first;
    if (numeric) first = connect_with_services(ctx.session.world, "localhost", number, false, start);
    const PodServices* services = ctx.session.world.services();
    const ServiceDaemon* owner = services && numeric ? services->owner(number) : nullptr;
    auto answers_at = [&](Duration t) {
      if (!numeric) return false;
      if (owner) return services->listening(number, start + t) != nullptr;
      return first.kind == ConnectOutcome::Kind::kOk;  // the world's verdict for an unowned port holds
    };
    const Duration cost = owner || !numeric ? Duration{0} : first.elapsed;
    PortDials dials = plan_port_dials(answers_at, cost, kHealthCheckModelLimit);
    for (size_t d = 0; d < dials.dials.size(); ++d) {
      const bool last = d + 1 == dials.dials.size();
      events.push_back({dials.dials[d], i, last, last && dials.succeeded});
    }
    all = all && dials.succeeded;
  }
  // The dialers run side by side; at equal times they print in the order of their ports.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
  const Duration base = ctx.session.now;
  Duration end = base;
  for (const Event& e : events) {
    ctx.session.now = base + e.at;
    // commands/helpers/health_check.go checkPort: "dialing %s..." / "dial succeeded on %s. Exiting...".
    ctx.out("dialing localhost:" + (*ports)[e.port] + "...\n");
    if (e.ok) ctx.out("dial succeeded on localhost:" + (*ports)[e.port] + ". Exiting...\n");
    end = std::max(end, ctx.session.now);
  }
  ctx.session.now = end;
  if (all) return 0;
  ctx.session.now = base + kHealthCheckModelLimit;
  ctx.err("gitlab-runner-helper: kexsim: the health-check model stopped waiting after " +
          go_duration_string(kHealthCheckModelLimit) + "\n");
  return 1;
}

}  // namespace kexsim::fakes::shell

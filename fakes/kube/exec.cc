#include "fakes/kube/exec.h"

#include <algorithm>
#include <cctype>

#include "fakes/kube/attach.h"
#include "fakes/kube/status.h"
#include "fakes/runtime/memory.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_shell(const std::string& program) {
  static const std::vector<std::string> shells = {"sh", "bash", "dash", "ash", "ksh", "zsh"};
  const std::string base = basename_of(program);
  return std::find(shells.begin(), shells.end(), base) != shells.end();
}

bool is_login_flag(const std::string& arg) { return arg == "-l" || arg == "--login" || arg == "-i" || arg == "-s"; }

// The runner's shell-detect script ends in `exec <shell>` (optionally `-l`): its job is to hand stdin
// to a shell, so the exec's stdin is the script that really runs.
bool execs_a_shell(const std::string& script) {
  size_t pos = 0;
  while ((pos = script.find("exec ", pos)) != std::string::npos) {
    pos += 5;
    size_t end = script.find_first_of(" \t\n;", pos);
    const std::string program = script.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!is_shell(program)) continue;
    size_t line_end = script.find('\n', pos);
    std::string rest = script.substr(end == std::string::npos ? script.size() : end,
                                     line_end == std::string::npos ? std::string::npos : line_end - end);
    rest.erase(std::remove_if(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t'; }), rest.end());
    if (rest.empty() || rest == "-l" || rest == "--login") return true;
  }
  return false;
}

// Single-quotes an argument when the shell would otherwise split or expand it.
std::string shell_quote(const std::string& arg) {
  const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string("-_./:=@%+,").find(c) != std::string::npos;
  });
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The kubelet killed the container's processes `after` into the exec: what came later never happened.
void cut_at(ShellResult& result, Duration after) {
  if (after < Duration(0)) after = Duration(0);
  if (result.duration <= after) return;
  std::erase_if(result.output, [after](const OutputChunk& chunk) { return chunk.at > after; });
  result.duration = after;
  result.exit_code = 137;  // SIGKILL, 128 + 9
}

const json* find_container(const json& pod, const std::string& name) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) return nullptr;
  for (const char* list : {"containers", "initContainers"}) {
    const json& spec = pod["spec"];
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list])
      if (c.is_object() && c.value("name", "") == name) return &c;
  }
  return nullptr;
}

}  // namespace

ExecScript exec_script(const std::vector<std::string>& command) {
  std::vector<std::string> argv = command;
  // FF_USE_DUMB_INIT_WITH_KUBERNETES_EXECUTOR wraps the shell: `dumb-init -- sh -c ...`.
  if (!argv.empty() && basename_of(argv[0]) == "dumb-init") {
    auto dashes = std::find(argv.begin(), argv.end(), "--");
    argv.erase(argv.begin(), dashes == argv.end() ? argv.begin() + 1 : dashes + 1);
  }
  if (argv.size() == 1 && argv[0] == "gitlab-runner-build") return {true, {}};
  if (!argv.empty() && is_shell(argv[0])) {
    auto c = std::find(argv.begin() + 1, argv.end(), "-c");
    if (c == argv.end() && std::all_of(argv.begin() + 1, argv.end(), is_login_flag)) return {true, {}};
    if (c != argv.end() && c + 1 != argv.end()) {
      if (execs_a_shell(*(c + 1))) return {true, {}};
      return {false, *(c + 1)};
    }
  }
  std::string joined;
  for (const auto& arg : argv) joined += (joined.empty() ? "" : " ") + shell_quote(arg);
  return {false, joined};
}

ShellOptions exec_options(const json& pod, const std::string& container) {
  ShellOptions options;
  if (const json* c = find_container(pod, container)) {
    if (c->contains("env") && (*c)["env"].is_array())
      for (const auto& e : (*c)["env"])
        if (e.is_object() && e.contains("name") && e["name"].is_string() && e.contains("value") &&
            e["value"].is_string())
          options.env[e["name"].get<std::string>()] = e["value"].get<std::string>();
    if (c->contains("workingDir") && (*c)["workingDir"].is_string() && !(*c)["workingDir"].get<std::string>().empty())
      options.cwd = (*c)["workingDir"].get<std::string>();
  }
  const json& meta = pod.contains("metadata") ? pod["metadata"] : json();
  options.env["HOSTNAME"] = meta.is_object() ? meta.value("name", "") : "";
  return options;
}

// The kubelet's words (kubernetes pkg/kubelet/cri/streaming/remotecommand/exec.go, ServeExec; the
// message wraps containerd's "error executing command [...], exit code N"; k8s-fake.md section 2.1).
std::string exec_status_json(int exit_code, const std::vector<std::string>& command) {
  nlohmann::ordered_json status;
  status["metadata"] = nlohmann::ordered_json::object();
  if (exit_code == 0) {
    status["status"] = "Success";
    return status.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::string joined;
  for (size_t i = 0; i < command.size(); ++i) joined += (i ? " " : "") + command[i];
  const std::string code = std::to_string(exit_code);
  status["status"] = "Failure";
  status["message"] =
      "command terminated with non-zero exit code: error executing command [" + joined + "], exit code " + code;
  status["reason"] = "NonZeroExitCode";
  status["details"]["causes"] = nlohmann::ordered_json::array({{{"reason", "ExitCode"}, {"message", code}}});
  return status.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

ExecOutcome exec_outcome(const ShellResult& result, const std::vector<std::string>& command) {
  ExecOutcome outcome;
  outcome.output.reserve(result.output.size());
  for (const OutputChunk& chunk : result.output)
    outcome.output.push_back(TimedMessage{chunk.at, chunk.stream, chunk.data});  // stream n is channel n
  outcome.duration = result.duration;
  outcome.status_json = exec_status_json(result.exit_code, command);
  return outcome;
}

HttpResponse upgrade_failure_response(UpgradeFailure failure) {
  switch (failure) {
    case UpgradeFailure::kNotWebSocket:
      // apimachinery pkg/util/proxy/upgradeaware.go
      return status_bad_request("Upgrade request required").response();
    case UpgradeFailure::kNoExecRunner:  // kexsim's own wording from here on: no upstream path matches
      return status_internal_error("upgrade without a stream handler").response();
    case UpgradeFailure::kNoCommonProtocol:
      return status_bad_request("unable to upgrade connection: no supported stream protocol").response();
  }
  return status_internal_error("upgrade failed").response();
}

ExecRunner make_exec_runner(const json& pod, const std::string& container, const std::vector<std::string>& command,
                            ContainerWorldFactory& worlds, Clock& clock, std::shared_ptr<shell::Volumes> volumes,
                            ExecContainer target) {
  ContainerWorldFactory* factory = &worlds;
  Clock* time = &clock;
  if (is_read_logs(command)) {  // follows the log over virtual time; a deleted pod's volumes end it
    std::weak_ptr<shell::Volumes> weak = volumes;
    return [time, weak, command](const std::string&) { return follow_read_logs(command, *time, weak); };
  }
  return [factory, time, volumes, pod, container, command, target](const std::string& stdin_data) {
    const ExecScript plan = exec_script(command);
    std::unique_ptr<ContainerWorld> world = factory->world_for(pod, container);
    ExecOutcome outcome;
    if (!world) {
      outcome.status_json =
          R"({"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container: container is not running","reason":"InternalError","details":{"causes":[{"message":"error executing command in container: container is not running"}]},"code":500})";
      return outcome;
    }
    ShellOptions options = exec_options(pod, container);
    options.start = time->now();
    options.volumes = volumes;
    volumes->land_due(options.start);
    make_mount_dirs(pod, container, *volumes);
    options.memory = target.memory;
    const bool was_dead = target.memory && target.memory->dead();
    ShellResult result = interpret(plan.from_stdin ? stdin_data : plan.script, options, *world);
    if (target.memory && target.memory->dead() && !was_dead && target.on_oom_death)
      target.on_oom_death(options.start + result.duration);
    if (target.killed_at) cut_at(result, *target.killed_at - options.start);
    if (target.disrupted)
      if (const std::optional<TimePoint> kill = target.disrupted(options.start, result.output))
        cut_at(result, *kill - options.start);
    return exec_outcome(result, command);
  };
}

}  // namespace kexsim::fakes

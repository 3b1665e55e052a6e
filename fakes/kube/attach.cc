#include "fakes/kube/attach.h"

#include "fakes/runtime/process_table.h"
#include "fakes/runtime/read_logs.h"
#include "fakes/runtime/shell.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const json* container_spec(const json& pod, const std::string& name) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) return nullptr;
  const json& spec = pod["spec"];
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list])
      if (c.is_object() && c.value("name", "") == name) return &c;
  }
  return nullptr;
}

// read-logs following a file: each call of next() reads what landed since the last one, or sleeps
// one poll interval (a missing file: one check interval) first.
class ReadLogsFollower : public ExecFollower {
 public:
  ReadLogsFollower(read_logs::Args args, std::vector<std::string> command, Clock& clock,
                   std::weak_ptr<shell::Volumes> volumes)
      : args_(std::move(args)),
        command_(std::move(command)),
        clock_(clock),
        volumes_(std::move(volumes)),
        offset_(args_.offset),
        attempts_left_(read_logs::open_attempts(args_.wait_file_timeout)) {}

  asio::awaitable<std::optional<std::string>> next() override {
    if (ended_) co_return std::nullopt;
    if (!opened_) co_return co_await open();
    std::shared_ptr<shell::Volumes> volumes = volumes_.lock();
    if (!volumes) co_return end(read_logs::kFileNotExistsExitCode);
    volumes->land_due(clock_.now());
    const shell::File* file = volumes->fs.file(args_.path);
    // checkedFile: at EOF a file that is gone is os.IsNotExist, which exits 100.
    if (!file) co_return end(read_logs::kFileNotExistsExitCode);
    std::string out = read_logs::format_from(file->content, offset_);
    if (!out.empty()) co_return out;
    volumes.reset();
    co_await clock_.sleep_for(read_logs::kPollInterval);
    co_return std::string();
  }

  std::string status_json() const override { return exec_status_json(exit_code_, command_); }

 private:
  asio::awaitable<std::optional<std::string>> open() {
    if (attempts_left_ < 1) {
      end(1);
      co_return read_logs::error_line(args_.path, read_logs::kNoAttempts);
    }
    std::shared_ptr<shell::Volumes> volumes = volumes_.lock();
    if (volumes) volumes->land_due(clock_.now());
    if (volumes && volumes->fs.is_file(args_.path)) {
      opened_ = true;
      co_return std::string();
    }
    volumes.reset();
    if (--attempts_left_ == 0) {
      // fileLogStreamProvider.Open: every attempt slept, the file never came.
      co_await clock_.sleep_for(read_logs::kCheckFileInterval);
      end(1);
      co_return read_logs::error_line(args_.path, read_logs::kWaitingFileTimeout);
    }
    co_await clock_.sleep_for(read_logs::kCheckFileInterval);
    co_return std::string();
  }

  std::optional<std::string> end(int code) {
    ended_ = true;
    exit_code_ = code;
    return std::nullopt;
  }

  read_logs::Args args_;
  std::vector<std::string> command_;
  Clock& clock_;
  std::weak_ptr<shell::Volumes> volumes_;
  int64_t offset_ = 0;
  int attempts_left_ = 0;
  bool opened_ = false;
  bool ended_ = false;
  int exit_code_ = 0;
};

// A follower that has already ended (bad arguments): its output, then its Status.
class EndedFollower : public ExecFollower {
 public:
  EndedFollower(std::string output, std::string status) : output_(std::move(output)), status_(std::move(status)) {}
  asio::awaitable<std::optional<std::string>> next() override {
    if (output_.empty()) co_return std::nullopt;
    co_return std::exchange(output_, {});
  }
  std::string status_json() const override { return status_; }

 private:
  std::string output_;
  std::string status_;
};

}  // namespace

std::vector<std::string> AttachedShells::feed(const std::string& uid, const std::string& container,
                                              const std::string& data) {
  std::string& buffer = partial_[{uid, container}];
  buffer += data;
  std::vector<std::string> lines;
  size_t newline;
  while ((newline = buffer.find('\n')) != std::string::npos) {
    lines.push_back(buffer.substr(0, newline));
    buffer.erase(0, newline + 1);
  }
  return lines;
}

void make_mount_dirs(const json& pod, const std::string& container, shell::Volumes& volumes) {
  const json* c = container_spec(pod, container);
  if (!c || !c->contains("volumeMounts") || !(*c)["volumeMounts"].is_array()) return;
  for (const auto& m : (*c)["volumeMounts"])
    if (m.is_object() && m.contains("mountPath") && m["mountPath"].is_string())
      volumes.fs.make_dir(shell::FileSystem::resolve("/", m["mountPath"].get<std::string>()));
}

std::vector<std::string> timed_log_dirs(const json& pod, const std::string& container) {
  std::vector<std::string> out;
  const json* c = container_spec(pod, container);
  if (!c || !c->contains("volumeMounts") || !(*c)["volumeMounts"].is_array()) return out;
  for (const auto& m : (*c)["volumeMounts"])
    if (m.is_object() && m.value("name", "") == "logs" && m.contains("mountPath") && m["mountPath"].is_string())
      out.push_back(shell::FileSystem::resolve("/", m["mountPath"].get<std::string>()));
  return out;
}

namespace {

// What a SIGKILL at `after` (since the line started) leaves of it: nothing later reaches stdout or the
// log volume, so no exit-status line is written and the runner learns of it from the pod.
void cut_attached_at(ShellResult& result, Duration after) { shell::cut_result_at(result, after, 137); }

}  // namespace

ExecRunner make_attach_runner(const json& pod, const std::string& container, bool want_output, AttachedShells& shells,
                              ContainerWorldFactory& worlds, Clock& clock, std::shared_ptr<shell::Volumes> volumes,
                              ExecContainer target) {
  AttachedShells* typed = &shells;
  ContainerWorldFactory* factory = &worlds;
  Clock* time = &clock;
  return [typed, factory, time, volumes, pod, container, want_output, target](const std::string& stdin_data) {
    ExecOutcome outcome;
    outcome.status_json = exec_status_json(0, {});
    const std::string uid = pod["metadata"].value("uid", std::string());
    for (const std::string& line : typed->feed(uid, container, stdin_data)) {
      // A container whose main shell was OOM-killed reads its stdin no more.
      if (target.memory && target.memory->dead()) break;
      std::unique_ptr<ContainerWorld> world = factory->world_for(pod, container);
      if (!world) break;
      ShellOptions options = exec_options(pod, container);
      options.start = time->now();
      options.volumes = volumes;
      options.timed_paths = timed_log_dirs(pod, container);
      volumes->land_due(options.start);
      make_mount_dirs(pod, container, *volumes);
      // The typed line runs under the container's main shell: its processes share the container's
      // memory cgroup and die with it (fakes/runtime/memory.h), and the deadline kills them all.
      options.memory = target.memory;
      const bool was_dead = target.memory && target.memory->dead();
      ShellResult result = interpret(line, options, *world);
      if (target.memory && target.memory->dead() && !was_dead) {
        cut_attached_at(result, result.duration);
        if (target.on_oom_death) target.on_oom_death(options.start + result.duration);
      }
      if (target.killed_at) cut_attached_at(result, *target.killed_at - options.start);
      if (target.disrupted)
        if (const std::optional<TimePoint> kill = target.disrupted(options.start, result.output))
          cut_attached_at(result, *kill - options.start);
      volumes->schedule(options.start, result.appends);
      if (target.on_output) target.on_output(options.start, result.output);
      if (!want_output) continue;
      for (const OutputChunk& chunk : result.output)
        outcome.output.push_back(TimedMessage{chunk.at, chunk.stream, chunk.data});
    }
    return outcome;
  };
}

bool is_read_logs(const std::vector<std::string>& command) {
  return command.size() >= 2 && command[0] == "gitlab-runner-helper" && command[1] == "read-logs";
}

ExecOutcome follow_read_logs(const std::vector<std::string>& command, Clock& clock,
                             std::weak_ptr<shell::Volumes> volumes) {
  ExecOutcome outcome;
  auto args = read_logs::parse_args({command.begin() + 2, command.end()});
  if (!args) {
    outcome.follow = std::make_shared<EndedFollower>("Incorrect Usage: " + args.error().message + "\n",
                                                     exec_status_json(1, command));
    return outcome;
  }
  args->path = shell::FileSystem::resolve("/", args->path);
  outcome.follow = std::make_shared<ReadLogsFollower>(std::move(*args), command, clock, std::move(volumes));
  return outcome;
}

}  // namespace kexsim::fakes

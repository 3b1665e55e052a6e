#include "fakes/kube/container_command.h"

#include <algorithm>
#include <chrono>

#include "base/hash.h"
#include "base/json_fields.h"
#include "fakes/kube/container_states.h"
#include "fakes/runtime/dind.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

// client-go util/flowcontrol backoff as the kubelet builds it (pkg/kubelet/kubelet.go: backOffPeriod
// 10 s, MaxContainerBackOff 300 s); an entry expires 2 × max after its last update (hasExpired).
constexpr Duration kBackOffFirst = std::chrono::seconds(10);
constexpr Duration kBackOffMax = std::chrono::seconds(300);

json terminated_of(const CommandRun& run) {
  return {{"exitCode", run.exit_code},
          {"reason", run.reason},
          {"startedAt", format_rfc3339(run.start)},
          {"finishedAt", format_rfc3339(run.end)},
          {"containerID", run.container_id}};
}

// The run shown at `now`: the last one started by then (runs start in order).
const CommandRun* current_run(const std::vector<CommandRun>& runs, TimePoint now, size_t* index = nullptr) {
  for (size_t i = runs.size(); i-- > 0;)
    if (runs[i].start <= now) {
      if (index) *index = i;
      return &runs[i];
    }
  return nullptr;
}

}  // namespace

bool runs_own_command(const json& container) {
  const bool has_command = member(container, "command").is_array() && !container["command"].empty();
  const bool has_args = member(container, "args").is_array() && !container["args"].empty();
  const json& stdin_flag = member(container, "stdin");
  if (stdin_flag.is_boolean() && stdin_flag.get<bool>()) return false;
  return (has_command || has_args) && !is_dind_image(text(container, "image"));
}

std::vector<std::string> container_argv(const json& container) {
  std::vector<std::string> argv;
  for (const char* field : {"command", "args"})
    for (const json& word : member(container, field))
      if (word.is_string()) argv.push_back(word.get<std::string>());
  return argv;
}

std::optional<std::pair<TimePoint, Duration>> next_restart(const std::vector<CommandRun>& runs,
                                                           const std::string& restart_policy) {
  if (runs.empty()) return std::nullopt;
  // pkg/kubelet/container/helpers.go ShouldContainerBeRestarted: Always when the policy is unset.
  if (restart_policy == "Never") return std::nullopt;
  if (restart_policy == "OnFailure" && runs.back().exit_code == 0) return std::nullopt;
  // Replay the back-off over every exit: IsInBackOffSince(finishedAt) decides the wait, Next() the new value.
  bool has_entry = false;
  Duration back_off{0};
  TimePoint last_update{};
  std::pair<TimePoint, Duration> next{};
  for (const CommandRun& run : runs) {
    if (!has_entry || run.end - last_update > 2 * kBackOffMax) {
      next = {run.end, Duration(0)};
      back_off = kBackOffFirst;
      has_entry = true;
    } else {
      next = {run.end + back_off, back_off};
      back_off = std::min<Duration>(back_off * 2, kBackOffMax);
    }
    last_update = next.first;
  }
  return next;
}

void ContainerCommands::run_at(Entry& entry, const std::string& uid, const std::string& container, TimePoint at) {
  const ShellResult result = entry.run(at);
  CommandRun run;
  run.start = at;
  run.end = at + result.duration;
  run.exit_code = result.exit_code;
  // containerd pkg/cri/server/helpers.go: completeExitReason / errorExitReason.
  run.reason = result.exit_code == 0 ? "Completed" : "Error";
  // Each restart is a new container with its own id.
  uint64_t state = fnv1a(uid + "/" + container + "/run/" + std::to_string(entry.runs.size()));
  std::string id;
  for (int k = 0; k < 4; ++k) id += hex64(splitmix64(state));
  run.container_id = entry.runs.empty() && !entry.first_id.empty() ? entry.first_id : "containerd://" + id;
  ContainerLogs file;  // the CRI log file of this run only
  for (const OutputChunk& chunk : result.output) file.write(uid, container, at + chunk.at, chunk.stream, chunk.data);
  run.lines = file.lines(uid, container);
  entry.runs.push_back(std::move(run));
}

void ContainerCommands::start(const std::string& uid, const std::string& container, const std::string& restart_policy,
                              TimePoint at, const std::string& id, Runner run) {
  auto [it, added] = entries_.try_emplace({uid, container});
  if (!added) return;  // started once
  it->second.run = std::move(run);
  it->second.policy = restart_policy;
  it->second.first_id = id;
  run_at(it->second, uid, container, at);
}

void ContainerCommands::advance(TimePoint now) {
  for (auto& [key, entry] : entries_)
    while (const auto next = next_restart(entry.runs, entry.policy)) {
      if (next->first > now) break;
      run_at(entry, key.first, key.second, next->first);
    }
}

bool ContainerCommands::has(const std::string& uid, const std::string& container) const {
  return entries_.count({uid, container}) > 0;
}

bool ContainerCommands::has_pod(const std::string& uid) const {
  auto it = entries_.lower_bound({uid, ""});
  return it != entries_.end() && it->first.first == uid;
}

std::optional<TimePoint> ContainerCommands::apply(json& pod, TimePoint now) const {
  json& status = pod["status"];
  if (!status.is_object() || text(status, "phase") != "Running") return std::nullopt;
  const std::string uid = text(member(pod, "metadata"), "uid");
  std::optional<TimePoint> changed;
  const auto note = [&](TimePoint at) { changed = changed ? std::max(*changed, at) : at; };
  for (json& c : status["containerStatuses"]) {
    auto it = entries_.find({uid, text(c, "name")});
    if (it == entries_.end()) continue;
    size_t i = 0;
    const CommandRun* run = current_run(it->second.runs, now, &i);
    if (!run) continue;
    c["restartCount"] = static_cast<int>(i);
    c["containerID"] = run->container_id;
    c["lastState"] = i > 0 ? json{{"terminated", terminated_of(it->second.runs[i - 1])}} : json::object();
    if (i > 0) note(run->start);
    if (now < run->end) {
      c["state"] = {{"running", {{"startedAt", format_rfc3339(run->start)}}}};
      c["ready"] = true;
      c["started"] = true;
      continue;
    }
    note(run->end);
    c["ready"] = false;
    c["started"] = false;
    const auto next = next_restart(it->second.runs, it->second.policy);
    if (!next) {
      c["state"] = {{"terminated", terminated_of(*run)}};
      continue;
    }
    // Waiting out the back-off: the run that ended is the last state (kuberuntime_manager.go doBackOff).
    c["state"] = {{"waiting",
                   {{"reason", "CrashLoopBackOff"},
                    {"message", crash_loop_message(next->second, text(c, "name"), pod)}}}};
    c["lastState"] = {{"terminated", terminated_of(*run)}};
  }
  return changed;
}

std::optional<TimePoint> ContainerCommands::next_change(const std::string& uid, TimePoint now) const {
  std::optional<TimePoint> next;
  const auto consider = [&](TimePoint at) {
    if (at > now && (!next || at < *next)) next = at;
  };
  for (auto it = entries_.lower_bound({uid, ""}); it != entries_.end() && it->first.first == uid; ++it) {
    const CommandRun* run = current_run(it->second.runs, now);
    if (!run) continue;
    consider(run->end);
    if (const auto restart = next_restart(it->second.runs, it->second.policy)) consider(restart->first);
  }
  return next;
}

const std::vector<LogLine>* ContainerCommands::log(const std::string& uid, const std::string& container, bool previous,
                                                   TimePoint now) const {
  auto it = entries_.find({uid, container});
  if (it == entries_.end()) return nullptr;
  size_t i = 0;
  if (!current_run(it->second.runs, now, &i)) return nullptr;
  // pkg/kubelet/kubelet_pods.go validateContainerLogStatus: previous is lastState's container, which
  // while the back-off is waited out is the run that just ended (then the current log is that run too).
  const bool waiting = now >= it->second.runs[i].end && next_restart(it->second.runs, it->second.policy).has_value();
  if (previous && !waiting) return i == 0 ? nullptr : &it->second.runs[i - 1].lines;
  return &it->second.runs[i].lines;
}

void ContainerCommands::record_back_off_events(const json& pod, int kubernetes_minor, TimePoint now,
                                               EventLog& events, const std::string& rv) {
  const json& meta = member(pod, "metadata");
  const std::string uid = text(meta, "uid");
  for (auto it = entries_.lower_bound({uid, ""}); it != entries_.end() && it->first.first == uid; ++it) {
    Entry& entry = it->second;
    // Which exits the kubelet waited after: replay the restarts run by run.
    std::vector<CommandRun> seen;
    for (size_t k = 0; k < entry.runs.size(); ++k) {
      seen.push_back(entry.runs[k]);
      if (k < entry.back_off_events || entry.runs[k].end > now) continue;
      const auto next = next_restart(seen, entry.policy);
      entry.back_off_events = k + 1;
      if (!next || next->second == Duration(0)) continue;
      EventSubject subject;
      subject.ns = text(meta, "namespace");
      subject.name = text(meta, "name");
      subject.uid = uid;
      subject.resource_version = text(meta, "resourceVersion");
      subject.field_path = "spec.containers{" + it->first.second + "}";
      EventRecord record;
      record.type = "Warning";
      record.reason = "BackOff";
      record.message = crash_loop_event_message(it->first.second, pod, kubernetes_minor);
      record.component = "kubelet";
      record.instance = text(member(pod, "spec"), "nodeName");
      events.record_legacy(subject, record, entry.runs[k].end, rv);
    }
  }
}

void ContainerCommands::release(const std::string& uid) {
  for (auto it = entries_.lower_bound({uid, ""}); it != entries_.end() && it->first.first == uid;)
    it = entries_.erase(it);
}

}  // namespace kexsim::fakes

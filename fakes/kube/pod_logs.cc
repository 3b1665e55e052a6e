#include "fakes/kube/pod_logs.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

// The kubelet looks at a followed log file again at least this often (logs.go logForceCheckPeriod).
constexpr Duration kFollowCheckPeriod = std::chrono::seconds(1);

const std::vector<LogLine> kNoLines;

// Booleans as apimachinery's query conversion reads them: anything but "", "0" and "false" is true.
bool flag(const HttpRequest& request, const char* key) {
  const std::string v = request.query_value(key);
  return !v.empty() && v != "0" && !iequals(v, "false");
}

// An int64 query parameter: none when absent, an error message when it does not parse.
std::optional<std::string> integer(const HttpRequest& request, const char* key, std::optional<int64_t>& out) {
  const std::string v = request.query_value(key);
  if (v.empty()) return std::nullopt;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (error != std::errc() || end != v.data() + v.size())
    return "strconv.ParseInt: parsing " + json(v).dump() + ": invalid syntax";
  out = value;
  return std::nullopt;
}

const json* status_of(const json& pod, const std::string& container) {
  const json& status = member(pod, "status");
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    const json& statuses = member(status, list);
    if (!statuses.is_array()) continue;
    for (const json& c : statuses)
      if (text(c, "name") == container) return &c;
  }
  return nullptr;
}

// Lines of `lines` the options keep, before limitBytes: the tail, then those since sinceSeconds/sinceTime.
std::string rendered(const std::vector<LogLine>& lines, size_t from, size_t to, const PodLogOptions& options,
                     TimePoint now) {
  if (options.tail_lines) {
    const size_t tail = static_cast<size_t>(*options.tail_lines);
    if (to - from > tail) from = to - tail;
  }
  std::optional<TimePoint> since = options.since_time;
  if (options.since_seconds) since = now - std::chrono::seconds(*options.since_seconds);
  std::string out;
  for (size_t i = from; i < to; ++i) {
    const LogLine& line = lines[i];
    // logs.go ReadLogs: a record before opts.since is skipped.
    if (since && line.at < *since) continue;
    if (options.timestamps) out += format_log_timestamp(line.at) + " ";
    out += line.text + "\n";
  }
  return out;
}

// How many of the lines are written by now (they are kept in time order).
size_t due(const std::vector<LogLine>& lines, TimePoint now) {
  return static_cast<size_t>(
      std::upper_bound(lines.begin(), lines.end(), now, [](TimePoint t, const LogLine& l) { return t < l.at; }) -
      lines.begin());
}

}  // namespace

void ContainerLogs::write(const std::string& uid, const std::string& container, TimePoint at, int stream,
                          const std::string& data) {
  if (data.empty()) return;
  Log& log = logs_[{uid, container}];
  auto& [started, partial] = log.partial[stream];
  if (partial.empty()) started = at;
  partial += data;
  size_t newline;
  while ((newline = partial.find('\n')) != std::string::npos) {
    LogLine line{at, stream, partial.substr(0, newline)};
    partial.erase(0, newline + 1);
    // Writes of overlapping processes (background jobs) land in time order.
    auto pos = std::upper_bound(log.lines.begin(), log.lines.end(), at,
                                [](TimePoint t, const LogLine& l) { return t < l.at; });
    log.lines.insert(pos, std::move(line));
  }
}

const std::vector<LogLine>& ContainerLogs::lines(const std::string& uid, const std::string& container) const {
  auto it = logs_.find({uid, container});
  return it == logs_.end() ? kNoLines : it->second.lines;
}

void ContainerLogs::forget(const std::string& uid) {
  logs_.erase(logs_.lower_bound({uid, std::string()}), logs_.lower_bound({uid + '\x01', std::string()}));
}

ApiResult<PodLogOptions> parse_pod_log_options(const HttpRequest& request, const std::string& pod,
                                               int kubernetes_minor) {
  PodLogOptions o;
  o.container = request.query_value("container");
  o.follow = flag(request, "follow");
  o.previous = flag(request, "previous");
  o.timestamps = flag(request, "timestamps");
  for (const auto& [key, field] : {std::pair{"tailLines", &o.tail_lines}, std::pair{"limitBytes", &o.limit_bytes},
                                   std::pair{"sinceSeconds", &o.since_seconds}})
    if (std::optional<std::string> bad = integer(request, key, *field)) return status_bad_request(*bad);
  if (const std::string since = request.query_value("sinceTime"); !since.empty()) {
    TimePoint t{};
    if (!parse_rfc3339(since, t))
      return status_bad_request("parsing time " + json(since).dump() +
                                " as \"2006-01-02T15:04:05Z07:00\": cannot parse");
    o.since_time = t;
  }
  // pkg/apis/core/validation ValidatePodLogOptions (staging/src/k8s.io/api validation in later releases).
  std::vector<FieldCause> causes;
  if (o.tail_lines && *o.tail_lines < 0)
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + std::to_string(*o.tail_lines) + ": must be greater than or equal to 0",
                      "tailLines"});
  if (o.limit_bytes && *o.limit_bytes < 1)
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + std::to_string(*o.limit_bytes) + ": must be greater than 0", "limitBytes"});
  if (o.since_seconds && o.since_time)
    causes.push_back(
        {"FieldValueForbidden", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", ""});
  else if (o.since_seconds && *o.since_seconds < 1)
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + std::to_string(*o.since_seconds) + ": must be greater than 0",
                      "sinceSeconds"});
  // 1.32 added PodLogOptions.stream behind the alpha gate PodLogsQuerySplitStreams (off by default,
  // pkg/features/versioned_kube_features.go); with the gate off the API server refuses any stream, as a 1.32
  // server answers in kubernetes/kubernetes#133005: `stream: Forbidden: may not be specified`. Before 1.32
  // the field does not exist and the query decoder ignores it.
  if (kubernetes_minor >= 32 && !request.query_values("stream").empty())
    causes.push_back({"FieldValueForbidden", "Forbidden: may not be specified", "stream"});
  if (!causes.empty()) return status_invalid("", "PodLogOptions", pod, causes);
  return o;
}

ApiResult<std::string> log_container(const json& pod, const std::string& requested) {
  // pkg/registry/core/pod/strategy.go validateContainer: names in VisitContainers order (init containers first).
  const std::string pod_name = text(member(pod, "metadata"), "name");
  std::vector<std::string> names;
  const json& spec = member(pod, "spec");
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json& containers = member(spec, list);
    if (containers.is_array())
      for (const json& c : containers) names.push_back(text(c, "name"));
  }
  if (!requested.empty()) {
    if (std::find(names.begin(), names.end(), requested) == names.end())
      return status_bad_request("container " + requested + " is not valid for pod " + pod_name);
    return requested;
  }
  const json& app = member(spec, "containers");
  const size_t count = app.is_array() ? app.size() : 0;
  if (count == 1) return text(app[0], "name");
  if (count == 0) return status_bad_request("a container name must be specified for pod " + pod_name);
  std::string list = "[";
  for (size_t i = 0; i < names.size(); ++i) list += (i ? " " : "") + names[i];  // Go's %s of a []string
  return status_bad_request("a container name must be specified for pod " + pod_name + ", choose one of: " + list +
                            "]");
}

std::optional<std::string> log_state_error(const json& pod, const std::string& container, bool previous) {
  // pkg/kubelet/kubelet_pods.go validateContainerLogStatus.
  const std::string who = json(container).dump() + " in pod " + json(text(member(pod, "metadata"), "name")).dump();
  const json* status = status_of(pod, container);
  if (!status) return "container " + who + " is not available";
  const json& state = member(*status, "state");
  const json& last = member(member(*status, "lastState"), "terminated");
  if (previous) {
    if (!last.is_object() || text(last, "containerID").empty())
      return "previous terminated container " + who + " not found";
    return std::nullopt;
  }
  if (state.contains("running")) return std::nullopt;
  if (state.contains("terminated")) {
    if (text(member(state, "terminated"), "containerID").empty() && !text(*status, "containerID").empty())
      return std::nullopt;
    if (!text(member(state, "terminated"), "containerID").empty() || !text(last, "containerID").empty())
      return std::nullopt;
    return "container " + who + " is terminated";
  }
  if (last.is_object()) {
    if (text(last, "containerID").empty()) return "container " + who + " is terminated";
    return std::nullopt;
  }
  if (state.contains("waiting")) {
    const std::string reason = text(member(state, "waiting"), "reason");
    if (reason == "ErrImagePull") return "container " + who + " is waiting to start: image can't be pulled";
    if (reason == "ImagePullBackOff")
      return "container " + who + " is waiting to start: trying and failing to pull image";
    return "container " + who + " is waiting to start: " + reason;
  }
  return "container " + who + " is waiting to start - no logs yet";
}

std::string format_log_timestamp(TimePoint at) {
  // pkg/kubelet/types RFC3339NanoFixed "2006-01-02T15:04:05.000000000Z07:00"; virtual time has microseconds.
  std::string micro = format_rfc3339_micro(at);
  micro.insert(micro.size() - 1, "000");
  return micro;
}

std::string render_pod_log(const std::vector<LogLine>& lines, const PodLogOptions& options, TimePoint now) {
  std::string out = rendered(lines, 0, due(lines, now), options, now);
  // The kubelet's LimitedWriter cuts the stream at limitBytes, mid-line if need be.
  if (options.limit_bytes && static_cast<int64_t>(out.size()) > *options.limit_bytes)
    out.resize(static_cast<size_t>(*options.limit_bytes));
  return out;
}

LogFollowStream::LogFollowStream(Clock& clock, PodLogOptions options,
                                 std::function<const std::vector<LogLine>*()> lines, std::function<bool()> running,
                                 std::weak_ptr<void> alive)
    : clock_(clock),
      options_(std::move(options)),
      lines_(std::move(lines)),
      running_(std::move(running)),
      alive_(std::move(alive)) {}

std::string LogFollowStream::collect() {
  const std::vector<LogLine>* lines = lines_();
  if (!lines) return {};
  const TimePoint now = clock_.now();
  const size_t to = due(*lines, now);
  std::string out;
  if (!started_) {
    started_ = true;
    out = rendered(*lines, 0, to, options_, now);
  } else if (to > sent_lines_) {
    PodLogOptions rest = options_;
    rest.tail_lines.reset();  // the tail is of what was there when the request came
    out = rendered(*lines, sent_lines_, to, rest, now);
  }
  sent_lines_ = std::max(sent_lines_, to);
  if (options_.limit_bytes) {
    const int64_t left = *options_.limit_bytes - bytes_sent_;
    if (static_cast<int64_t>(out.size()) >= left) {
      out.resize(static_cast<size_t>(std::max<int64_t>(left, 0)));
      ended_ = true;
    }
  }
  bytes_sent_ += static_cast<int64_t>(out.size());
  return out;
}

asio::awaitable<std::optional<std::string>> LogFollowStream::next() {
  for (;;) {
    if (cancelled_ || ended_ || alive_.expired()) co_return std::nullopt;
    const bool was_running = running_();
    std::string out = collect();
    // A container that stopped has written all it will: what is due is the rest, then the end.
    if (!was_running || !lines_()) ended_ = true;
    if (!out.empty()) co_return out;
    if (ended_) co_return std::nullopt;
    // Wake when the next line is due, or at the kubelet's check period to see whether the container ended.
    Duration wait = kFollowCheckPeriod;
    if (const std::vector<LogLine>* lines = lines_(); lines && sent_lines_ < lines->size()) {
      const Duration until = std::chrono::duration_cast<Duration>((*lines)[sent_lines_].at - clock_.now());
      if (until > Duration(0) && until < wait) wait = until;
    }
    co_await clock_.sleep_for(wait);
  }
}

}  // namespace kexsim::fakes

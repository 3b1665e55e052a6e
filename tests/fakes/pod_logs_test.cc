#include "fakes/kube/pod_logs.h"

#include <gtest/gtest.h>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "fakes/kube/api_server.h"
#include "fakes/kube/container_start_events.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

TimePoint at_us(int64_t us) { return TimePoint(Duration(1798761600000000LL + us)); }  // 2027-01-01T00:00:00Z

HttpRequest query(std::vector<std::pair<std::string, std::string>> q) {
  HttpRequest r;
  r.method = "GET";
  r.query = std::move(q);
  return r;
}

std::vector<LogLine> three_lines() {
  ContainerLogs logs;
  logs.write("u", "build", at_us(1000000), 1, "one\ntw");
  logs.write("u", "build", at_us(2000000), 1, "o\n");
  logs.write("u", "build", at_us(3000500), 2, "three\n");
  return logs.lines("u", "build");
}

TEST(PodLogs, LinesAreRecordsOfWholeLinesStampedWhenTheirNewlineCame) {
  const std::vector<LogLine> lines = three_lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].text, "two");
  EXPECT_EQ(lines[1].at, at_us(2000000));
  EXPECT_EQ(lines[2].stream, 2);
  ContainerLogs logs;
  logs.write("u", "build", at_us(0), 1, "partial");
  EXPECT_TRUE(logs.lines("u", "build").empty());
  logs.forget("u");
  EXPECT_TRUE(logs.lines("u", "build").empty());
}

TEST(PodLogs, RendersTailSinceTimestampsAndLimitBytes) {
  const std::vector<LogLine> lines = three_lines();
  const TimePoint now = at_us(10000000);
  PodLogOptions o;
  EXPECT_EQ(render_pod_log(lines, o, now), "one\ntwo\nthree\n");
  EXPECT_EQ(render_pod_log(lines, o, at_us(2500000)), "one\ntwo\n");  // what is written by then
  o.tail_lines = 2;
  EXPECT_EQ(render_pod_log(lines, o, now), "two\nthree\n");
  o.tail_lines = 0;
  EXPECT_EQ(render_pod_log(lines, o, now), "");
  o = {};
  o.timestamps = true;
  EXPECT_EQ(render_pod_log(lines, o, now),
            "2027-01-01T00:00:01.000000000Z one\n2027-01-01T00:00:02.000000000Z two\n"
            "2027-01-01T00:00:03.000500000Z three\n");
  o = {};
  o.since_seconds = 8;  // since 00:00:02
  EXPECT_EQ(render_pod_log(lines, o, now), "two\nthree\n");
  o = {};
  o.since_time = at_us(2500000);
  EXPECT_EQ(render_pod_log(lines, o, now), "three\n");
  o = {};
  o.limit_bytes = 6;  // cut mid-line, as the kubelet's LimitedWriter does
  EXPECT_EQ(render_pod_log(lines, o, now), "one\ntw");
  o.tail_lines = 1;
  o.timestamps = true;
  o.limit_bytes = 10;
  EXPECT_EQ(render_pod_log(lines, o, now), "2027-01-01");
}

TEST(PodLogs, StreamIsRefusedFrom132WithTheGateOffAndIgnoredBefore) {
  // PodLogsQuerySplitStreams: alpha in 1.32, off by default (kubernetes/kubernetes#133005 shows the answer).
  ApiResult<PodLogOptions> refused = parse_pod_log_options(query({{"stream", "Stdout"}}), "p", 32);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code, 422);
  EXPECT_EQ(refused.status().message(), "PodLogOptions \"p\" is invalid: stream: Forbidden: may not be specified");
  EXPECT_TRUE(parse_pod_log_options(query({{"stream", "Stdout"}}), "p", 31).ok());
}

TEST(PodLogs, OptionsAreValidatedAsTheApiServerDoes) {
  ApiResult<PodLogOptions> ok = parse_pod_log_options(
      query({{"container", "build"}, {"follow", "true"}, {"timestamps", "1"}, {"tailLines", "5"}, {"limitBytes", "9"}}),
      "p");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().container, "build");
  EXPECT_TRUE(ok.value().follow);
  EXPECT_TRUE(ok.value().timestamps);
  EXPECT_FALSE(ok.value().previous);
  EXPECT_EQ(ok.value().tail_lines, 5);
  EXPECT_EQ(ok.value().limit_bytes, 9);

  ApiResult<PodLogOptions> bad = parse_pod_log_options(query({{"tailLines", "-2"}, {"limitBytes", "0"}}), "p");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code, 422);
  EXPECT_EQ(bad.status().message(),
            "PodLogOptions \"p\" is invalid: [tailLines: Invalid value: -2: must be greater than or equal to 0, "
            "limitBytes: Invalid value: 0: must be greater than 0]");
  bad = parse_pod_log_options(query({{"sinceSeconds", "0"}}), "p");
  EXPECT_EQ(bad.status().message(),
            "PodLogOptions \"p\" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0");
  bad = parse_pod_log_options(query({{"sinceSeconds", "5"}, {"sinceTime", "2027-01-01T00:00:00Z"}}), "p");
  EXPECT_EQ(
      bad.status().message(),
      "PodLogOptions \"p\" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
  bad = parse_pod_log_options(query({{"tailLines", "x"}}), "p");
  EXPECT_EQ(bad.status().code, 400);
}

json pod_with(const json& status) {
  return {{"metadata", {{"name", "p"}, {"uid", "u"}}},
          {"spec",
           {{"initContainers", {{{"name", "init-permissions"}}}},
            {"containers", {{{"name", "build"}}, {{"name", "helper"}}, {{"name", "svc-0"}}}}}},
          {"status", status}};
}

TEST(PodLogs, TheContainerMustBeNamedWhenThePodHasSeveral) {
  const json pod = pod_with(json::object());
  ApiResult<std::string> c = log_container(pod, "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code, 400);
  EXPECT_EQ(c.status().message(),
            "a container name must be specified for pod p, choose one of: [init-permissions build helper svc-0]");
  EXPECT_EQ(log_container(pod, "nope").status().message(), "container nope is not valid for pod p");
  EXPECT_EQ(log_container(pod, "init-permissions").value(), "init-permissions");
  json single = pod;
  single["spec"]["containers"] = json::array({{{"name", "app"}}});
  EXPECT_EQ(log_container(single, "").value(), "app");
}

TEST(PodLogs, TheKubeletSaysWhyAContainerHasNoLog) {
  const auto with = [](const json& state, const json& last = nullptr) {
    json c = {{"name", "build"}, {"state", state}, {"containerID", "containerd://1"}};
    if (!last.is_null()) c["lastState"] = {{"terminated", last}};
    return pod_with({{"containerStatuses", {c}}});
  };
  const json creating = with({{"waiting", {{"reason", "ContainerCreating"}}}});
  EXPECT_EQ(log_state_error(creating, "build", false),
            R"(container "build" in pod "p" is waiting to start: ContainerCreating)");
  EXPECT_EQ(log_state_error(with({{"waiting", {{"reason", "ErrImagePull"}}}}), "build", false),
            R"(container "build" in pod "p" is waiting to start: image can't be pulled)");
  EXPECT_EQ(log_state_error(with({{"waiting", {{"reason", "ImagePullBackOff"}}}}), "build", false),
            R"(container "build" in pod "p" is waiting to start: trying and failing to pull image)");
  EXPECT_EQ(log_state_error(creating, "svc-0", false), R"(container "svc-0" in pod "p" is not available)");
  const json running = with({{"running", {{"startedAt", "2027-01-01T00:00:00Z"}}}});
  EXPECT_EQ(log_state_error(running, "build", false), std::nullopt);
  EXPECT_EQ(log_state_error(running, "build", true), R"(previous terminated container "build" in pod "p" not found)");
  const json restarted = with({{"waiting", {{"reason", "CrashLoopBackOff"}}}}, {{"containerID", "containerd://0"}});
  EXPECT_EQ(log_state_error(restarted, "build", true), std::nullopt);
  EXPECT_EQ(log_state_error(restarted, "build", false), std::nullopt);
}

TEST(PodLogs, CreatedAndStartedSortAfterThePullThatPrecededThem) {
  // startedAt has whole seconds; the start came 0.5 s into that second, just after the image was pulled.
  EventLog events;
  EventSubject subject{"Pod", "ci", "p", "u", "1", "spec.containers{build}"};
  events.record_legacy(subject, {"Normal", "Pulled", "pulled", "", "kubelet", "node-1"}, at_us(1500000), "2");
  const json pod = {{"metadata", {{"namespace", "ci"}, {"name", "p"}, {"uid", "u"}}},
                    {"spec", {{"nodeName", "node-1"}}},
                    {"status",
                     {{"containerStatuses",
                       {{{"name", "build"},
                         {"containerID", "containerd://1"},
                         {"restartCount", 0},
                         {"state", {{"running", {{"startedAt", format_rfc3339(at_us(1500000))}}}}}}}}}}};
  ContainerStartEvents starts;
  starts.record(pod, 33, events, "3", at_us(1500000));
  std::vector<std::string> reasons;
  for (const json& e : events.list("ci")) reasons.push_back(e["reason"]);
  EXPECT_EQ(reasons, (std::vector<std::string>{"Pulled", "Created", "Started"}));
}

TEST(PodLogs, FollowingSendsEachLineWhenItsTimeComesAndEndsWithTheContainer) {
  testing::ManualClock clock(at_us(0));
  const std::vector<LogLine> lines = three_lines();  // at 1 s, 2 s and 3.0005 s
  PodLogOptions o;
  o.follow = true;
  o.timestamps = true;
  o.tail_lines = 1;  // of what is there when the request comes
  clock.set(at_us(1500000));
  const auto alive = std::make_shared<int>(0);  // the server behind the stream
  auto stream = std::make_shared<LogFollowStream>(
      clock, o, [&] { return &lines; }, [&] { return clock.now() < at_us(5000000); }, alive);
  asio::io_context io;
  std::vector<std::pair<TimePoint, std::string>> chunks;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        while (std::optional<std::string> chunk = co_await stream->next()) chunks.emplace_back(clock.now(), *chunk);
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].second, "2027-01-01T00:00:01.000000000Z one\n");
  EXPECT_EQ(chunks[1], std::pair(at_us(2000000), std::string("2027-01-01T00:00:02.000000000Z two\n")));
  EXPECT_EQ(chunks[2], std::pair(at_us(3000500), std::string("2027-01-01T00:00:03.000500000Z three\n")));
  EXPECT_GE(clock.now(), at_us(5000000));  // it ended once the container stopped running

  o = {};
  o.follow = true;
  o.limit_bytes = 6;
  clock.set(at_us(0));
  auto limited = std::make_shared<LogFollowStream>(
      clock, o, [&] { return &lines; }, [] { return true; }, alive);
  std::string all;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        while (std::optional<std::string> chunk = co_await limited->next()) all += *chunk;
      },
      asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(all, "one\ntw");  // limitBytes ends a followed log too
}

// A world for the API server test below: nothing on the network, no commands.
class QuietWorld : public ContainerWorld {
 public:
  Connected open(const std::string&, int, const TlsOptions*) override { return {}; }
  std::string etc_hosts() override { return ""; }
  std::string hostname() override { return "p"; }
  const CommandSpec* command(const std::string&) override { return nullptr; }
};

class QuietWorlds : public ContainerWorldFactory {
 public:
  std::unique_ptr<ContainerWorld> world_for(const json&, const std::string&) override {
    return std::make_unique<QuietWorld>();
  }
};

HttpRequest api(const std::string& method, const std::string& path,
                std::vector<std::pair<std::string, std::string>> q = {}, std::string body = "") {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.target = path;
  r.query = std::move(q);
  r.body = std::move(body);
  r.headers = {{"authorization", "Bearer admin"}, {"content-type", "application/json"}};
  if (r.method == "POST" && path.find("/attach") != std::string::npos) r.headers["upgrade"] = "SPDY/3.1";
  return r;
}

TEST(PodLogs, TheApiServerServesWhatTheAttachedShellWrote) {
  testing::ManualClock clock;
  QuietWorlds worlds;
  KubeApiServer server(clock, Random(1), worlds);
  server.add_token("admin", "admin", {"system:masters"});
  ASSERT_TRUE(server.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "ci"}}}}).ok());
  const json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "p"}}},
      {"spec",
       {{"containers", {{{"name", "build"}, {"image", "alpine"}}, {{"name", "helper"}, {"image", "alpine"}}}}}}};
  ASSERT_EQ(server.handle(api("POST", "/api/v1/namespaces/ci/pods", {}, pod.dump())).status, 201);
  const std::string log = "/api/v1/namespaces/ci/pods/p/log";
  HttpResponse r = server.handle(api("GET", log));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"],
            "a container name must be specified for pod p, choose one of: [build helper]");
  r = server.handle(api("GET", log, {{"container", "build"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], R"(container "build" in pod "p" is waiting to start: ContainerCreating)");

  clock.advance(std::chrono::seconds(6));
  r = server.handle(api("POST", "/api/v1/namespaces/ci/pods/p/attach", {{"container", "build"}, {"stdin", "true"}}));
  ASSERT_EQ(r.status, 101) << r.body;
  r.exec("echo hi; echo oops >&2\n");
  r = server.handle(api("GET", log, {{"container", "build"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hi\noops\n");
  r = server.handle(api("GET", log, {{"container", "build"}, {"tailLines", "1"}, {"timestamps", "true"}}));
  EXPECT_EQ(r.body, format_log_timestamp(clock.now()) + " oops\n");
  r = server.handle(api("GET", log, {{"container", "helper"}}));
  EXPECT_EQ(r.body, "");
  r = server.handle(api("GET", log, {{"container", "build"}, {"previous", "true"}}));
  EXPECT_EQ(json::parse(r.body)["message"], R"(previous terminated container "build" in pod "p" not found)");
  r = server.handle(api("GET", log, {{"container", "build"}, {"follow", "true"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.stream);
  EXPECT_NE(server.call_log().back().find("GET /api/v1/namespaces/ci/pods/p/log 200 admin"), std::string::npos);
}

}  // namespace
}  // namespace kexsim::fakes

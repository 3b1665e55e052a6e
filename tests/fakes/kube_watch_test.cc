// Watches on the fake API server: the change history, resourceVersion semantics, 410 Expired, bookmarks,
// selectors, timeoutSeconds on a manual clock, and one chunked stream over a real socket.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "fakes/http/server.h"
#include "fakes/kube/api_server.h"
#include "fakes/kube/images.h"
#include "fakes/kube/nodes.h"
#include "fakes/kube/selector.h"
#include "fakes/kube/watch_history.h"
#include "fakes/kube/watch_stream.h"
#include "tests/support/manual_clock.h"
#include "tests/support/no_worlds.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

using testing::NoWorlds;

HttpRequest watch_get(const std::string& path, std::vector<std::pair<std::string, std::string>> query) {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.target = path;
  r.query = std::move(query);
  r.headers["authorization"] = "Bearer admin-token";
  return r;
}

json pod(const std::string& name, const std::string& app = "build") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
          {"spec", {{"containers", {{{"name", "build"}, {"image", "alpine:3.20"}}}}}}};
}

struct Event {
  std::string type;
  json object;
};

Event parse(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const json j = json::parse(line);
  return {j["type"], j["object"]};
}

std::vector<std::string> types(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    const Event e = parse(l);
    out.push_back(e.type + " " + e.object["metadata"].value("name", std::string()));
  }
  return out;
}

class KubeWatchTest : public ::testing::Test {
 protected:
  KubeWatchTest() {
    server_.add_token("admin-token", "admin", {"system:masters"});
    EXPECT_TRUE(server_.seed({{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", {{"name", "cicd"}}}}).ok());
  }

  std::string create(const json& object) {
    HttpRequest r = watch_get("/api/v1/namespaces/cicd/pods", {});
    r.method = "POST";
    r.headers["content-type"] = "application/json";
    r.body = object.dump();
    const HttpResponse resp = server_.handle(r);
    EXPECT_EQ(resp.status, 201) << resp.body;
    return json::parse(resp.body)["metadata"]["resourceVersion"];
  }
  void remove(const std::string& name) {
    HttpRequest r = watch_get("/api/v1/namespaces/cicd/pods/" + name, {});
    r.method = "DELETE";
    EXPECT_EQ(server_.handle(r).status, 200);
  }
  std::string list_version() {
    const HttpResponse r = server_.handle(watch_get("/api/v1/namespaces/cicd/pods", {}));
    return json::parse(r.body)["metadata"]["resourceVersion"];
  }
  std::shared_ptr<WatchStream> watch(std::vector<std::pair<std::string, std::string>> query) {
    query.emplace_back("watch", "true");
    HttpResponse r = server_.handle(watch_get("/api/v1/namespaces/cicd/pods", std::move(query)));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.front().second, "application/json");
    return std::dynamic_pointer_cast<WatchStream>(r.stream);
  }

  testing::ManualClock clock_;
  NoWorlds worlds_;
  KubeApiServer server_{clock_, Random(7), worlds_};
};

TEST(WatchHistoryTest, KeepsEventsInOrderWithinItsWindow) {
  WatchHistory history(3);
  int woken = 0;
  const uint64_t id = history.subscribe([&] { ++woken; });
  for (uint64_t rv = 1; rv <= 5; ++rv) history.record({rv, "ADDED", rv % 2 ? "pods" : "secrets", "cicd", {}, {}});
  EXPECT_EQ(woken, 5);
  history.unsubscribe(id);
  history.record({6, "ADDED", "pods", "cicd", {}, {}});
  EXPECT_EQ(woken, 5);
  std::vector<uint64_t> got;
  for (const WatchEvent* e : history.since("pods", 1)) got.push_back(e->resource_version);
  EXPECT_EQ(got, (std::vector<uint64_t>{3, 5, 6}));  // pods 1 fell out of the window of 3
  EXPECT_EQ(history.too_old("pods", 1), 2u);         // oldest kept is 3: starting after 2 still works
  EXPECT_EQ(history.too_old("pods", 2), std::nullopt);
  EXPECT_EQ(history.too_old("secrets", 0), std::nullopt);  // nothing of it was ever dropped
  history.set_capacity(1);
  EXPECT_EQ(history.since("pods", 0).size(), 1u);
  EXPECT_EQ(history.too_old("pods", 4), 5u);
}

TEST(WatchHistoryTest, ResourceVersionParsing) {
  uint64_t rv = 9;
  EXPECT_TRUE(parse_resource_version("", rv));
  EXPECT_EQ(rv, 0u);
  EXPECT_TRUE(parse_resource_version("42", rv));
  EXPECT_EQ(rv, 42u);
  EXPECT_FALSE(parse_resource_version("4x", rv));
}

TEST_F(KubeWatchTest, FromListVersionSeesEveryLaterChangeOnce) {
  create(pod("before"));
  const std::string rv = list_version();
  auto w = watch({{"resourceVersion", rv}});
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->poll().empty());
  create(pod("after"));
  remove("before");
  const std::vector<std::string> lines = w->poll();
  EXPECT_EQ(types(lines), (std::vector<std::string>{"ADDED after", "DELETED before"}));
  const Event deleted = parse(lines[1]);
  EXPECT_EQ(deleted.object["metadata"]["resourceVersion"], list_version());  // the deletion's own version
  EXPECT_TRUE(deleted.object["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(deleted.object["kind"], "Pod");
  EXPECT_TRUE(w->poll().empty());
}

TEST_F(KubeWatchTest, FromEmptyOrZeroStartsWithTheCurrentState) {
  create(pod("a"));
  create(pod("b"));
  for (const std::string rv : {"", "0"}) {
    auto w = watch({{"resourceVersion", rv}});
    EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"ADDED a", "ADDED b"})) << rv;
  }
  auto w = watch({});
  EXPECT_EQ(types(w->poll()).size(), 2u);
}

TEST_F(KubeWatchTest, PodStartIsAModifiedEventAtItsVirtualTime) {
  create(pod("a"));
  const std::string rv = list_version();
  auto w = watch({{"resourceVersion", rv}});
  clock_.advance(seconds(5));
  EXPECT_TRUE(w->poll().empty());  // still ContainerCreating
  clock_.advance(seconds(1));
  const std::vector<std::string> lines = w->poll();
  ASSERT_EQ(types(lines), (std::vector<std::string>{"MODIFIED a"}));
  const Event e = parse(lines[0]);
  EXPECT_EQ(e.object["status"]["phase"], "Running");
  EXPECT_GT(std::stoull(e.object["metadata"]["resourceVersion"].get<std::string>()), std::stoull(rv));
  // A read now shows the same version the event carried.
  EXPECT_EQ(server_.get("pods", "cicd", "a").value()["metadata"]["resourceVersion"],
            e.object["metadata"]["resourceVersion"]);
}

// Found by ruby-kubeclient's watch_pods (tests/conformance/ruby_client.rb): the ADDED event was presented
// before the same request's scheduler bound the pod and its pulls began, so it said Running while a GET
// said Pending (ContainerCreating).
TEST_F(KubeWatchTest, AddedPodReadsAsTheCreateAnswersItWhenBoundAndPulling) {
  NodeSpec node;
  node.name = "node-7";
  node.capacity = {{"cpu", "8"}, {"memory", "32Gi"}};
  server_.scheduler().add_node(node, clock_.now());
  ImageSettings images;
  Registry registry;
  registry.host = "docker.io";
  registry.pull_time = seconds(1);
  images.registries.push_back(registry);
  server_.images().configure(images, 33);
  PodTiming timing;
  timing.pending = seconds(0);
  server_.set_pod_timing(timing);

  auto w = watch({{"resourceVersion", list_version()}});
  create(pod("a"));
  const std::vector<std::string> lines = w->poll();
  ASSERT_EQ(types(lines), (std::vector<std::string>{"ADDED a"}));
  const Event added = parse(lines[0]);
  const json read = server_.get("pods", "cicd", "a").value();
  EXPECT_EQ(added.object["status"]["phase"], "Pending");
  EXPECT_EQ(added.object["status"], read["status"]);
  EXPECT_EQ(added.object["spec"]["nodeName"], "node-7");
  EXPECT_EQ(added.object["metadata"]["resourceVersion"], read["metadata"]["resourceVersion"]);
  clock_.advance(seconds(1));
  const std::vector<std::string> later = w->poll();
  ASSERT_EQ(types(later), (std::vector<std::string>{"MODIFIED a"}));
  EXPECT_EQ(parse(later[0]).object["status"]["phase"], "Running");
}

TEST(WatchHistoryTest, OffersEachResourcesEventsByLabelAndWakesOnlyWakers) {
  WatchHistory history;
  std::vector<std::string> calls;
  const auto note = [&](const std::string& who) {
    return [&calls, who](const WatchEvent& e) { calls.push_back(who + " " + std::to_string(e.resource_version)); };
  };
  history.subscribe([&] { calls.push_back("wake"); });
  const uint64_t build = history.subscribe("pods", std::pair<std::string, std::string>("app", "build"), note("build"));
  history.subscribe("pods", std::nullopt, note("pods"));
  history.subscribe("secrets", std::nullopt, note("secrets"));
  const json labelled = {{"metadata", {{"labels", {{"app", "build"}}}}}};
  const json other = {{"metadata", {{"labels", {{"app", "deploy"}}}}}};
  history.record({1, "ADDED", "pods", "cicd", other, nullptr});
  history.record({2, "ADDED", "pods", "cicd", labelled, nullptr});
  history.record({3, "MODIFIED", "pods", "cicd", other, labelled});  // left app=build: still offered
  history.record({4, "ADDED", "secrets", "cicd", labelled, nullptr});
  EXPECT_EQ(calls, (std::vector<std::string>{"wake", "pods 1", "wake", "build 2", "pods 2", "wake", "build 3", "pods 3",
                                             "wake", "secrets 4"}));
  calls.clear();
  EXPECT_TRUE(history.restate("pods", 1, labelled));  // offered again as it reads now; no wake
  history.wake_all();
  EXPECT_EQ(calls, (std::vector<std::string>{"build 1", "pods 1", "wake"}));
  calls.clear();
  history.unsubscribe(build);
  history.unsubscribe(build);
  history.record({5, "ADDED", "pods", "cicd", labelled, nullptr});
  EXPECT_EQ(calls, (std::vector<std::string>{"wake", "pods 5"}));
}

TEST(WatchHistoryTest, RestateReplacesOneEventInTheWindow) {
  WatchHistory history(2);
  for (uint64_t rv = 1; rv <= 3; ++rv) history.record({rv, "ADDED", "pods", "cicd", {{"n", rv}}, {}});
  EXPECT_FALSE(history.restate("pods", 1, {{"n", 10}}));  // left the window
  EXPECT_FALSE(history.restate("secrets", 2, {{"n", 20}}));
  EXPECT_TRUE(history.restate("pods", 2, {{"n", 20}}));
  const std::vector<const WatchEvent*> events = history.since("pods", 0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]->object["n"], 20);
  EXPECT_EQ(events[1]->object["n"], 3);
}

TEST_F(KubeWatchTest, TooOldVersionIsAnExpiredErrorEventThenTheEnd) {
  server_.set_watch_window(2);
  const std::string first = create(pod("a"));
  create(pod("b"));
  create(pod("c"));
  auto w = watch({{"resourceVersion", std::to_string(std::stoull(first) - 1)}});
  const std::vector<std::string> lines = w->poll();
  ASSERT_EQ(lines.size(), 1u);
  const std::string asked = std::to_string(std::stoull(first) - 1);
  const std::string named = first;  // the oldest kept change is first + 1; the message names one less
  const std::string want = R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
                           R"("status":"Failure","message":"too old resource version: )" +
                           asked + " (" + named +
                           R"x()","reason":"Expired","code":410}})x"
                           "\n";
  EXPECT_EQ(lines[0], want);
  EXPECT_TRUE(w->ended());
  auto ok = watch({{"resourceVersion", first}});  // the changes after `first` are all still kept
  EXPECT_EQ(types(ok->poll()), (std::vector<std::string>{"ADDED b", "ADDED c"}));
}

// With a thousand jobs each watching its own pod, the other pods' changes pass the window of every watch:
// they are not its events, so they neither wake it nor make it 410 Expired.
TEST_F(KubeWatchTest, OthersChangesPassingTheWindowNeitherWakeNorExpireAWatch) {
  server_.set_watch_window(2);
  auto w = watch({{"resourceVersion", list_version()}, {"labelSelector", "app=deploy"}});
  EXPECT_TRUE(w->poll().empty());
  for (const char* name : {"a", "b", "c", "d"}) create(pod(name));
  EXPECT_TRUE(w->poll().empty());
  EXPECT_FALSE(w->ended());
  create(pod("e", "deploy"));
  create(pod("f"));  // e's ADDED is still in the window
  EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"ADDED e"}));
  // Resuming from a version the window has left is still 410, as from the apiserver's watch cache.
  auto late = watch({{"resourceVersion", "1"}, {"labelSelector", "app=deploy"}});
  ASSERT_EQ(late->poll().size(), 1u);
  EXPECT_TRUE(late->ended());
}

TEST_F(KubeWatchTest, TooLargeVersionIsTimeout504) {
  HttpResponse r =
      server_.handle(watch_get("/api/v1/namespaces/cicd/pods", {{"watch", "true"}, {"resourceVersion", "999"}}));
  EXPECT_EQ(r.status, 504);
  EXPECT_FALSE(r.stream);
  EXPECT_EQ(json::parse(r.body)["message"], "Timeout: Too large resource version: 999, current: " + list_version());
  EXPECT_EQ(json::parse(r.body)["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");
}

TEST_F(KubeWatchTest, BookmarksOnlyWhenAllowed) {
  create(pod("a"));
  auto plain = watch({{"resourceVersion", list_version()}, {"timeoutSeconds", "3"}});
  auto marked = watch({{"resourceVersion", list_version()}, {"timeoutSeconds", "3"}, {"allowWatchBookmarks", "true"}});
  clock_.advance(seconds(3));
  EXPECT_TRUE(plain->poll().empty());
  EXPECT_TRUE(plain->ended());
  EXPECT_EQ(marked->poll(), (std::vector<std::string>{R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1",)"
                                                      R"("metadata":{"resourceVersion":")" +
                                                      list_version() + "\"}}}\n"}));
  // Watch-list: the current state, then the bookmark that ends the initial events.
  auto listing =
      watch({{"sendInitialEvents", "true"}, {"resourceVersionMatch", "NotOlderThan"}, {"allowWatchBookmarks", "true"}});
  const std::vector<std::string> lines = listing->poll();
  ASSERT_EQ(types(lines), (std::vector<std::string>{"ADDED a", "BOOKMARK "}));
  EXPECT_EQ(parse(lines[1]).object["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
}

TEST_F(KubeWatchTest, SelectorsNarrowTheEvents) {
  const std::string rv = list_version();
  auto by_name = watch({{"resourceVersion", rv}, {"fieldSelector", "metadata.name=b"}});
  auto by_label = watch({{"resourceVersion", rv}, {"labelSelector", "app=web"}});
  auto running = watch({{"resourceVersion", rv}, {"fieldSelector", "status.phase=Running,metadata.name=a"}});
  create(pod("a"));
  create(pod("b", "web"));
  EXPECT_EQ(types(by_name->poll()), (std::vector<std::string>{"ADDED b"}));
  EXPECT_EQ(types(by_label->poll()), (std::vector<std::string>{"ADDED b"}));
  EXPECT_TRUE(running->poll().empty());  // a is Pending
  clock_.advance(seconds(6));
  // Entering the selection is ADDED (apiserver cacher), not MODIFIED.
  EXPECT_EQ(types(running->poll()), (std::vector<std::string>{"ADDED a"}));
  remove("a");
  EXPECT_EQ(types(running->poll()), (std::vector<std::string>{"DELETED a"}));
  EXPECT_EQ(types(by_name->poll()), (std::vector<std::string>{"MODIFIED b"}));
  HttpResponse bad =
      server_.handle(watch_get("/api/v1/namespaces/cicd/pods", {{"watch", "true"}, {"fieldSelector", "spec.x=1"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["message"], "field label not supported: spec.x");
}

TEST_F(KubeWatchTest, LegacyWatchPathWatchesOneObject) {
  HttpResponse r =
      server_.handle(watch_get("/api/v1/watch/namespaces/cicd/pods/b", {{"resourceVersion", list_version()}}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto w = std::dynamic_pointer_cast<WatchStream>(r.stream);
  ASSERT_TRUE(w);
  create(pod("a"));
  create(pod("b"));
  EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"ADDED b"}));
}

TEST_F(KubeWatchTest, PythonClientBooleansCount) {
  // The Python client sends watch=True and allowWatchBookmarks=True; apimachinery reads both as true.
  HttpResponse r = server_.handle(watch_get(
      "/api/v1/namespaces/cicd/pods", {{"watch", "True"}, {"allowWatchBookmarks", "True"}, {"timeoutSeconds", "1"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto w = std::dynamic_pointer_cast<WatchStream>(r.stream);
  ASSERT_TRUE(w);
  clock_.advance(seconds(1));
  EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"BOOKMARK "}));
  HttpResponse list = server_.handle(watch_get("/api/v1/namespaces/cicd/pods", {{"watch", "false"}}));
  EXPECT_FALSE(list.stream);
  EXPECT_EQ(json::parse(list.body)["kind"], "PodList");
}

// Pulls a stream to its end, noting the clock at each line.
asio::awaitable<void> drain(std::shared_ptr<HttpBodyStream> stream, Clock* clock,
                            std::vector<std::pair<std::string, TimePoint>>* out) {
  for (;;) {
    std::optional<std::string> line = co_await stream->next();
    if (!line) break;
    out->emplace_back(*line, clock->now());
  }
}

TEST_F(KubeWatchTest, TimeoutSecondsEndsTheStreamOnTheClock) {
  create(pod("a"));
  const TimePoint start = clock_.now();
  auto w = watch({{"resourceVersion", "0"}, {"timeoutSeconds", "10"}, {"allowWatchBookmarks", "true"}});
  asio::io_context io;
  std::vector<std::pair<std::string, TimePoint>> got;
  asio::co_spawn(io, drain(w, &clock_, &got), asio::detached);
  clock_.run(io);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(parse(got[0].first).type, "ADDED");
  EXPECT_EQ(got[0].second, start);
  EXPECT_EQ(parse(got[1].first).type, "MODIFIED");
  EXPECT_EQ(got[1].second, start + seconds(6));  // the pod started: the watch slept exactly until then
  EXPECT_EQ(parse(got[2].first).type, "BOOKMARK");
  EXPECT_EQ(got[2].second, start + seconds(10));
  EXPECT_EQ(clock_.now(), start + seconds(10));
}

TEST_F(KubeWatchTest, CancelEndsAnIdleWatchWithoutWaiting) {
  auto w = watch({{"resourceVersion", list_version()}});
  w->cancel();
  asio::io_context io;
  std::vector<std::pair<std::string, TimePoint>> got;
  const TimePoint start = clock_.now();
  asio::co_spawn(io, drain(w, &clock_, &got), asio::detached);
  clock_.run(io);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(clock_.now(), start);
}

// GETs target and reads the whole response until the server closes.
asio::awaitable<void> fetch_all(HttpServer* server, uint16_t port, std::string target, std::string* out) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(ex);
  boost::system::error_code ec;
  co_await socket.async_connect({asio::ip::make_address_v4("127.0.0.1"), port},
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: kube\r\nAuthorization: Bearer admin-token\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
  std::array<char, 4096> buf;
  for (;;) {
    const size_t n = co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    out->append(buf.data(), n);
    if (ec) break;
  }
  server->stop();  // lets io.run() return
}

// The body of a chunked response, as its chunks.
std::vector<std::string> dechunk(const std::string& response, bool& terminated) {
  std::vector<std::string> chunks;
  terminated = false;
  size_t at = response.find("\r\n\r\n");
  if (at == std::string::npos) return chunks;
  at += 4;
  for (;;) {
    const size_t eol = response.find("\r\n", at);
    if (eol == std::string::npos) break;
    const size_t size = std::stoul(response.substr(at, eol - at), nullptr, 16);
    if (size == 0) {
      terminated = true;
      break;
    }
    chunks.push_back(response.substr(eol + 2, size));
    at = eol + 2 + size + 2;
  }
  return chunks;
}

TEST_F(KubeWatchTest, StreamsChunkedEventsOverARealSocket) {
  create(pod("a"));
  asio::io_context io;
  HttpServer http(io.get_executor(), clock_, server_, "kube", std::nullopt);
  auto port = http.listen();
  ASSERT_TRUE(port.ok());
  std::string response;
  const TimePoint start = clock_.now();
  asio::co_spawn(io, fetch_all(&http, *port, "/api/v1/namespaces/cicd/pods?watch=true&timeoutSeconds=10", &response),
                 asio::detached);
  clock_.run(io);
  EXPECT_NE(response.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Content-Type: application/json\r\n"), std::string::npos) << response;
  bool terminated = false;
  const std::vector<std::string> chunks = dechunk(response, terminated);
  EXPECT_TRUE(terminated);
  EXPECT_EQ(types(chunks), (std::vector<std::string>{"ADDED a", "MODIFIED a"}));
  EXPECT_EQ(clock_.now(), start + seconds(10));
  // Two events and the end were handed to the client; this raw client never counts them consumed.
  EXPECT_EQ(clock_.in_flight(), 3);
  EXPECT_EQ(server_.call_log().back(), "GET /api/v1/namespaces/cicd/pods?watch=true&timeoutSeconds=10 200 admin");
}

TEST(WatchStreamSnapshotTest, EventsWithoutHistoryAreSentAsTheyAppearAndChange) {
  // Events live in the cluster model: the watch compares what a list shows with what it sent.
  testing::ManualClock clock;
  auto history = std::make_shared<WatchHistory>();
  auto alive = std::make_shared<int>(0);
  std::vector<json> events = {{{"kind", "Event"},
                               {"metadata", {{"namespace", "cicd"}, {"name", "p.1"}}},
                               {"involvedObject", {{"name", "p"}}},
                               {"reason", "Scheduled"}}};
  WatchSource source;
  source.sync = [] {};
  source.current = [&events](const StoredFilter&) { return events; };
  source.next_change = [] { return std::optional<TimePoint>(); };
  source.resource_version = [] { return uint64_t{5}; };
  WatchOptions options;
  options.resource = "events";
  options.snapshot = true;
  options.fields.push_back({"involvedObject.name", true, "p"});
  auto w = std::make_shared<WatchStream>(clock, history, source, alive, options);
  EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"ADDED p.1"}));
  EXPECT_TRUE(w->poll().empty());  // nothing new
  events.push_back(
      {{"kind", "Event"}, {"metadata", {{"namespace", "cicd"}, {"name", "q.1"}}}, {"involvedObject", {{"name", "q"}}}});
  events[0]["count"] = 2;
  EXPECT_EQ(types(w->poll()), (std::vector<std::string>{"MODIFIED p.1"}));  // q's event is not selected
}

// The initial events of a selective watch are those of presenting every pod and filtering them: the stored
// prefilter (may_select_stored) leaves out only pods the selectors would refuse anyway.
TEST_F(KubeWatchTest, SelectiveInitialEventsAreThoseOfFilteringEveryPod) {
  create(pod("a"));
  create(pod("b", "deploy"));
  clock_.advance(seconds(6));  // a and b run
  create(pod("c"));
  json unlabelled = pod("d");
  unlabelled["metadata"].erase("labels");
  create(unlabelled);
  std::vector<std::string> all;
  for (const std::string& line : watch({})->poll()) all.push_back(line);
  ASSERT_EQ(all.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> selectors = {
      {"", ""},
      {"app=build", ""},
      {"app!=build", ""},
      {"app in (build,deploy)", ""},
      {"!app", ""},
      {"", "metadata.name=b"},
      {"", "metadata.name!=b"},
      {"", "metadata.namespace=cicd"},
      {"", "metadata.namespace=other"},
      {"", "status.phase=Running"},
      {"app=build", "status.phase!=Running,metadata.name!=a"},
  };
  for (const auto& [label_text, field_text] : selectors) {
    const LabelSelector labels = LabelSelector::parse(label_text).value();
    const std::vector<FieldTerm> fields = parse_field_selector(field_text).value();
    std::vector<std::string> expected;
    for (const std::string& line : all) {
      const json object = parse(line).object;
      const bool selected = labels.matches(object["metadata"].value("labels", json())) &&
                            std::all_of(fields.begin(), fields.end(), [&](const FieldTerm& t) {
                              return (field_value(object, t.field) == t.value) == t.equals;
                            });
      if (selected) expected.push_back(line);
    }
    std::vector<std::pair<std::string, std::string>> query;
    if (!label_text.empty()) query.emplace_back("labelSelector", label_text);
    if (!field_text.empty()) query.emplace_back("fieldSelector", field_text);
    EXPECT_EQ(watch(query)->poll(), expected) << label_text << " / " << field_text;
  }
}

TEST(MaySelectStoredTest, RefusesOnlyOnWhatPresentingCannotChange) {
  const json stored = {{"metadata", {{"name", "p"}, {"namespace", "cicd"}, {"labels", {{"app", "build"}}}}}};
  const auto may = [&](const std::string& labels, const std::string& fields) {
    return may_select_stored(stored, LabelSelector::parse(labels).value(), parse_field_selector(fields).value());
  };
  EXPECT_TRUE(may("", ""));
  EXPECT_TRUE(may("app=build", "metadata.name=p,metadata.namespace=cicd"));
  EXPECT_FALSE(may("app=deploy", ""));
  EXPECT_FALSE(may("", "metadata.name=q"));
  EXPECT_FALSE(may("", "metadata.name!=p"));
  EXPECT_FALSE(may("", "metadata.namespace=other"));
  // The status is added by presenting: a stored object without it may still be selected by it.
  EXPECT_TRUE(may("", "status.phase=Running"));
  EXPECT_TRUE(may("", "spec.nodeName=node-1"));
  EXPECT_FALSE(may_select_stored(json(), LabelSelector::parse("app").value(), {}));
}

}  // namespace
}  // namespace kexsim::fakes

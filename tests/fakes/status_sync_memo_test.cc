// The status sync's memo (fakes/kube/status_sync_memo.h): when a sync must present every pod again, and,
// through the fake API server, that the changes it skips nothing of reach a pod watch: an OOM kill by an
// exec (no store write), a Secret written at the same virtual time, a later time.

#include "fakes/kube/status_sync_memo.h"

#include <gtest/gtest.h>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "fakes/kube/watch_stream.h"
#include "tests/fakes/admin_api_test.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

TEST(StatusSyncMemoTest, AFullSyncIsNeededWhenTimeModelsOrOtherKindsMove) {
  StatusSyncMemo memo;
  const TimePoint t0 = testing::kTestEpoch;
  const StatusSyncKey key{t0, memo.generation(), 7};
  EXPECT_TRUE(memo.needs_full(key, false));  // nothing synced yet
  memo.synced(key, 12);
  EXPECT_FALSE(memo.needs_full(key, false));
  EXPECT_TRUE(memo.needs_full(key, true));                               // the pods' history left the cursor
  EXPECT_TRUE(memo.needs_full({t0 + seconds(1), key.generation, 7}, false));  // a later time
  EXPECT_TRUE(memo.needs_full({t0, key.generation, 8}, false));          // a Secret (or any other kind) written
  memo.invalidate();
  EXPECT_TRUE(memo.needs_full({t0, memo.generation(), 7}, false));  // a model changed
  EXPECT_EQ(memo.pods_cursor(), 12u);
}

TEST(StatusSyncMemoTest, NextChangesAreCurrentUntilAWriteOrAMark) {
  StatusSyncMemo memo;
  const TimePoint t0 = testing::kTestEpoch;
  const StatusSyncKey key{t0, 0, 0};
  memo.set_next("a", t0 + seconds(9));
  memo.set_next("b", t0 + seconds(4));
  memo.set_next("c", std::nullopt);
  memo.synced(key, 5);
  EXPECT_TRUE(memo.current(key, 5));
  EXPECT_EQ(memo.earliest(), t0 + seconds(4));
  EXPECT_FALSE(memo.current(key, 6));  // a pod was written since
  memo.mark("ci", "a");
  EXPECT_FALSE(memo.current(key, 5));
  EXPECT_EQ(memo.take_marked(), (std::set<std::pair<std::string, std::string>>{{"ci", "a"}}));
  EXPECT_TRUE(memo.current(key, 5));
  memo.set_next("b", t0 + seconds(20));  // b's change moved later
  EXPECT_EQ(memo.earliest(), t0 + seconds(9));
  memo.forget("a");
  EXPECT_EQ(memo.earliest(), t0 + seconds(20));
  memo.clear_next();
  EXPECT_EQ(memo.earliest(), std::nullopt);
}

class StatusSyncTest : public api_testing::AdminApiTest {
 protected:
  StatusSyncTest() { worlds_.commands["hog"] = api_testing::memory_hog(); }

  void create(const std::string& name, json spec) { create_pod(name, std::move(spec)); }
  json get(const std::string& name) { return get_pod(name); }
  static json spec(const std::string& memory_limit) { return build_and_helper(memory_limit); }
  static json build_state(const json& pod) { return status_of(pod, "build")["state"]; }

  std::shared_ptr<WatchStream> watch(const std::string& timeout) {
    const std::string rv = json::parse(call("GET", "/api/v1/namespaces/ci/pods").body)["metadata"]["resourceVersion"];
    HttpResponse r =
        call("GET", "/api/v1/namespaces/ci/pods", "", {{"resourceVersion", rv}, {"timeoutSeconds", timeout}, {"watch", "true"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return std::dynamic_pointer_cast<WatchStream>(r.stream);
  }

  // Runs script in the pod's build container; the outcome's side effects land in the models.
  void exec(const std::string& name, const std::string& script) {
    HttpResponse response = exec_request(name, "build", script);
    ASSERT_EQ(response.status, 101) << response.body;
    ASSERT_TRUE(response.exec);
    response.exec("");
  }
};

// Pulls a stream to its end, noting the clock at each line.
asio::awaitable<void> drain_json(std::shared_ptr<HttpBodyStream> stream, Clock* clock,
                                 std::vector<std::pair<json, TimePoint>>* out) {
  for (;;) {
    std::optional<std::string> line = co_await stream->next();
    if (!line) break;
    out->emplace_back(json::parse(*line), clock->now());
  }
}

// The exec's OOM kill is recorded by a callback, with no store write and at the same virtual time: the
// watch that synced just before must still learn of the kill's time and wake for it.
TEST_F(StatusSyncTest, AnOomKillByAnExecReachesAWatchAtTheKillsTime) {
  server_.set_oom_policy({2, false, 33});
  create("job", spec("64Mi"));
  create("other", spec("1Gi"));  // a second started pod, so that a sync has pods it need not present
  clock_.advance(seconds(6));    // both run
  auto w = watch("120");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->poll().empty());  // synced: nothing new
  const TimePoint exec_at = clock_.now();
  exec("job", "echo start; hog; echo never");
  asio::io_context io;
  std::vector<std::pair<json, TimePoint>> got;
  asio::co_spawn(io, drain_json(w, &clock_, &got), asio::detached);
  clock_.run(io);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first["type"], "MODIFIED");
  EXPECT_EQ(got[0].first["object"]["metadata"]["name"], "job");
  EXPECT_EQ(build_state(got[0].first["object"])["terminated"]["reason"], "OOMKilled");
  EXPECT_GT(got[0].second, exec_at);
  EXPECT_LT(got[0].second, exec_at + seconds(120));  // at the kill, not at the watch's end
}

// A container that runs its own command and crash-loops changes at each exit and restart with no store
// write: the memo's next change for the pod must be the command's, or a synced watch sleeps through them.
TEST_F(StatusSyncTest, ACrashLoopingCommandReachesAWatchAtEachRestart) {
  create("loop", {{"restartPolicy", "Always"},
                  {"containers", {{{"name", "build"}, {"image", "alpine"}, {"args", {"sh", "-c", "sleep 5; exit 1"}}}}}});
  create("other", spec("1Gi"));
  clock_.advance(seconds(7));  // started at 6 s, first run until 11 s
  auto w = watch("60");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->poll().empty());  // synced: nothing new
  const TimePoint from = clock_.now();
  asio::io_context io;
  std::vector<std::pair<json, TimePoint>> got;
  asio::co_spawn(io, drain_json(w, &clock_, &got), asio::detached);
  clock_.run(io);
  std::string seen;  // "<seconds after the sync>:<restartCount>" of each MODIFIED of the looping pod
  for (const auto& [event, at] : got) {
    if (event["object"]["metadata"]["name"] != "loop") continue;
    seen += std::to_string(std::chrono::duration_cast<seconds>(at - from).count()) + ":" +
            status_of(event["object"], "build")["restartCount"].dump() + " ";
  }
  // Exits at 11 s (restarted at once), 16 s (back-off 10 s), 31 s (20 s), 56 s; restarts at 26 s and 51 s.
  EXPECT_EQ(seen, "4:1 9:1 19:2 24:2 44:3 49:3 ");
}

// A Secret created at the same virtual time changes how a started pod reads (its env resolves): the
// watch sees that, though no pod was written.
TEST_F(StatusSyncTest, ASecretWrittenAtTheSameTimeReachesAWatch) {
  json with_env = spec("1Gi");
  with_env["containers"][0]["env"] = {
      {{"name", "DB_PASSWORD"}, {"valueFrom", {{"secretKeyRef", {{"name", "db-creds"}, {"key", "password"}}}}}}};
  create("job", with_env);
  create("other", spec("1Gi"));
  clock_.advance(seconds(20));
  auto w = watch("60");
  ASSERT_TRUE(w);
  const json before = get("job");
  ASSERT_TRUE(build_state(before).contains("waiting")) << before.dump();
  w->poll();  // synced after the last request
  seed_secret("db-creds", "password", "s3cr3t");
  const std::vector<std::string> lines = w->poll();  // before any request: a request's kubelet sync looks anew
  const json after = get("job");
  ASSERT_NE(build_state(after), build_state(before));  // the pod reads differently now
  ASSERT_FALSE(lines.empty());
  const json last = json::parse(lines.back());
  EXPECT_EQ(last["object"]["metadata"]["name"], "job");
  EXPECT_EQ(last["object"]["status"], after["status"]);
}

// A later sync applies the changes due by then, though nothing was written in between.
TEST_F(StatusSyncTest, ALaterTimeShowsTheChangesDueByThen) {
  json deadline = spec("1Gi");
  deadline["activeDeadlineSeconds"] = 30;
  create("job", deadline);
  create("other", spec("1Gi"));
  clock_.advance(seconds(6));
  auto w = watch("600");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->poll().empty());
  clock_.advance(seconds(25));  // t = 31: past the deadline
  const std::vector<std::string> lines = w->poll();
  ASSERT_FALSE(lines.empty());
  const json last = json::parse(lines.back());
  EXPECT_EQ(last["object"]["metadata"]["name"], "job");
  EXPECT_EQ(last["object"]["status"]["phase"], "Failed");
  EXPECT_EQ(last["object"]["status"], get("job")["status"]);
}

}  // namespace
}  // namespace kexsim::fakes

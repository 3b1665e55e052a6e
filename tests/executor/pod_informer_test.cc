// The pod watcher's handler (internal/watchers/pod.go) and the reflector's requests (client-go reflector.go).

#include "executor/pod_informer.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "executor/http/client.h"
#include "executor/kube_client.h"
#include "executor/kube_watch.h"
#include "tests/support/loopback_dialer.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

json pod(const std::string& name = "p-1") {
  return {{"metadata", {{"namespace", "ci"}, {"name", name}, {"resourceVersion", "12"}}},
          {"status",
           {{"phase", "Running"},
            {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})},
            {"containerStatuses",
             json::array({{{"name", "build"}, {"ready", true}, {"state", {{"running", json::object()}}}}})}}}};
}

TEST(PodInformerTest, AHealthyPodIsNoError) { EXPECT_FALSE(terminal_pod_error(pod(), Profile::kV19_4)); }

TEST(PodInformerTest, ADisruptionTargetConditionIsTheDisruptedError) {
  json p = pod();
  p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:05Z";
  p["status"]["conditions"].push_back({{"type", "DisruptionTarget"},
                                       {"status", "True"},
                                       {"reason", "EvictionByEvictionAPI"},
                                       {"message", "Eviction API: evicting"}});
  const auto e = terminal_pod_error(p, Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "pod \"ci/p-1\" is disrupted: reason \"EvictionByEvictionAPI\", message \"Eviction API: evicting\"");
  EXPECT_EQ(e->reason, FailureReason::kRunnerSystemFailure);
}

TEST(PodInformerTest, ADeletionTimestampWithoutDisruptionIsBeingDeleted) {
  json p = pod();
  p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:05Z";
  p["status"]["conditions"].push_back({{"type", "DisruptionTarget"}, {"status", "False"}});
  const auto e = terminal_pod_error(p, Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "pod \"ci/p-1\" is being deleted");
}

TEST(PodInformerTest, ACrashLoopingContainerFailsThePodWithItsBuildErrorsReason) {
  json p = pod();
  p["status"]["containerStatuses"].push_back(
      {{"name", "svc"},
       {"ready", false},
       {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "back-off 10s restarting"}}}}}});
  const auto e = terminal_pod_error(p, Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.rfind("pod \"ci/p-1\" failed: container \"svc\" is in CrashLoopBackOff", 0), 0u) << e->message;
  EXPECT_EQ(e->reason, FailureReason::kRunnerConfigurationError);
}

TEST(PodInformerTest, OnlyTheCurrentPodsEventsCount) {
  json p = pod("old-pod");
  p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:05Z";
  EXPECT_FALSE(informer_event_error("MODIFIED", p, "new-pod", Profile::kV19_4));
  EXPECT_FALSE(informer_event_error("DELETED", p, "new-pod", Profile::kV19_4));
  EXPECT_FALSE(informer_event_error("MODIFIED", p, "", Profile::kV19_4));  // UpdatePodName not called yet
  EXPECT_TRUE(informer_event_error("MODIFIED", p, "old-pod", Profile::kV19_4));
}

TEST(PodInformerTest, ADeleteIsReportedEvenForAHealthyPod) {
  const auto e = informer_event_error("DELETED", pod(), "p-1", Profile::kV19_4);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "pod \"ci/p-1\" is deleted");
  EXPECT_FALSE(informer_event_error("ADDED", pod(), "p-1", Profile::kV19_4));
  EXPECT_FALSE(informer_event_error("BOOKMARK", pod(), "p-1", Profile::kV19_4));
}

/// What the informer did with a DELETED event of its pod while no stage waited (the sink declines it).
std::optional<PodWatchError> kept_after_unconsumed_error(Profile profile) {
  boost::asio::io_context io;
  testing::ManualClock clock;
  testing::LoopbackDialer dialer;
  HttpClient http(io.get_executor(), dialer, clock, TlsSettings{});
  KubeClient kube(http, KubeConnection{});
  PodInformer informer(io.get_executor(), clock, Random(1), kube, "ci", json{{"pod", "p"}}, profile);
  informer.set_pod_name("p-1");
  int offered = 0;
  informer.set_on_error([&](const PodWatchError&) {
    ++offered;
    return false;  // no stage is in its select
  });
  informer.handle("DELETED", pod());
  informer.handle("DELETED", pod("p-1"));  // a second one finds the slot taken: dropped
  EXPECT_EQ(offered, 2);
  auto kept = informer.take_pending();
  EXPECT_FALSE(informer.take_pending());  // received once
  return kept;
}

TEST(PodInformerTest, A19xChannelKeepsOneUnconsumedErrorForTheNextStage) {
  // internal/watchers/pod.go: make(chan error, 1) from 19.0; unbuffered (dropped after 1 ms) in 17.9-18.x.
  const auto kept = kept_after_unconsumed_error(Profile::kV19_4);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->message, "pod \"ci/p-1\" is deleted");
  EXPECT_FALSE(kept_after_unconsumed_error(Profile::kV18_11));
}

TEST(PodInformerTest, TheSelectorIsTheLabelSetInKeyOrder) {
  EXPECT_EQ(label_selector(json{{"pod", "runner-x"}, {"job.runner.gitlab.com/pod", "runner-x"}}),
            "job.runner.gitlab.com/pod=runner-x,pod=runner-x");
}

TEST(PodInformerTest, TheReflectorsRequestsAsTheCallLogShowsThem) {
  EXPECT_EQ(informer_list_query("a=b,c=d", ""), "labelSelector=a%3Db%2Cc%3Dd&limit=500&resourceVersion=0");
  EXPECT_EQ(informer_list_query("a=b", "41"), "labelSelector=a%3Db&limit=500&resourceVersion=41");
  EXPECT_EQ(informer_watch_query("a=b", "41", 452, false),
            "allowWatchBookmarks=true&labelSelector=a%3Db&resourceVersion=41&timeout=7m32s&timeoutSeconds=452&"
            "watch=true");
  EXPECT_EQ(informer_watch_query("a=b", "", 300, true),
            "allowWatchBookmarks=true&labelSelector=a%3Db&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&"
            "timeout=5m0s&timeoutSeconds=300&watch=true");
}

TEST(PodInformerTest, GoDurationsOfWholeSeconds) {
  EXPECT_EQ(go_duration_seconds(0), "0s");
  EXPECT_EQ(go_duration_seconds(45), "45s");
  EXPECT_EQ(go_duration_seconds(599), "9m59s");
  EXPECT_EQ(go_duration_seconds(3600), "1h0m0s");
}

}  // namespace
}  // namespace kexsim::executor

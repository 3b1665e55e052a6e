// FF_PRINT_POD_EVENTS' rows as printPodEvents' tabwriter lays them out.

#include "executor/pod_events.h"

#include <gtest/gtest.h>

#include "tests/support/loopback_dialer.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

TEST(PodEventPrinterTest, TheHeaderAlignsWithTheFirstEventOnly) {
  PodEventPrinter printer;
  const std::vector<std::string> first = printer.print("Normal", "Scheduled", "Successfully assigned ns/p to n");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "Type     Reason      Message");
  EXPECT_EQ(first[1], "Normal   Scheduled   Successfully assigned ns/p to n");
  // Flushed after each event: a later row is aligned on its own.
  EXPECT_EQ(printer.print("Warning", "BackOff", "Back-off restarting failed container build"),
            std::vector<std::string>{"Warning   BackOff   Back-off restarting failed container build"});
}

TEST(PodEventPrinterTest, CellsShorterThanMinwidthArePaddedToIt) {
  EXPECT_EQ(tabwriter_block({{"", "x", "end"}}), std::vector<std::string>{"   x   end"});
  EXPECT_EQ(tabwriter_block({{"a", "bb"}, {"ccc", "d"}}), (std::vector<std::string>{"a     bb", "ccc   d"}));
}

TEST(PodEventPrinterTest, ARowWithFewerCellsEndsTheColumnBlock) {
  EXPECT_EQ(tabwriter_block({{"aaaaaa", "x"}, {"only"}, {"b", "y"}}),
            (std::vector<std::string>{"aaaaaa   x", "only", "b   y"}));
}

struct EventsWatchFixture {
  asio::io_context io;
  kexsim::testing::LoopbackDialer dialer;
  kexsim::testing::ManualClock clock;
  HttpClient http{io.get_executor(), dialer, clock, TlsSettings{}};
  KubeClient kube{http, KubeConnection{"https://k8s.example.com:6443", "", TlsSettings{}, "gitlab-runner 19.4.0"}};
  std::vector<std::string> lines;
  std::shared_ptr<PodEventsWatch> watch = std::make_shared<PodEventsWatch>(
      io.get_executor(), kube, "ci", "runner-x", [this](std::string_view l) { lines.emplace_back(l); });
};

TEST(PodEventsWatchTest, WatchesTheEventsOfThePodByFieldSelector) {
  EventsWatchFixture f;
  EXPECT_EQ(f.watch->path(), "/api/v1/namespaces/ci/events?fieldSelector=involvedObject.name%3Drunner-x&watch=true");
}

TEST(PodEventsWatchTest, EveryEventObjectIsARowAndStatusesAreSkipped) {
  EventsWatchFixture f;
  f.watch->on_event("ERROR", {{"kind", "Status"}, {"code", 410}});
  EXPECT_TRUE(f.lines.empty());
  f.watch->on_event("ADDED", {{"kind", "Event"}, {"type", "Normal"}, {"reason", "Pulled"}, {"message", "done"}});
  f.watch->on_event("MODIFIED",
                    {{"kind", "Event"}, {"type", "Warning"}, {"reason", "BackOff"}, {"message", "Back-off pulling"}});
  EXPECT_EQ(f.lines, (std::vector<std::string>{"Type     Reason   Message", "Normal   Pulled   done",
                                               "Warning   BackOff   Back-off pulling"}));
  f.watch->stop();
  f.watch->on_event("ADDED", {{"kind", "Event"}, {"type", "Normal"}, {"reason", "Started"}, {"message", "x"}});
  EXPECT_EQ(f.lines.size(), 3u);
}

}  // namespace
}  // namespace kexsim::executor

// EventLog's repeats: a legacy or series record aggregates into its own subject's isomorphic event only, found
// through the per-subject index (names_by_subject_) as the scan over every event found it.
#include "fakes/kube/events.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

EventSubject subject(const std::string& ns, const std::string& name, const std::string& uid,
                     const std::string& field_path = "") {
  EventSubject s;
  s.ns = ns;
  s.name = name;
  s.uid = uid;
  s.field_path = field_path;
  return s;
}

EventRecord pulled() {
  return {"Normal", "Pulled", "Container image \"alpine:3.20\" already present on machine", "", "kubelet", "node-1"};
}

TEST(EventLogTest, ALegacyRepeatCountsOnItsOwnSubjectsEventOnly) {
  EventLog log;
  const TimePoint t0{};
  log.record_legacy(subject("ci", "a", "u-a", "spec.containers{build}"), pulled(), t0, "5");
  log.record_legacy(subject("ci", "b", "u-b", "spec.containers{build}"), pulled(), t0, "6");
  log.record_legacy(subject("other", "a", "u-a", "spec.containers{build}"), pulled(), t0, "7");  // another namespace
  log.record_legacy(subject("ci", "a", "u-a", "spec.containers{helper}"), pulled(), t0, "8");    // another container
  log.record_legacy(subject("ci", "a", "u-a", "spec.containers{build}"), pulled(), t0 + std::chrono::seconds(3), "9");
  ASSERT_EQ(log.size(), 4u);
  std::vector<std::string> got;
  for (const json& e : log.list(""))
    got.push_back(e["metadata"]["namespace"].get<std::string>() + "/" + e["involvedObject"]["name"].get<std::string>() +
                  " " + e["involvedObject"]["fieldPath"].get<std::string>() + " x" +
                  std::to_string(e["count"].get<int>()) + " rv" + e["metadata"]["resourceVersion"].get<std::string>());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got,
            (std::vector<std::string>{"ci/a spec.containers{build} x2 rv9", "ci/a spec.containers{helper} x1 rv8",
                                      "ci/b spec.containers{build} x1 rv6", "other/a spec.containers{build} x1 rv7"}));
}

TEST(EventLogTest, ASeriesRepeatStartsItsOwnSubjectsSeries) {
  EventLog log;
  const TimePoint t0{};
  const EventRecord failed{"Warning",    "FailedScheduling",  "0/1 nodes are available",
                           "Scheduling", "default-scheduler", ""};
  log.record_series(subject("ci", "a", "u-a"), failed, t0, "5");
  log.record_series(subject("ci", "b", "u-b"), failed, t0, "6");
  log.record_series(subject("ci", "a", "u-a"), failed, t0 + std::chrono::seconds(1), "7");
  log.record_series(subject("ci", "a", "u-a"), failed, t0 + std::chrono::seconds(2), "8");
  ASSERT_EQ(log.size(), 2u);
  for (const json& e : log.list("ci")) {
    if (e["involvedObject"]["name"] == "a") {
      EXPECT_EQ(e["series"]["count"], 3);
      EXPECT_EQ(e["metadata"]["resourceVersion"], "8");
    } else {
      EXPECT_FALSE(e.contains("series"));
    }
  }
}

}  // namespace
}  // namespace kexsim::fakes

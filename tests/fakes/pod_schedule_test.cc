// PodStartSchedule (which pending pod starts a request looks at) and ServedBodies (a pod GET's body reused).
#include "fakes/kube/pod_schedule.h"

#include <gtest/gtest.h>

#include "fakes/kube/served_bodies.h"

namespace kexsim::fakes {
namespace {

const TimePoint kScheduleT0 = TimePoint(Duration(1767225600LL * 1000000));

std::vector<std::string> uids(const std::vector<PodStartSchedule::Pending>& pending) {
  std::vector<std::string> out;
  for (const auto& p : pending) out.push_back(p.uid);
  return out;
}

TEST(PodStartSchedule, HandsOutThePodsDueByNowAndThoseWithNoKnownStart) {
  PodStartSchedule schedule;
  schedule.schedule("u1", {"ci", "a"}, kScheduleT0 + std::chrono::seconds(2));
  schedule.schedule("u2", {"ci", "b"}, kScheduleT0 + std::chrono::seconds(5));
  schedule.schedule("u3", {"ci", "c"}, std::nullopt);
  EXPECT_EQ(uids(schedule.due(kScheduleT0)), (std::vector<std::string>{"u3"}));
  EXPECT_EQ(uids(schedule.due(kScheduleT0 + std::chrono::seconds(2))), (std::vector<std::string>{"u1", "u3"}));
  EXPECT_EQ(uids(schedule.due(kScheduleT0 + std::chrono::seconds(9))), (std::vector<std::string>{"u1", "u2", "u3"}));
  EXPECT_EQ(uids(schedule.unknown()), (std::vector<std::string>{"u3"}));
  const auto earliest = schedule.earliest();
  ASSERT_TRUE(earliest.has_value());
  EXPECT_EQ(earliest->first, kScheduleT0 + std::chrono::seconds(2));
  EXPECT_EQ(earliest->second.uid, "u1");
  EXPECT_EQ(earliest->second.key, (std::pair<std::string, std::string>{"ci", "a"}));
}

TEST(PodStartSchedule, ReschedulingMovesAPodAndEraseForgetsIt) {
  PodStartSchedule schedule;
  schedule.schedule("u1", {"ci", "a"}, kScheduleT0 + std::chrono::seconds(2));
  schedule.schedule("u1", {"ci", "a"}, kScheduleT0 + std::chrono::seconds(7));  // its start moved later
  EXPECT_TRUE(schedule.due(kScheduleT0 + std::chrono::seconds(6)).empty());
  EXPECT_EQ(uids(schedule.due(kScheduleT0 + std::chrono::seconds(7))), (std::vector<std::string>{"u1"}));
  schedule.schedule("u1", {"ci", "a"}, std::nullopt);  // not known any more: looked at always
  EXPECT_FALSE(schedule.earliest().has_value());
  EXPECT_EQ(uids(schedule.due(kScheduleT0)), (std::vector<std::string>{"u1"}));
  schedule.erase("u1");
  EXPECT_TRUE(schedule.empty());
  EXPECT_TRUE(schedule.due(kScheduleT0 + std::chrono::hours(1)).empty());
}

TEST(ServedBodies, ServesTheSameTextWhileTheObjectIsTheSame) {
  ServedBodies served;
  nlohmann::json pod = {{"metadata", {{"name", "a"}}}, {"status", {{"phase", "Pending"}}}};
  EXPECT_EQ(served.text("u1", pod), pod.dump());
  EXPECT_EQ(served.text("u1", pod), pod.dump());
  pod["status"]["phase"] = "Running";
  EXPECT_EQ(served.text("u1", pod), pod.dump()) << "a changed pod is serialised again";
  served.forget("u1");
  EXPECT_EQ(served.text("u1", pod), pod.dump());
}

}  // namespace
}  // namespace kexsim::fakes

// FF_TIMESTAMPS line prefixes and the feature flags that switch them, against the rules of
// gitlab-runner common/buildlogger/internal/timestamper (19.1+), common/build_settings.go and
// common/build.go getFeatureFlagInfo.

#include "executor/timestamper.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "executor/profile.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

// Every reading of the clock is an hour after the previous one, so each header shows when it was
// taken (upstream's timestamper tests step their clock the same way).
class SteppingClock : public testing::ManualClock {
 public:
  explicit SteppingClock(TimePoint start) : next_(start) {}
  TimePoint now() const override {
    next_ += std::chrono::hours(1);
    return next_;
  }

 private:
  mutable TimePoint next_;
};

// 2022-03-04T05:06:07.000042Z, so the first header reads 06:06:07.000042.
TimePoint start_time() {
  using namespace std::chrono;
  return TimePoint(sys_days(year{2022} / 3 / 4).time_since_epoch() + hours(5) + minutes(6) + seconds(7) +
                   microseconds(42));
}

struct Stream {
  SteppingClock clock{start_time()};
  Timestamper ts;
  std::string out;
  explicit Stream(TraceStream s = {1, 'O'}) : ts(clock, s) {}
  Stream& w(std::string_view bytes) {
    ts.write(bytes, out);
    return *this;
  }
};

std::string line_at(int hour, std::string_view rest) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2022-03-04T%02d:06:07.000042Z ", hour);
  return std::string(buf) + std::string(rest);
}

TEST(Timestamper, HeaderIsUtcMicrosecondsLeftPaddedWithStreamAndLineType) {
  using namespace std::chrono;
  const TimePoint t = TimePoint(sys_days(year{2025} / 1 / 1).time_since_epoch() + hours(10) + microseconds(20010));
  EXPECT_EQ(timestamp_header(t, {0, 'O'}, false), "2025-01-01T10:00:00.020010Z 00O ");
  EXPECT_EQ(timestamp_header(t, {1, 'E'}, true), "2025-01-01T10:00:00.020010Z 01E+");
  EXPECT_EQ(timestamp_header(t, {15, 'O'}, false), "2025-01-01T10:00:00.020010Z 0fO ");
  EXPECT_EQ(timestamp_header(t, {255, 'E'}, false).size(), 32u);
  EXPECT_EQ(timestamp_header(TimePoint(), {0, 'O'}, false), "1970-01-01T00:00:00.000000Z 00O ");
}

TEST(Timestamper, EveryNewlineEndsALine) {
  Stream r;
  r.w("one\n").w("two\nthree\n\nfour\n");
  EXPECT_EQ(r.out, line_at(6, "01O one\n") + line_at(7, "01O two\n") + line_at(8, "01O three\n") +
                       line_at(9, "01O \n") + line_at(10, "01O four\n"));
}

TEST(Timestamper, LineSplitAcrossWritesKeepsTheTimeOfItsFirstByte) {
  Stream r;
  r.w("a line in ").w("three ");
  EXPECT_EQ(r.out, "");  // held until its end arrives
  r.w("writes\nand the next");
  EXPECT_EQ(r.out, line_at(6, "01O a line in three writes\n"));
  r.w("\nlast\n");
  EXPECT_EQ(r.out,
            line_at(6, "01O a line in three writes\n") + line_at(7, "01O and the next\n") + line_at(8, "01O last\n"));
}

TEST(Timestamper, CarriageReturnWritesAreEmittedAndContinued) {
  Stream r;
  r.w("Downloading: ");
  for (int i = 0; i < 3; ++i) r.w("#\r");
  r.w("done\r\n").w("CRLF line\r\n").w("many\r\r\r\n");
  EXPECT_EQ(r.out, line_at(6, "01O Downloading: #\r\n") + line_at(7, "01O+#\r\n") + line_at(8, "01O+#\r\n") +
                       line_at(9, "01O+done\r\n") + line_at(10, "01O CRLF line\r\n") + line_at(11, "01O many\r\r\r\n"));
}

TEST(Timestamper, SectionMarkerStaysOneEntryWithItsEraseCode) {
  Stream r({0, 'O'});
  r.w("section_start:1700000000:step_script\r\033[0K").w("\033[0K\033[36;1mExecuting\033[0;m\n");
  r.w("section_end:1700000000:step_script\r\033[0K");
  EXPECT_EQ(r.out, line_at(6, "00O section_start:1700000000:step_script\r\033[0K\n") +
                       line_at(7, "00O+\033[0K\033[36;1mExecuting\033[0;m\n") +
                       line_at(8, "00O section_end:1700000000:step_script\r\033[0K\n"));
}

TEST(Timestamper, LongPartialLinesAreWrittenOutAndContinued) {
  const size_t kBuf = Timestamper::kBufferSize;
  Stream r({1, 'E'});
  r.w("begin");
  r.w(std::string(kBuf, 'x'));  // with the 32-byte header held, this outgrows the buffer
  r.w(std::string(kBuf + 1, 'y'));
  r.w("end\n");
  EXPECT_EQ(r.out, line_at(6, "01E begin" + std::string(kBuf, 'x') + "\n") +
                       line_at(7, "01E+" + std::string(kBuf + 1, 'y') + "\n") + line_at(8, "01E+end\n"));
}

TEST(Timestamper, PartialLineBelowTheBufferIsHeld) {
  Stream r;
  r.w(std::string(Timestamper::kBufferSize - 32, 'z'));  // header + bytes: exactly the buffer
  EXPECT_EQ(r.out, "");
  r.w("\n");
  EXPECT_EQ(r.out, line_at(6, "01O " + std::string(Timestamper::kBufferSize - 32, 'z') + "\n"));
}

TEST(Timestamper, CloseEndsAHeldLineAndTheNextWriterStartsFresh) {
  Stream r;
  r.w("no newline");
  r.ts.close(r.out);
  r.ts.close(r.out);  // nothing held: nothing written
  EXPECT_EQ(r.out, line_at(6, "01O no newline\n"));
  r.w("progress\r");
  r.ts.close(r.out);
  r.w("next\n");
  EXPECT_EQ(r.out, line_at(6, "01O no newline\n") + line_at(7, "01O progress\r\n") + line_at(8, "01O next\n"));
}

// --- Feature flags ------------------------------------------------------------------------------

using Vars = std::map<std::string, std::string>;

FeatureFlagValues resolve(Profile p, const std::map<std::string, bool>& config, const Vars& vars) {
  return resolve_feature_flags(p, config, [&vars](std::string_view name) -> const std::string* {
    const auto it = vars.find(std::string(name));
    return it == vars.end() ? nullptr : &it->second;
  });
}

TEST(FeatureFlags, TimestampsAreOnIn194AndDoNotExistIn1312) {
  EXPECT_TRUE(resolve(Profile::kV19_4, {}, {}).on("FF_TIMESTAMPS"));
  EXPECT_FALSE(resolve(Profile::kV13_12, {}, {}).on("FF_TIMESTAMPS"));
  EXPECT_FALSE(is_feature_flag(Profile::kV13_12, "FF_TIMESTAMPS"));
  EXPECT_FALSE(resolve(Profile::kV13_12, {{"FF_TIMESTAMPS", true}}, {}).on("FF_TIMESTAMPS"));
  EXPECT_EQ(feature_flags(Profile::kV19_4).size(), 52u);
  EXPECT_EQ(feature_flags(Profile::kV13_12).size(), 16u);
}

TEST(FeatureFlags, JobVariableSwitchesAndTheHeaderShowsWhatDiffers) {
  const auto off = resolve(Profile::kV19_4, {}, {{"FF_TIMESTAMPS", "false"}});
  EXPECT_FALSE(off.on("FF_TIMESTAMPS"));
  EXPECT_EQ(feature_flag_info(Profile::kV19_4, off), "FF_TIMESTAMPS:false");
  // Setting a flag to its default prints nothing.
  EXPECT_EQ(feature_flag_info(Profile::kV19_4, resolve(Profile::kV19_4, {}, {{"FF_TIMESTAMPS", "true"}})), "");
  EXPECT_EQ(feature_flag_info(Profile::kV19_4, resolve(Profile::kV19_4, {}, {})), "");
  // Go's ParseBool spellings.
  EXPECT_FALSE(resolve(Profile::kV19_4, {}, {{"FF_TIMESTAMPS", "0"}}).on("FF_TIMESTAMPS"));
  EXPECT_FALSE(resolve(Profile::kV19_4, {}, {{"FF_TIMESTAMPS", "F"}}).on("FF_TIMESTAMPS"));
  EXPECT_TRUE(resolve(Profile::kV19_4, {}, {{"FF_PRINT_POD_EVENTS", "True"}}).on("FF_PRINT_POD_EVENTS"));
}

TEST(FeatureFlags, ConfigBeatsTheJobVariable) {
  const auto v = resolve(Profile::kV19_4, {{"FF_TIMESTAMPS", true}}, {{"FF_TIMESTAMPS", "false"}});
  EXPECT_TRUE(v.on("FF_TIMESTAMPS"));
  EXPECT_EQ(feature_flag_info(Profile::kV19_4, v), "");
  const auto w = resolve(Profile::kV19_4, {{"FF_TIMESTAMPS", false}}, {{"FF_TIMESTAMPS", "true"}});
  EXPECT_FALSE(w.on("FF_TIMESTAMPS"));
}

TEST(FeatureFlags, HeaderListsFlagsInRegistryOrder) {
  const auto v = resolve(Profile::kV19_4, {{"FF_TIMESTAMPS", false}, {"FF_NETWORK_PER_BUILD", true}},
                         {{"FF_USE_FASTZIP", "false"}, {"FF_PRINT_POD_EVENTS", "1"}});
  EXPECT_EQ(feature_flag_info(Profile::kV19_4, v),
            "FF_NETWORK_PER_BUILD:true, FF_USE_FASTZIP:false, FF_PRINT_POD_EVENTS:true, FF_TIMESTAMPS:false");
  // 13.12 ran the legacy exec strategy by default: turning it off is what shows.
  const auto old = resolve(Profile::kV13_12, {}, {{"FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", "false"}});
  EXPECT_EQ(feature_flag_info(Profile::kV13_12, old), "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY:false");
}

TEST(FeatureFlags, UnparsableJobVariable) {
  // 19.4 keeps the default and reports it (a WARNING line after the header).
  const auto v = resolve(Profile::kV19_4, {}, {{"FF_TIMESTAMPS", "yes"}});
  EXPECT_TRUE(v.on("FF_TIMESTAMPS"));
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_EQ(v.errors[0], "FF_TIMESTAMPS: could not parse feature flag, expected bool, got yes");
  // 13.12's featureflags.IsOn reads it as off.
  const auto old = resolve(Profile::kV13_12, {}, {{"FF_USE_DIRECT_DOWNLOAD", "yes"}});
  EXPECT_FALSE(old.on("FF_USE_DIRECT_DOWNLOAD"));
  EXPECT_TRUE(old.errors.empty());
  EXPECT_EQ(feature_flag_info(Profile::kV13_12, old), "FF_USE_DIRECT_DOWNLOAD:false");
}

}  // namespace
}  // namespace kexsim::executor

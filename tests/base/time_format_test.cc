// The HTTP date format (Go's time.RFC1123) both sides of the GitLab wire read and write.

#include <gtest/gtest.h>

#include "base/clock.h"

namespace kexsim {
namespace {

TEST(Rfc1123, FormatsTheWayGoWritesAnHttpDate) {
  TimePoint t;
  ASSERT_TRUE(parse_rfc3339("2015-10-21T07:28:00Z", t));
  EXPECT_EQ(format_rfc1123(t), "Wed, 21 Oct 2015 07:28:00 GMT");
  ASSERT_TRUE(parse_rfc3339("1970-01-01T00:00:00Z", t));
  EXPECT_EQ(format_rfc1123(t), "Thu, 01 Jan 1970 00:00:00 GMT");
  ASSERT_TRUE(parse_rfc3339("2026-12-01T23:59:59.999999Z", t));
  EXPECT_EQ(format_rfc1123(t), "Tue, 01 Dec 2026 23:59:59 GMT");  // fractions are dropped, not rounded
}

TEST(Rfc1123, ParsesWhatItFormats) {
  TimePoint t, back;
  ASSERT_TRUE(parse_rfc3339("2024-02-29T12:00:01Z", t));
  ASSERT_TRUE(parse_rfc1123(format_rfc1123(t), back));
  EXPECT_EQ(back, t);
}

TEST(Rfc1123, ReadsAnUnknownZoneAsUtcLikeGo) {
  TimePoint gmt, other;
  ASSERT_TRUE(parse_rfc1123("Wed, 21 Oct 2015 07:28:00 GMT", gmt));
  ASSERT_TRUE(parse_rfc1123("Wed, 21 Oct 2015 07:28:00 XYZ", other));
  EXPECT_EQ(gmt, other);
}

TEST(Rfc1123, RejectsOtherLayouts) {
  TimePoint t;
  EXPECT_FALSE(parse_rfc1123("", t));
  EXPECT_FALSE(parse_rfc1123("2015-10-21T07:28:00Z", t));
  EXPECT_FALSE(parse_rfc1123("Wed, 21 Foo 2015 07:28:00 GMT", t));
  EXPECT_FALSE(parse_rfc1123("Wed, 21 Oct 2015 07:28:00 GMT trailing", t));
  EXPECT_FALSE(parse_rfc1123("Wed, 21 Oct 2015 25:28:00 GMT", t));
}

}  // namespace
}  // namespace kexsim

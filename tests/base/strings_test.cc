// base/strings: the house's one copy of trimming, splitting, case-insensitive comparison and the
// IP-literal test.

#include "base/strings.h"

#include <gtest/gtest.h>

namespace kexsim {
namespace {

using Strings = std::vector<std::string>;

TEST(Strings, TrimDropsSpacesTabsAndLineEnds) {
  EXPECT_EQ(trim("  a b\t\r\n"), "a b");
  EXPECT_EQ(trim_view("\tx"), "x");
  EXPECT_EQ(trim(" \t\r\n "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\va"), "\va");  // only the four kinds HTTP and TOML care about
}

TEST(Strings, SplitKeepsEmptyPieces) {
  EXPECT_EQ(split("a::b", ':'), (Strings{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (Strings{""}));
  EXPECT_EQ(split("a,", ','), (Strings{"a", ""}));
}

TEST(Strings, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(split_list("a, b,,c ,"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(split_list("system:masters;  dev", ';'), (Strings{"system:masters", "dev"}));
  EXPECT_TRUE(split_list(" , ").empty());
}

TEST(Strings, IequalsIsAsciiCaseInsensitive) {
  EXPECT_TRUE(iequals("100-Continue", "100-continue"));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("a-b", "a_b"));
}

TEST(Strings, IpLiteralsV4AndV6) {
  EXPECT_TRUE(is_ip_literal("10.0.0.216"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("fe80::1"));
  EXPECT_FALSE(is_ip_literal("gitlab.mylab.com"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
  EXPECT_FALSE(is_ip_literal("1.2.3.4444"));
  EXPECT_FALSE(is_ip_literal("[::1]"));  // a URL's bracketed form is not the address itself
  EXPECT_FALSE(is_ip_literal(""));
}

TEST(Strings, ParseGoIntIsAtoiOnA64BitBuild) {
  EXPECT_EQ(parse_go_int("5"), 5);
  EXPECT_EQ(parse_go_int("+5"), 5);
  EXPECT_EQ(parse_go_int("-5"), -5);
  EXPECT_EQ(parse_go_int("007"), 7);
  EXPECT_EQ(parse_go_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_go_int("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_go_int("3000000000"), 3000000000);  // past int32: Go's int is 64 bits
  for (const char* bad :
       {"", "+", "-", "+-5", "-+5", " 5", "5 ", "5x", "0x10", "1_000", "9223372036854775808", "-9223372036854775809"})
    EXPECT_EQ(parse_go_int(bad), std::nullopt) << bad;
}

TEST(Strings, PrefixAndSuffix) {
  EXPECT_TRUE(starts_with("Bearer t", "Bearer "));
  EXPECT_FALSE(starts_with("Bear", "Bearer "));
  EXPECT_TRUE(ends_with("/exec", "exec"));
  EXPECT_FALSE(ends_with("c", "exec"));
}

}  // namespace
}  // namespace kexsim

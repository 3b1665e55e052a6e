// The runtime's one backslash-escape decoder, in its three dialects.

#include "fakes/runtime/escapes.h"

#include <gtest/gtest.h>

namespace kexsim::fakes::shell {
namespace {

std::string decode(std::string_view in, EscapeDialect dialect, bool* completed = nullptr) {
  std::string out;
  const bool done = unescape_backslash(in, out, dialect);
  if (completed) *completed = done;
  return out;
}

TEST(Escapes, SharedEscapesHexAndOctal) {
  for (EscapeDialect d : {EscapeDialect::kPrintfFormat, EscapeDialect::kEcho, EscapeDialect::kAnsiC}) {
    EXPECT_EQ(decode(R"(a\tb\n\\\e[0m)", d), "a\tb\n\\\033[0m");
    EXPECT_EQ(decode(R"(\x41\x4a2\xg)", d), "AJ2\\xg");
    EXPECT_EQ(decode(R"(\101\1014)", d), "AA4");
    EXPECT_EQ(decode(R"(\q and a trailing \)", d), R"(\q and a trailing \)");
  }
}

TEST(Escapes, DialectsDifferInQuotesStopAndLeadingZero) {
  EXPECT_EQ(decode(R"(\"\'\?)", EscapeDialect::kPrintfFormat), R"("\'\?)");
  EXPECT_EQ(decode(R"(\"\'\?)", EscapeDialect::kAnsiC), R"("'?)");
  EXPECT_EQ(decode(R"(\"\'\?)", EscapeDialect::kEcho), R"(\"\'\?)");

  bool completed = true;
  EXPECT_EQ(decode(R"(one\ctwo)", EscapeDialect::kEcho, &completed), "one");
  EXPECT_FALSE(completed);
  EXPECT_EQ(decode(R"(one\ctwo)", EscapeDialect::kPrintfFormat, &completed), R"(one\ctwo)");
  EXPECT_TRUE(completed);

  // echo -e and %b: \0 introduces up to three more digits; a format takes three in all.
  EXPECT_EQ(decode(R"(\0101)", EscapeDialect::kEcho), "A");
  EXPECT_EQ(decode(R"(\0101)", EscapeDialect::kPrintfFormat), std::string("\010") + "1");
}

TEST(Escapes, OneEscapeReportsItsLength) {
  std::string out;
  bool stopped = false;
  EXPECT_EQ(unescape_one(R"(\x41rest)", out, EscapeDialect::kPrintfFormat, stopped), 4u);
  EXPECT_EQ(unescape_one(R"(\1234)", out, EscapeDialect::kPrintfFormat, stopped), 4u);
  EXPECT_EQ(unescape_one(R"(\)", out, EscapeDialect::kPrintfFormat, stopped), 1u);
  EXPECT_FALSE(stopped);
  EXPECT_EQ(unescape_one(R"(\c)", out, EscapeDialect::kEcho, stopped), 2u);
  EXPECT_TRUE(stopped);
  EXPECT_EQ(out, "AS\\");
}

}  // namespace
}  // namespace kexsim::fakes::shell

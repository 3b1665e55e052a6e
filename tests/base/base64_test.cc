#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace kexsim {
namespace {

std::string go_error(std::string_view text, GoBase64 encoding) {
  auto r = go_base64_decode(text, encoding);
  return r ? "ok: " + *r : r.error().message;
}

TEST(GoBase64Decode, StdEncodingRequiresPadding) {
  EXPECT_EQ(go_error("aGk=", GoBase64::kStdEncoding), "ok: hi");
  EXPECT_EQ(go_error("aGk", GoBase64::kStdEncoding), "illegal base64 data at input byte 0");
  EXPECT_EQ(go_error("a-8=", GoBase64::kStdEncoding), "illegal base64 data at input byte 1");
  EXPECT_EQ(go_error("aG\nk=", GoBase64::kStdEncoding), "ok: hi");  // CR and LF are skipped
}

TEST(GoBase64Decode, RawUrlEncodingTakesTheUrlAlphabetUnpadded) {
  // "\xfb\xff" is "+/8" in the standard alphabet, "-_8" in the URL one.
  EXPECT_EQ(go_error("-_8", GoBase64::kRawURLEncoding), "ok: \xfb\xff");
  EXPECT_EQ(go_error("aGk", GoBase64::kRawURLEncoding), "ok: hi");
  EXPECT_EQ(go_error("aGVsbG8", GoBase64::kRawURLEncoding), "ok: hello");
  EXPECT_EQ(go_error("", GoBase64::kRawURLEncoding), "ok: ");
}

TEST(GoBase64Decode, RawUrlEncodingNamesTheByteGoRefuses) {
  EXPECT_EQ(go_error("ab!c", GoBase64::kRawURLEncoding), "illegal base64 data at input byte 2");
  EXPECT_EQ(go_error("+_8", GoBase64::kRawURLEncoding), "illegal base64 data at input byte 0");
  EXPECT_EQ(go_error("aGk=", GoBase64::kRawURLEncoding), "illegal base64 data at input byte 3");  // no pad
  EXPECT_EQ(go_error("aGVsb", GoBase64::kRawURLEncoding), "illegal base64 data at input byte 4");  // 1 left over
}

}  // namespace
}  // namespace kexsim

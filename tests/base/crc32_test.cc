#include "base/crc32.h"

#include <gtest/gtest.h>

#include <string>

namespace kexsim {
namespace {

TEST(Crc32, EmptyIsZero) { EXPECT_EQ(crc32(""), 0u); }

TEST(Crc32, KnownVectors) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  EXPECT_EQ(crc32("a"), 0xE8B7BE43u);
}

TEST(Crc32, HandlesHighBytesAndNul) {
  const std::string data("\x00\xff\x80\x1b[0K", 7);
  EXPECT_EQ(crc32(data), crc32(std::string_view(data.data(), data.size())));
  EXPECT_NE(crc32(data), crc32(data.substr(1)));
}

TEST(Crc32, ContinuesAcrossChunks) {
  const std::string whole = "Running with gitlab-runner 19.4.0\nJob succeeded\n";
  uint32_t running = 0;
  for (size_t i = 0; i < whole.size(); i += 7) running = crc32(std::string_view(whole).substr(i, 7), running);
  EXPECT_EQ(running, crc32(whole));
}

}  // namespace
}  // namespace kexsim

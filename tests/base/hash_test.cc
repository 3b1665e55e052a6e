// base/hash: FNV-1a and splitmix64 against their published values, so a change that would shift
// every digest and seed in the house is caught here.

#include "base/hash.h"

#include <gtest/gtest.h>

namespace kexsim {
namespace {

TEST(Hash, Fnv1aMatchesThePublishedValuesFromTheStandardBasis) {
  constexpr uint64_t kStandardBasis = 0xcbf29ce484222325ULL;  // 14695981039346656037
  EXPECT_EQ(fnv1a("", kStandardBasis), kStandardBasis);
  EXPECT_EQ(fnv1a("a", kStandardBasis), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a("foobar", kStandardBasis), 0x85944171f73967e8ULL);
}

TEST(Hash, TheHouseBasisIsPinned) {
  // kFnv1aBasis is 1469598103934665603, the standard basis with its last digit dropped. Every seed
  // fork, pod digest and scenario digest depends on it, so it stays; this pins it.
  EXPECT_EQ(kFnv1aBasis, 1469598103934665603ULL);
  EXPECT_EQ(fnv1a("a"), 4953267810257967366ULL);
}

TEST(Hash, Fnv1aContinuesFromAPreviousHash) { EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar")); }

TEST(Hash, Splitmix64SequenceFromZero) {
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
  EXPECT_EQ(state, 3 * 0x9e3779b97f4a7c15ULL);
}

TEST(Hash, Hex64IsSixteenLowercaseDigits) {
  EXPECT_EQ(hex64(0), "0000000000000000");
  EXPECT_EQ(hex64(0xABCDEF0123456789ULL), "abcdef0123456789");
}

}  // namespace
}  // namespace kexsim

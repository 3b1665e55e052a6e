#include "base/random.h"

#include "base/hash.h"

namespace kexsim {
namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(uint64_t seed) : seed_(seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t Random::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Random::below(uint64_t n) {
  // Rejection sampling: discard the top partial bucket so every value is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do v = next();
  while (v >= limit);
  return v % n;
}

std::string Random::chars(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out += alphabet[below(alphabet.size())];
  return out;
}

std::string Random::uuid() {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    int v = static_cast<int>(below(16));
    if (i == 12) v = 4;            // version 4
    if (i == 16) v = 8 | (v & 3);  // RFC 4122 variant
    out += hex[v];
  }
  return out;
}

Random Random::fork(std::string_view label) const {
  return Random(seed_ ^ fnv1a(label));  // the label's hash, mixed with our seed
}

}  // namespace kexsim

#pragma once
// Non-cryptographic hashing for stable identifiers and digests: FNV-1a and the splitmix64 mixer.
// Not for security; for "same input, same 64 bits" across runs and machines.

#include <cstdint>
#include <string>
#include <string_view>

namespace kexsim {

/// The starting value of a fresh hash. It is FNV's published 64-bit offset basis
/// (14695981039346656037) with its last digit dropped, as the first seed code had it; every seed
/// fork and digest in the scenario library derives from it, so it stays (tests/base/hash_test.cc).
inline constexpr uint64_t kFnv1aBasis = 1469598103934665603ULL;

/// FNV-1a over s, continuing from h (pass kFnv1aBasis to start).
inline uint64_t fnv1a(std::string_view s, uint64_t h = kFnv1aBasis) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

/// Advances state by the golden-ratio step and returns the mixed value (splitmix64).
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// v as 16 lowercase hex digits.
std::string hex64(uint64_t v);

/// A UUID-shaped id ("8-4-4-4-12" hex) derived from seed: the fakes' object UIDs, the same every run.
std::string stable_uid(std::string_view seed);

}  // namespace kexsim

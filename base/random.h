#pragma once
// The only source of randomness in executor/ and fakes/: seeded and portable.

#include <cstdint>
#include <string>
#include <string_view>

namespace kexsim {

/// A seeded pseudo-random generator (xoshiro256**, seeded by splitmix64). Our own distributions,
/// because the standard library's differ between implementations and would break determinism.
class Random {
 public:
  explicit Random(uint64_t seed);

  /// A uniformly distributed 64-bit value.
  uint64_t next();
  /// A value in [0, n) without modulo bias; n must be > 0.
  uint64_t below(uint64_t n);
  /// n characters drawn uniformly from alphabet.
  std::string chars(size_t n, std::string_view alphabet);
  /// A random (version 4 layout) UUID string, e.g. for metadata.uid.
  std::string uuid();
  /// An independent generator derived from this one's seed and a label (stable across runs).
  Random fork(std::string_view label) const;

 private:
  uint64_t seed_;
  uint64_t s_[4];
};

}  // namespace kexsim

#include "base/hash.h"

#include <cstdio>

namespace kexsim {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string stable_uid(std::string_view seed) {
  uint64_t state = fnv1a(seed);
  const std::string hex = hex64(splitmix64(state)) + hex64(splitmix64(state));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

}  // namespace kexsim

#include "base/go_duration.h"

#include <cstdint>

namespace kexsim {
namespace {

// value has `digits` fractional digits; Go drops the trailing zeros (time.Duration.String fmtFrac).
std::string with_fraction(uint64_t value, int digits) {
  std::string whole = std::to_string(value);
  if (static_cast<int>(whole.size()) <= digits) whole.insert(0, std::string(digits - whole.size() + 1, '0'));
  std::string head = whole.substr(0, whole.size() - digits), tail = whole.substr(whole.size() - digits);
  while (!tail.empty() && tail.back() == '0') tail.pop_back();
  return tail.empty() ? head : head + "." + tail;
}

}  // namespace

std::string go_duration_string(Duration d) {
  // Unsigned magnitude: no overflow on the most negative count.
  uint64_t us = d.count() < 0 ? 0 - static_cast<uint64_t>(d.count()) : static_cast<uint64_t>(d.count());
  if (us == 0) return "0s";
  const std::string sign = d.count() < 0 ? "-" : "";
  if (us < 1000) return sign + std::to_string(us) + "\u00b5s";
  if (us < 1000000) return sign + with_fraction(us, 3) + "ms";
  const uint64_t hours = us / 3600000000ULL;
  us %= 3600000000ULL;
  const uint64_t minutes = us / 60000000ULL;
  us %= 60000000ULL;
  std::string out = sign;
  if (hours) out += std::to_string(hours) + "h";
  if (hours || minutes) out += std::to_string(minutes) + "m";
  return out + with_fraction(us, 6) + "s";
}

}  // namespace kexsim

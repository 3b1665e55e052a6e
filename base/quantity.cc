#include "base/quantity.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace kexsim {
namespace {

__extension__ using Int128 = __int128;

// apimachinery pkg/api/resource/quantity.go: ErrFormatWrong, ErrSuffix, ErrNumeric.
constexpr const char* kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffixWrong = "unable to parse quantity's suffix";
constexpr const char* kNumericWrong = "unable to parse numeric part of quantity";
constexpr const char* kHint = "write a quantity such as 500m, 0.5, 2, 4Gi, 4G or 1e3";

constexpr Int128 kNanoPerUnit = 1000000000;
// maxAllowed in quantity.go: binary values are capped at 2^63-1 units. Decimal ones are not capped
// upstream; here they stop at 10^27 units, far above any resource, to stay inside 128 bits.
constexpr Int128 kMaxBinaryNano = Int128(std::numeric_limits<int64_t>::max()) * kNanoPerUnit;
constexpr Int128 kMaxNano = Int128(1000000000000000000LL) * Int128(1000000000000000000LL);

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// The pieces parseQuantityString cuts a quantity into.
struct Pieces {
  bool positive = true;
  std::string num, denom, suffix;
};

// Mirrors parseQuantityString: sign, leading zeros dropped, numerator, optional ".denominator", suffix.
bool split_quantity(std::string_view s, Pieces& p) {
  size_t pos = 0;
  const size_t end = s.size();
  if (pos < end && (s[0] == '-' || s[0] == '+')) {
    p.positive = s[0] != '-';
    ++pos;
  }
  while (pos < end && s[pos] == '0') ++pos;
  if (pos >= end) {
    p.num = "0";
    return true;
  }
  size_t i = pos;
  while (i < end && is_digit(s[i])) ++i;
  p.num = std::string(s.substr(pos, i - pos));
  pos = i;
  if (p.num.empty()) p.num = "0";
  if (pos >= end) return true;
  if (s[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && is_digit(s[i])) ++i;
    p.denom = std::string(s.substr(pos, i - pos));
    pos = i;
    if (pos >= end) return true;
  }
  const size_t suffix_start = pos;
  i = pos;
  while (i < end && std::string_view("eEinumkKMGTP").find(s[i]) != std::string_view::npos) ++i;
  if (i >= end) {
    p.suffix = std::string(s.substr(suffix_start));
    return true;
  }
  pos = i;
  if (s[pos] == '-' || s[pos] == '+') ++pos;
  for (i = pos; i < end; ++i)
    if (!is_digit(s[i])) return false;
  p.suffix = std::string(s.substr(suffix_start));
  return true;
}

/// What a suffix means: base 10 or 2, the exponent, and the format it implies (suffix.go interpret).
bool interpret(const std::string& suffix, int& base, int& exponent, Quantity::Format& format) {
  static const std::pair<const char*, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
                                                         {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::pair<const char*, int> kBinary[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                        {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [s, e] : kDecimal)
    if (suffix == s) {
      base = 10, exponent = e, format = Quantity::Format::kDecimalSI;
      return true;
    }
  for (const auto& [s, e] : kBinary)
    if (suffix == s) {
      base = 2, exponent = e, format = Quantity::Format::kBinarySI;
      return true;
    }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    const std::string digits = suffix.substr(1);
    char* stop = nullptr;
    errno = 0;
    const long long e = std::strtoll(digits.c_str(), &stop, 10);
    if (errno != 0 || *stop != '\0' || digits.empty() || e > 1000 || e < -1000) return false;
    base = 10, exponent = static_cast<int>(e), format = Quantity::Format::kDecimalExponent;
    return true;
  }
  return false;
}

Int128 pow_of(int base, int n) {
  Int128 r = 1;
  for (int i = 0; i < n; ++i) r *= base;
  return r;
}

// a / b rounded away from zero (inf.RoundUp), for a >= 0, b > 0.
Int128 divide_up(Int128 a, Int128 b) { return a / b + (a % b != 0 ? 1 : 0); }

std::string to_text(Int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string out;
  while (v != 0) {
    const int digit = static_cast<int>(v % 10);
    out.push_back(static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    v /= 10;
  }
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// The exact magnitude in nano-units of digits x base^exponent / 10^fraction_digits, rounded up and capped.
Int128 magnitude_nano(const std::string& digits, int base, int exponent, int fraction_digits) {
  Int128 value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
    if (value > kMaxNano) return kMaxNano;
  }
  if (value == 0) return 0;
  // numerator / denominator with numerator = value * base^exponent * 1e9 (or with 10^-exponent below).
  Int128 numerator = value, denominator = pow_of(10, fraction_digits);
  int scale10 = 9;
  if (base == 10) {
    scale10 += exponent;
  } else {
    for (int i = 0; i < exponent; ++i) {
      numerator *= 2;
      if (numerator / denominator > kMaxNano) return kMaxNano;
    }
  }
  while (scale10 > 0) {
    numerator *= 10;
    --scale10;
    if (numerator / denominator > kMaxNano) return kMaxNano;
  }
  while (scale10 < 0 && denominator <= kMaxNano) {
    denominator *= 10;
    ++scale10;
  }
  if (scale10 < 0) return 1;  // far below a nano-unit: rounded up to 1n
  return std::min(divide_up(numerator, denominator), kMaxNano);
}

}  // namespace

Result<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return make_error(kFormatWrong, kHint);
  Pieces p;
  if (!split_quantity(text, p)) return make_error(kFormatWrong, kHint);
  int base = 10, exponent = 0;
  Format format = Format::kDecimalSI;
  if (!interpret(p.suffix, base, exponent, format)) return make_error(kSuffixWrong, kHint);

  Quantity q;
  q.format_ = format;
  std::string denom = p.denom;
  while (!denom.empty() && denom.back() == '0') denom.pop_back();
  Int128 magnitude = magnitude_nano(p.num + denom, base, exponent, static_cast<int>(denom.size()));
  if (format == Format::kBinarySI) magnitude = std::min(magnitude, kMaxBinaryNano);
  q.nano_ = p.positive ? magnitude : -magnitude;
  // The slow path turns a binary quantity below 1 into a decimal one.
  if (format == Format::kBinarySI && magnitude > 0 && magnitude < kNanoPerUnit) q.format_ = Format::kDecimalSI;

  // ParseQuantity's fast path keeps the input as the quantity's string when it is already canonical.
  const std::string shifted = p.num + p.denom;
  if (format == Format::kBinarySI) {
    if (exponent >= 0 && p.denom.empty()) {
      const int precision =
          15 - static_cast<int>(p.num.size()) - static_cast<int>(static_cast<float>(exponent) * 3 / 10) - 1;
      const Int128 value = magnitude_nano(p.num, 10, 0, 0) / kNanoPerUnit;
      if (precision >= 0 && shifted.size() <= 18 && exponent % 10 == 0 && (static_cast<int64_t>(value) & 0x07) != 0)
        q.kept_ = std::string(text);
    }
  } else {
    const int precision = 18 - static_cast<int>(p.num.size() + p.denom.size());
    const int scale = exponent - static_cast<int>(p.denom.size());
    const bool thousands = shifted.size() >= 3 && shifted.compare(shifted.size() - 3, 3, "000") == 0;
    if (precision >= 0 && scale >= -9 && scale % 3 == 0 && !thousands && shifted[0] != '0') q.kept_ = std::string(text);
  }
  return q;
}

Quantity Quantity::of(int64_t units, Format format) {
  Quantity q;
  q.nano_ = Int128(units) * kNanoPerUnit;
  q.format_ = format;
  return q;
}

int64_t Quantity::milli() const {
  const Int128 m = nano_ < 0 ? -divide_up(-nano_, 1000000) : divide_up(nano_, 1000000);
  return static_cast<int64_t>(m);
}

int64_t Quantity::value() const {
  const Int128 v = nano_ < 0 ? -divide_up(-nano_, kNanoPerUnit) : divide_up(nano_, kNanoPerUnit);
  return static_cast<int64_t>(v);
}

Quantity Quantity::plus(const Quantity& other) const {
  Quantity q;
  q.nano_ = nano_ + other.nano_;
  q.format_ = format_;
  return q;
}

std::string Quantity::to_string() const {
  if (!kept_.empty()) return kept_;
  if (nano_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    const bool small = nano_ > -1024 * kNanoPerUnit && nano_ < 1024 * kNanoPerUnit;
    if (small || nano_ % kNanoPerUnit != 0) format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) {
    // AsCanonicalBase1024Bytes: the largest power of 1024 that divides the value.
    static const char* kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    Int128 amount = nano_ / kNanoPerUnit;
    int k = 0;
    while (k < 6 && amount % 1024 == 0) {
      amount /= 1024;
      ++k;
    }
    return to_text(amount) + kBinary[k];
  }
  // AsCanonicalBytes: no trailing zeros, then the exponent lowered to a multiple of 3.
  Int128 amount = nano_;
  int exponent = -9;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exponent;
  }
  switch (exponent % 3) {
    case 1:
    case -2:
      amount *= 10;
      exponent -= 1;
      break;
    case 2:
    case -1:
      amount *= 100;
      exponent -= 2;
      break;
    default: break;
  }
  if (format == Format::kDecimalExponent)
    return to_text(amount) + (exponent == 0 ? "" : "e" + std::to_string(exponent));
  static const std::pair<int, const char*> kDecimal[] = {{-9, "n"}, {-6, "u"}, {-3, "m"}, {0, ""},   {3, "k"},
                                                         {6, "M"},  {9, "G"},  {12, "T"}, {15, "P"}, {18, "E"}};
  for (const auto& [e, s] : kDecimal)
    if (e == exponent) return to_text(amount) + s;
  return to_text(amount) + "e" + std::to_string(exponent);  // beyond "E": exponent notation, as CanonicalizeBytes
}

}  // namespace kexsim

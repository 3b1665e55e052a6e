#pragma once
// Kubernetes resource quantities ("500m", "0.5", "4Gi", "1e3"): parsed exactly and printed in the
// canonical form the API server stores, as apimachinery's pkg/api/resource (quantity.go, suffix.go) does.
// The fake API server and the executor (resource overwrites, *_overwrite_max_allowed) share it.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kexsim {

/// A parsed quantity: an exact value in nano-units, and the format its suffix asked for.
class Quantity {
 public:
  /// How the value prints: no suffix or n u m k M G T P E; Ki Mi Gi Ti Pi Ei; or e<n>.
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  /// Parses text as the API server does; the error message is apimachinery's (ErrFormatWrong, ErrSuffix, ErrNumeric).
  static Result<Quantity> parse(std::string_view text);
  /// A whole number of units (pods, bytes) in the given format.
  static Quantity of(int64_t units, Format format = Format::kDecimalSI);

  /// Milli-units rounded up, as MilliValue() (what the scheduler compares for cpu).
  int64_t milli() const;
  /// Units rounded up, as Value() (what the scheduler compares for memory, storage and pods).
  int64_t value() const;
  /// The canonical text (String()): the input itself when apimachinery keeps it, else CanonicalizeBytes.
  std::string to_string() const;
  /// The format String() prints in (BinarySI below 1 becomes DecimalSI, as upstream).
  Format format() const { return format_; }
  /// Whether the value is zero.
  bool is_zero() const { return nano_ == 0; }
  /// Sum, keeping this quantity's format (as Quantity.Add does).
  Quantity plus(const Quantity& other) const;
  /// -1, 0 or 1 as Quantity.Cmp orders the exact values.
  int compare(const Quantity& other) const { return nano_ < other.nano_ ? -1 : (nano_ > other.nano_ ? 1 : 0); }

 private:
  __extension__ using Int128 = __int128;
  Int128 nano_ = 0;
  Format format_ = Format::kDecimalSI;
  std::string kept_;  ///< the input, when it is already canonical (apimachinery's cached string)
};

}  // namespace kexsim

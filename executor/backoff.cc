#include "executor/backoff.h"

#include <cmath>

namespace kexsim::executor {

Backoff::Backoff(Duration min, Duration max, double factor, bool jitter)
    : min_(min), max_(max), factor_(factor > 0 ? factor : 2.0), jitter_(jitter) {}

namespace {

// backoff.go ForAttempt: the float arithmetic first, the clamping after.
Duration clamp(double micros, Duration min, Duration max) {
  if (min >= max) return max;
  if (micros >= static_cast<double>(max.count())) return max;
  const Duration d(static_cast<Duration::rep>(micros));
  return d < min ? min : d;
}

}  // namespace

Duration Backoff::for_attempt(int attempt) const {
  const double min = static_cast<double>(min_.count());
  return clamp(min * std::pow(factor_, attempt), min_, max_);
}

Duration Backoff::next(Random& random) {
  const int attempt = attempt_++;
  const double min = static_cast<double>(min_.count());
  double micros = min * std::pow(factor_, attempt);
  if (jitter_) {
    // rand.Float64(): 53 random bits in [0, 1).
    const double unit = static_cast<double>(random.next() >> 11) * 0x1.0p-53;
    micros = unit * (micros - min) + min;
  }
  return clamp(micros, min_, max_);
}

}  // namespace kexsim::executor

#pragma once
// The back-off schedule GitLab Runner takes from github.com/jpillora/backoff: min·factor^attempt,
// optionally jittered, clamped to [min, max]. One object per retry loop, as upstream makes one.

#include "base/clock.h"
#include "base/random.h"

namespace kexsim::executor {

/// A jpillora/backoff.Backoff: each next() is the wait before the following attempt.
class Backoff {
 public:
  /// factor <= 0 means 2, as upstream's zero value does.
  Backoff(Duration min, Duration max, double factor = 2.0, bool jitter = false);

  /// The wait for the current attempt, then counts it (Backoff.Duration). Jitter draws from random
  /// a value in [min, min·factor^attempt).
  Duration next(Random& random);
  /// The wait for attempt n (0-based) without jitter (Backoff.ForAttempt).
  Duration for_attempt(int attempt) const;

 private:
  Duration min_, max_;
  double factor_;
  bool jitter_;
  int attempt_ = 0;
};

}  // namespace kexsim::executor

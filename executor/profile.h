#pragma once
// Which GitLab Runner release the executor imitates: wording, names and layout differ between eras.

#include <string_view>

#include "base/result.h"

namespace kexsim::executor {

/// A GitLab Runner release whose user-visible behaviour the executor reproduces.
enum class Profile {
  kV19_4,   ///< gitlab-runner 19.4.0, the current wording (default)
  kV13_12,  ///< gitlab-runner 13.12.0, the wording of many older field logs
};

/// Parses "19.4" or "13.12" (a full version such as "13.12.0" is accepted too).
Result<Profile> parse_profile(std::string_view text);

/// The profile's short name, as a scenario writes it ("19.4", "13.12").
std::string_view profile_name(Profile p);

/// The runner version the profile reports, e.g. "19.4.0".
std::string_view runner_version(Profile p);

/// The 8-character git revision the profile reports in "Running with gitlab-runner X (rev)".
std::string_view runner_revision(Profile p);

}  // namespace kexsim::executor

#pragma once
// Which GitLab Runner release the executor imitates: wording, names and layout differ between eras.

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// One entry of the release's feature-flag registry (helpers/featureflags/flags.go `flags`).
struct FeatureFlag {
  std::string_view name;
  bool default_value;
};

/// The release's feature flags in registry order: the order of the "feature flags:" header line.
std::span<const FeatureFlag> feature_flags(Profile p);

/// True when `name` is a feature flag of the release.
bool is_feature_flag(Profile p, std::string_view name);

/// The feature flags kexsim acts on (others are accepted and only warned about).
bool kexsim_acts_on_flag(std::string_view name);

/// Feature flags as a build sees them: config first, then the job's variable, else the default.
struct FeatureFlagValues {
  std::vector<std::pair<std::string_view, bool>> values;  ///< registry order
  std::vector<std::string> errors;                        ///< 19.4: job variables that are not booleans, as printed

  /// The effective value (false for a name the release does not know, as upstream).
  bool on(std::string_view name) const;
};

/// Resolves every flag of the release (19.4: common/build_settings.go populateFeatureFlags; 13.12:
/// common/build.go IsFeatureFlagOn): a `[runners] feature_flags` entry wins; else the job's
/// variable of that name (the last one), parsed as Go's strconv.ParseBool; else the default.
/// An unparsable variable keeps the default and (19.4) yields an error line; in 13.12 it is false.
/// `job_variable` returns the variable's value or nullptr when the job does not set it.
FeatureFlagValues resolve_feature_flags(Profile p, const std::map<std::string, bool>& config,
                                        const std::function<const std::string*(std::string_view name)>& job_variable);

/// The flags whose effective value differs from the default, as "NAME:true, NAME:false" in
/// registry order (common/build.go getFeatureFlagInfo); empty when none differ.
std::string feature_flag_info(Profile p, const FeatureFlagValues& values);

}  // namespace kexsim::executor

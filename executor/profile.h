#pragma once
// Which GitLab Runner release the executor imitates: wording, names and layout differ between eras.

#include <compare>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace kexsim::executor {

/// A GitLab Runner release whose user-visible behaviour the executor reproduces: an ordered
/// major.minor version. Behaviour that changed between releases is asked through the predicates of
/// executor/release_features.h, never by comparing with a named release.
class Profile {
 public:
  /// 19.4, the current wording (what a default-constructed profile imitates).
  constexpr Profile() = default;
  /// Any major.minor; only the releases of offered_profiles() can be chosen by a scenario.
  constexpr Profile(int major, int minor) : major_(major), minor_(minor) {}

  constexpr int major() const { return major_; }
  constexpr int minor() const { return minor_; }
  /// True when this release is `major.minor` or later.
  constexpr bool at_least(int major, int minor) const { return *this >= Profile(major, minor); }

  friend constexpr auto operator<=>(const Profile&, const Profile&) = default;

  static const Profile kV13_12;  ///< gitlab-runner 13.12.0, the wording of many older field logs
  static const Profile kV15_11;  ///< gitlab-runner 15.11.0, the last 15.x minor
  static const Profile kV16_11;  ///< gitlab-runner 16.11.0, the last 16.x minor
  static const Profile kV17_11;  ///< gitlab-runner 17.11.0, the last 17.x minor
  static const Profile kV18_11;  ///< gitlab-runner 18.11.0, the last 18.x minor
  static const Profile kV19_4;   ///< gitlab-runner 19.4.0, the current wording (default)

 private:
  int major_ = 19;
  int minor_ = 4;
};

inline constexpr Profile Profile::kV13_12{13, 12};
inline constexpr Profile Profile::kV15_11{15, 11};
inline constexpr Profile Profile::kV16_11{16, 11};
inline constexpr Profile Profile::kV17_11{17, 11};
inline constexpr Profile Profile::kV18_11{18, 11};
inline constexpr Profile Profile::kV19_4{19, 4};

/// The releases a scenario can pin, oldest first.
std::span<const Profile> offered_profiles();

/// Parses an offered release: "18.11" or its full version "18.11.0".
Result<Profile> parse_profile(std::string_view text);

/// The profile's short name, as a scenario writes it ("19.4", "13.12"); "x.y" for a release not offered.
std::string profile_name(Profile p);

/// The short names of offered_profiles(), oldest first (for a scenario's `profile` key).
std::vector<std::string> offered_profile_names();

/// The runner version the profile reports, e.g. "19.4.0" (the newest offered release at or before p).
std::string_view runner_version(Profile p);

/// The 8-character git revision the profile reports in "Running with gitlab-runner X (rev)": the
/// release tag's commit (git rev-parse --short=8 vX.Y.0), invented for 19.4 (no tag in the mirror).
std::string_view runner_revision(Profile p);

/// One entry of the release's feature-flag registry (helpers/featureflags/flags.go `flags`).
struct FeatureFlag {
  std::string_view name;
  bool default_value;
};

/// The release's feature flags in registry order: the order of the "feature flags:" header line.
/// Derived from 13.12's registry by applying each release's changes up to p (feature_flag_changes()).
std::span<const FeatureFlag> feature_flags(Profile p);

/// One change to the registry in a release (gitlab-runner-releases.md section 2.4).
struct FeatureFlagChange {
  enum class Kind { kAdd, kRemove, kDefault };
  Profile since;
  Kind kind;
  std::string_view name;
  bool default_value = false;   ///< kAdd and kDefault: the new default
  std::string_view after = {};  ///< kAdd: insert after this flag; empty appends; "^" puts it first
};

/// Every registry change from 14.0 to 19.4, oldest first.
std::span<const FeatureFlagChange> feature_flag_changes();

/// 13.12's registry with every change up to and including release p applied (any p, offered or not).
std::vector<FeatureFlag> derive_feature_flags(Profile p);

/// True when `name` is a feature flag of any offered release (what config.toml may name).
bool is_known_feature_flag(std::string_view name);

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

#include "executor/profile.h"

#include <optional>
#include <string>

#include "base/strings.h"
#include "executor/release_features.h"

namespace kexsim::executor {

namespace {

/// An offered release: what a scenario writes and what the runner reports about itself.
struct Release {
  Profile profile;
  std::string_view name;
  std::string_view version;
  std::string_view revision;
};

// Revisions: `git rev-parse --short=8 vX.Y.0^{commit}` in the gitlabhq/gitlab-runner mirror (the
// Makefile's REVISION); 13.12.0's is also the one field logs show. The mirror has no v19.4.0 tag
// (main d79f3e7b says VERSION 19.4.0), so 19.4's revision is invented; it only has to be stable.
constexpr Release kReleases[] = {
    {Profile::kV13_12, "13.12", "13.12.0", "7a6612da"}, {Profile::kV15_11, "15.11", "15.11.0", "436955cb"},
    {Profile::kV16_11, "16.11", "16.11.0", "91a27b2a"}, {Profile::kV17_11, "17.11", "17.11.0", "0f67ff19"},
    {Profile::kV18_11, "18.11", "18.11.0", "249f0215"}, {Profile::kV19_4, "19.4", "19.4.0", "4d1a0ea3"},
};

constexpr Profile kOffered[] = {Profile::kV13_12, Profile::kV15_11, Profile::kV16_11,
                                Profile::kV17_11, Profile::kV18_11, Profile::kV19_4};

// The newest offered release at or before p (the oldest for anything earlier).
const Release& release_of(Profile p) {
  const Release* best = &kReleases[0];
  for (const auto& r : kReleases)
    if (r.profile <= p) best = &r;
  return *best;
}

}  // namespace

std::span<const Profile> offered_profiles() { return kOffered; }

Result<Profile> parse_profile(std::string_view text) {
  for (const auto& r : kReleases) {
    if (text == r.name || text == r.version) return r.profile;
  }
  std::string names;
  for (const auto& r : kReleases) names += (names.empty() ? "\"" : ", \"") + std::string(r.name) + "\"";
  return make_error("unknown runner profile \"" + std::string(text) + "\"",
                    "use one of " + names + " (a GitLab Runner release; \"19.4\" is the current wording)");
}

std::string profile_name(Profile p) {
  for (const auto& r : kReleases)
    if (r.profile == p) return std::string(r.name);
  return std::to_string(p.major()) + "." + std::to_string(p.minor());
}

std::vector<std::string> offered_profile_names() {
  std::vector<std::string> out;
  for (const auto& r : kReleases) out.emplace_back(r.name);
  return out;
}

std::string_view runner_version(Profile p) { return release_of(p).version; }

std::string_view runner_revision(Profile p) { return release_of(p).revision; }

namespace {

}  // namespace

std::span<const FeatureFlag> feature_flags(Profile p) {
  // Built once, before any scenario runs: one registry per offered release.
  static const std::vector<std::vector<FeatureFlag>> registries = [] {
    std::vector<std::vector<FeatureFlag>> out;
    for (const auto& r : kReleases) out.push_back(derive_feature_flags(r.profile));
    return out;
  }();
  const Release& r = release_of(p);
  return registries[static_cast<size_t>(&r - kReleases)];
}

bool is_known_feature_flag(std::string_view name) {
  for (Profile p : kOffered)
    if (is_feature_flag(p, name)) return true;
  return false;
}

bool is_feature_flag(Profile p, std::string_view name) {
  for (const auto& f : feature_flags(p)) {
    if (f.name == name) return true;
  }
  return false;
}

bool kexsim_acts_on_flag(std::string_view name) {
  return name == "FF_TIMESTAMPS" || name == "FF_MASK_ALL_DEFAULT_TOKENS" ||
         name == "FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY" || name == "FF_USE_ADVANCED_POD_SPEC_CONFIGURATION" ||
         name == "FF_USE_IMPROVED_URL_MASKING" || name == "FF_PRINT_POD_EVENTS" ||
         name == "FF_USE_EXPONENTIAL_BACKOFF_STAGE_RETRY" || name == "FF_WAIT_FOR_POD_TO_BE_REACHABLE";
}

bool FeatureFlagValues::on(std::string_view name) const {
  for (const auto& [n, v] : values) {
    if (n == name) return v;
  }
  return false;
}

FeatureFlagValues resolve_feature_flags(Profile p, const std::map<std::string, bool>& config,
                                        const std::function<const std::string*(std::string_view name)>& job_variable) {
  FeatureFlagValues out;
  for (const auto& f : feature_flags(p)) {
    bool value = f.default_value;
    if (const auto it = config.find(std::string(f.name)); it != config.end()) {
      value = it->second;
    } else if (const std::string* raw = job_variable ? job_variable(f.name) : nullptr) {
      if (const auto parsed = parse_go_bool(*raw)) {
        value = *parsed;
      } else if (!reports_feature_flag_errors(p)) {
        value = false;  // featureflags.IsOn: an unparsable value is off (logged to the runner log only)
      } else {
        // common/build_settings.go populateFeatureFlags
        out.errors.push_back(std::string(f.name) + ": could not parse feature flag, expected bool, got " + *raw);
      }
    }
    out.values.emplace_back(f.name, value);
  }
  return out;
}

std::string feature_flag_info(Profile p, const FeatureFlagValues& values) {
  std::string out;
  for (const auto& f : feature_flags(p)) {
    const bool on = values.on(f.name);
    if (on == f.default_value) continue;
    if (!out.empty()) out += ", ";
    out += std::string(f.name) + (on ? ":true" : ":false");
  }
  return out;
}

}  // namespace kexsim::executor

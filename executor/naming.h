#pragma once
// The names the runner gives things: short tokens, pod and secret names, label values, dirs.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The short form of a runner token shown in the header and used in names. 19.4: strip the
/// glrt-/t1_/glrtr-/glcbt-/GR<7 hex> prefix, then 9 chars. 13.12: the first 8 chars (with the
/// rules of runners before 18.2 for glrt-style and GR tokens).
std::string short_token(std::string_view token, Profile p);

/// GitLab Runner's RFC 1123 name cleanup: lowercase, delete (not replace) every char outside
/// [-a-z0-9], strip a leading non-alphanumeric run, cut to 63.
std::string make_rfc1123_compatible(std::string_view s);

/// "runner-<short>-project-<P>-concurrent-<N>", RFC 1123-cleaned.
std::string project_unique_name(std::string_view short_token, int64_t project_id, int concurrent_id);

/// A client-side generated name (19.4): pattern cut to 54 chars, "-", 8 random [a-z0-9].
std::string name_with_random_suffix(std::string_view pattern, Random& random);

/// A Kubernetes label value: chars outside [A-Za-z0-9-_.] become '_', '-_.' trimmed at both
/// ends, cut to 63, trimmed again.
std::string sanitize_label_value(std::string_view s);

/// The builds directory when config.toml sets no builds_dir (the pod's build volume mount).
inline constexpr std::string_view kDefaultBuildsDir = "/builds";

/// The job's project directory (CI_PROJECT_DIR). 19.4: <base>/<project path>. 13.12:
/// <base>/<short token>/<concurrent id>/<project path>. An empty base means "/builds".
std::string builds_dir(Profile p, std::string_view builds_dir_base, std::string_view short_token, int concurrent_id,
                       std::string_view project_full_path);

/// Whether s is a valid DNS-1123 label (container names, service aliases).
bool is_dns1123_label(std::string_view s);

/// Kubernetes' validation errors for a DNS-1123 subdomain, joined by ", "; empty if valid.
std::string dns1123_subdomain_errors(std::string_view s);

}  // namespace kexsim::executor

#pragma once
// GitLab Runner's allow lists for the images a job names (`allowed_images` for `image:`,
// `allowed_services` for `services:`): doublestar's glob match and the refusal it prints
// (common/allowed_images.go VerifyAllowedImage, executors/kubernetes/kubernetes.go verifyAllowedImages).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/job_user.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The error a refused image fails the pod's set-up with: common/allowed_images.go ErrDisallowedImage,
/// errors.New("disallowed image").
inline constexpr std::string_view kDisallowedImage = "disallowed image";

/// True when `name` matches `pattern` as github.com/bmatcuk/doublestar/v4 Match does with '/' as the
/// separator: `*`, `?`, `[...]` (`^`/`!` negate), `{a,b}`, `\` escapes, and `**` as a whole path
/// component spanning directories. A malformed pattern matches nothing (upstream drops Match's error).
bool doublestar_match(std::string_view pattern, std::string_view name);

/// One container's image check: `option` is "images" or "services", `allowed` the list from config.toml,
/// `internal` the images that always pass (the config's image, the helper image).
struct ImageCheck {
  std::string image;
  std::string option;
  std::vector<std::string> allowed;
  std::vector<std::string> internal;
};

/// The lines printed for a refused image (none: allowed). An empty allow list allows every image.
std::optional<std::vector<SetupLine>> refuse_image(const ImageCheck& check, Profile profile);

}  // namespace kexsim::executor

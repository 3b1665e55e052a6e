#pragma once
// The discovery documents of the fake API server (/version, /api, /apis, /api/v1, /apis/<g>/v1) in
// the legacy (non-aggregated) JSON form, listing exactly the kinds and verbs the fake serves.

#include <optional>
#include <string>

namespace kexsim::fakes {

/// What /version reports; clients pick behaviour (and kubectl's dispatcher a binary) from minor.
struct VersionInfo {
  std::string major = "1";
  std::string minor = "33";
  std::string git_version = "v1.33.0";
};

/// The /version body.
std::string version_document(const VersionInfo& version);
/// The /api body (APIVersions).
std::string api_versions_document();
/// The /apis body (APIGroupList).
std::string api_group_list_document();
/// The APIResourceList for "v1" or "<group>/v1", or nothing for a group-version the fake does not serve.
std::optional<std::string> api_resource_list_document(const std::string& group_version);

}  // namespace kexsim::fakes

#pragma once
// Volumes whose files are the keys of a stored object (the secret and configMap volume plugins): one
// walk over the pod's volumes and the container's mounts, shared by both kinds, which differ only in
// where the object's name is and how a stored value becomes file content.

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/runtime/file_system.h"

namespace kexsim::fakes {

/// What sets one kind of key volume apart from the other.
struct KeyVolumeKind {
  const char* volume_field;  ///< the volume's source member: "secret" or "configMap"
  const char* name_field;    ///< the object's name inside it: "secretName" or "name"
  /// The stored object (namespace, name), or nullptr when it does not exist.
  std::function<const nlohmann::json*(const std::string&, const std::string&)> lookup;
  /// A stored `data` value as the file's bytes, or nullopt to write no file (undecodable).
  std::function<std::optional<std::string>(const std::string&)> content;
};

/// Writes the pod's volumes of `kind` as files where `container` mounts them: every key of the object's
/// `data`, or the paths its `items` give (subPath mounts are skipped, as the job never uses them).
void project_key_volumes(const nlohmann::json& pod, const std::string& container, const KeyVolumeKind& kind,
                         shell::FileSystem& fs);

}  // namespace kexsim::fakes

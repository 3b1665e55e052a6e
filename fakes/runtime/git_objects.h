#pragma once
// The git model's object store: a received pack unpacked into loose objects under .git/objects in
// the container's file system (zlib-deflated "<type> <size>\0<content>", as git stores them), and
// the checkout of a commit's tree into the work tree.

#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "fakes/runtime/file_system.h"

namespace kexsim::fakes::shell {

/// One object read back from the store.
struct StoredObject {
  std::string type;  ///< "commit", "tree", "blob", "tag"
  std::string data;
};

/// Unpacks a version 2 pack without deltas (what the fake GitLab sends) into git_dir/objects;
/// returns how many objects it held. Fails on deltas, bad entries or a bad trailer.
Result<size_t> unpack_objects(FileSystem& fs, const std::string& git_dir, const std::string& pack);

/// The loose object id (40 hex) from git_dir/objects, if stored.
std::optional<StoredObject> read_object(const FileSystem& fs, const std::string& git_dir, const std::string& id);

/// Writes the files of commit's tree below work_dir (directories made, modes 100755 executable).
/// Fails when an object is missing (e.g. a shallow clone's cut history is not involved: only the tree).
Status checkout_commit(FileSystem& fs, const std::string& git_dir, const std::string& commit,
                       const std::string& work_dir);

/// The submodules of commit's tree: path in the work tree -> the commit the gitlink records.
std::map<std::string, std::string> gitlinks(const FileSystem& fs, const std::string& git_dir,
                                            const std::string& commit);

}  // namespace kexsim::fakes::shell

#pragma once
// A real git repository held in memory: blob, tree and commit objects hashed with SHA-1, refs, and
// the object walk a fetch needs. The fake GitLab builds one per project, deterministically.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kexsim::fakes {

/// One git object: its type ("blob", "tree", "commit") and its uncompressed content.
struct GitObject {
  std::string type;
  std::string data;
};

/// The objects a fetch sends and the commits where its history was cut (for the shallow-update section).
struct GitFetchSet {
  std::vector<std::string> objects;  ///< 40-hex ids, commits first, in a stable order
  std::vector<std::string> shallow;  ///< commits sent whose parents were not
};

/// A submodule of a project's commits: where it sits, the URL .gitmodules gives, the commit it pins.
struct GitSubmodule {
  std::string path;    ///< one path component, e.g. "lib"
  std::string url;     ///< as written in .gitmodules: "../lib.git" or "https://gitlab.example.com/root/lib.git"
  std::string commit;  ///< 40-hex commit id in the submodule's repository
};

/// A project's repository as the fake GitLab serves it.
class GitRepository {
 public:
  /// path is "root/mycicd" (no .git); default_branch is the branch HEAD points at.
  GitRepository(std::string path, std::string default_branch);

  const std::string& path() const { return path_; }
  const std::string& default_branch() const { return default_branch_; }
  /// Full ref name ("refs/heads/master", "refs/pipelines/1") -> 40-hex commit id, sorted by name.
  const std::map<std::string, std::string>& refs() const { return refs_; }

  /// The commit of ref (a branch name or a full refs/... name), creating it when the ref is new:
  /// the default branch gets one root commit with a README, any other ref one commit on top of it.
  std::string ensure_ref(const std::string& ref);
  /// Points a full ref name at an existing commit (e.g. refs/pipelines/<id>).
  void set_ref(const std::string& full_ref, const std::string& commit);
  /// Makes every commit created from now on carry these submodules (.gitmodules and gitlinks). Call
  /// it before the first ensure_ref: existing commits keep their trees.
  void set_submodules(std::vector<GitSubmodule> submodules) { submodules_ = std::move(submodules); }
  const std::vector<GitSubmodule>& submodules() const { return submodules_; }
  /// The object with this 40-hex id, or nullptr.
  const GitObject* object(const std::string& id) const;
  /// What a fetch of wants sends: every object reachable from them, commits limited to depth
  /// (0: the whole history) counted from each want.
  GitFetchSet fetch_set(const std::vector<std::string>& wants, int depth) const;

  /// A branch name or full ref name as a full ref name: "master" -> "refs/heads/master".
  static std::string full_ref_name(const std::string& ref);

 private:
  std::string put(const std::string& type, const std::string& data);
  std::string commit(const std::string& readme, const std::string& parent, const std::string& message);
  std::vector<std::string> parents(const std::string& commit) const;
  std::string tree_of(const std::string& commit) const;

  std::string path_;
  std::string default_branch_;
  std::map<std::string, std::string> refs_;
  std::map<std::string, GitObject> objects_;
  std::vector<GitSubmodule> submodules_;
};

/// The SHA-1 of data as 40 lower-case hex digits.
std::string sha1_hex(const std::string& data);
/// The SHA-1 of data as 20 raw bytes.
std::string sha1_raw(const std::string& data);
/// 40 hex digits as 20 raw bytes (empty if text is not 40 hex digits).
std::string hex_to_raw(const std::string& hex);

}  // namespace kexsim::fakes

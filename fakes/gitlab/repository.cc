#include "fakes/gitlab/repository.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>

namespace kexsim::fakes {
namespace {

// Every commit has the same author and date, so a project's commits (and their ids) depend only on
// its path and refs. GitLab's first user is "Administrator <admin@example.com>".
constexpr const char* kSignature = "Administrator <admin@example.com> 1767225600 +0000";
constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const std::string& raw) {
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// The project's name as its README title: "root/mycicd" -> "mycicd".
std::string project_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::string sha1_raw(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr) != 1) return std::string(20, '\0');
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string sha1_hex(const std::string& data) { return to_hex(sha1_raw(data)); }

std::string hex_to_raw(const std::string& hex) {
  if (hex.size() != 40) return {};
  std::string out;
  for (size_t i = 0; i < 40; i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

GitRepository::GitRepository(std::string path, std::string default_branch)
    : path_(std::move(path)), default_branch_(std::move(default_branch)) {}

std::string GitRepository::full_ref_name(const std::string& ref) {
  return ref.rfind("refs/", 0) == 0 ? ref : "refs/heads/" + ref;
}

std::string GitRepository::put(const std::string& type, const std::string& data) {
  // An object's id is the SHA-1 of "<type> <size>\0<content>" (gitformat-loose / hash-function docs).
  const std::string id = sha1_hex(type + " " + std::to_string(data.size()) + '\0' + data);
  objects_.try_emplace(id, GitObject{type, data});
  return id;
}

std::string GitRepository::commit(const std::string& readme, const std::string& parent, const std::string& message) {
  const std::string blob = put("blob", readme);
  // A tree entry is "<mode> <name>\0<20-byte id>", sorted by name (a gitlink sorts as a file would).
  std::map<std::string, std::string> entries;
  entries["README.md"] = std::string("100644 README.md") + '\0' + hex_to_raw(blob);
  if (!submodules_.empty()) {
    std::string gitmodules;
    for (const auto& sub : submodules_) {
      // .gitmodules as git writes it: git config.c store_create_section "[%s \"%s\"]\n", write_pair "\t%s = %s".
      gitmodules += "[submodule \"" + sub.path + "\"]\n\tpath = " + sub.path + "\n\turl = " + sub.url + "\n";
      entries[sub.path] = "160000 " + sub.path + '\0' + hex_to_raw(sub.commit);
    }
    entries[".gitmodules"] = std::string("100644 .gitmodules") + '\0' + hex_to_raw(put("blob", gitmodules));
  }
  std::string tree_data;
  for (const auto& [name, entry] : entries) tree_data += entry;
  const std::string tree = put("tree", tree_data);
  std::string text = "tree " + tree + "\n";
  if (!parent.empty()) text += "parent " + parent + "\n";
  text += std::string("author ") + kSignature + "\ncommitter " + kSignature + "\n\n" + message + "\n";
  return put("commit", text);
}

std::string GitRepository::ensure_ref(const std::string& ref) {
  const std::string full = full_ref_name(ref);
  if (auto it = refs_.find(full); it != refs_.end()) return it->second;
  const std::string title = "# " + project_name(path_) + "\n";
  std::string id;
  if (full == full_ref_name(default_branch_)) {
    id = commit(title, "", "Initial commit");
  } else {
    const std::string base = ensure_ref(default_branch_);
    const std::string name = full.rfind("refs/heads/", 0) == 0 ? full.substr(11) : full;
    id = commit(title + "\nWork on " + name + ".\n", base, "Update README.md for " + name);
  }
  refs_[full] = id;
  return id;
}

void GitRepository::set_ref(const std::string& full_ref, const std::string& commit_id) {
  if (objects_.count(commit_id)) refs_[full_ref] = commit_id;
}

const GitObject* GitRepository::object(const std::string& id) const {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : &it->second;
}

std::vector<std::string> GitRepository::parents(const std::string& commit_id) const {
  std::vector<std::string> out;
  const GitObject* c = object(commit_id);
  if (!c) return out;
  size_t pos = 0;
  while (pos < c->data.size() && c->data[pos] != '\n') {
    const size_t end = c->data.find('\n', pos);
    const std::string line = c->data.substr(pos, end - pos);
    if (line.rfind("parent ", 0) == 0) out.push_back(line.substr(7));
    pos = end + 1;
  }
  return out;
}

std::string GitRepository::tree_of(const std::string& commit_id) const {
  const GitObject* c = object(commit_id);
  return c && c->data.rfind("tree ", 0) == 0 ? c->data.substr(5, 40) : std::string();
}

GitFetchSet GitRepository::fetch_set(const std::vector<std::string>& wants, int depth) const {
  GitFetchSet out;
  std::set<std::string> seen;
  // Breadth-first from each want, so a commit's depth is its distance from the nearest want.
  std::vector<std::pair<std::string, int>> frontier;
  for (const auto& w : wants)
    if (object(w) && object(w)->type == "commit") frontier.emplace_back(w, 1);
  std::vector<std::string> commits;
  for (size_t i = 0; i < frontier.size(); ++i) {
    const auto [id, level] = frontier[i];
    if (!seen.insert(id).second) continue;
    commits.push_back(id);
    const auto ps = parents(id);
    if (depth > 0 && level >= depth) {
      if (!ps.empty()) out.shallow.push_back(id);
      continue;
    }
    for (const auto& p : ps) frontier.emplace_back(p, level + 1);
  }
  out.objects = commits;
  // Then each commit's tree and the tree's blobs.
  for (const auto& c : commits) {
    const std::string tree = tree_of(c);
    if (tree.empty() || !seen.insert(tree).second) continue;
    out.objects.push_back(tree);
    const GitObject* t = object(tree);
    size_t pos = 0;
    while (t && pos < t->data.size()) {
      const size_t nul = t->data.find('\0', pos);
      if (nul == std::string::npos || nul + 21 > t->data.size()) break;
      const std::string entry = to_hex(t->data.substr(nul + 1, 20));
      // A gitlink (mode 160000) names a commit of another repository: it is not sent.
      const bool gitlink = t->data.compare(pos, 7, "160000 ") == 0;
      if (!gitlink && seen.insert(entry).second) out.objects.push_back(entry);
      pos = nul + 21;
    }
  }
  return out;
}

}  // namespace kexsim::fakes

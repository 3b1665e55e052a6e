#include "fakes/runtime/git_objects.h"

#include <openssl/evp.h>

#include <vector>
#include "base/zlib.h"

namespace kexsim::fakes::shell {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string hex(const unsigned char* raw, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 15]);
  }
  return out;
}

std::string object_sha1_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr);
  return hex(digest, size);
}

std::string object_path(const std::string& git_dir, const std::string& id) {
  return git_dir + "/objects/" + id.substr(0, 2) + "/" + id.substr(2);
}

uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
  return v;
}

Status checkout_tree(FileSystem& fs, const std::string& git_dir, const std::string& tree_id, const std::string& dir) {
  auto tree = read_object(fs, git_dir, tree_id);
  if (!tree || tree->type != "tree") return make_error("fatal: unable to read tree " + tree_id);
  fs.make_dir(dir);
  const std::string& d = tree->data;
  size_t pos = 0;
  while (pos < d.size()) {
    const size_t space = d.find(' ', pos);
    const size_t nul = d.find('\0', space == std::string::npos ? pos : space);
    if (space == std::string::npos || nul == std::string::npos || nul + 21 > d.size())
      return make_error("fatal: corrupt tree " + tree_id);
    const std::string mode = d.substr(pos, space - pos);
    const std::string name = d.substr(space + 1, nul - space - 1);
    const std::string id = hex(reinterpret_cast<const unsigned char*>(d.data() + nul + 1), 20);
    pos = nul + 21;
    const std::string path = dir + "/" + name;
    if (mode == "40000") {
      if (auto st = checkout_tree(fs, git_dir, id, path); !st) return st;
      continue;
    }
    if (mode == "160000") {  // a submodule: its commit lives in another repository; git leaves an empty directory
      fs.make_dir(path);
      continue;
    }
    auto blob = read_object(fs, git_dir, id);
    if (!blob || blob->type != "blob") return make_error("fatal: unable to read " + id);
    fs.write(path, blob->data, false);
    if (File* f = fs.file(path)) f->executable = mode == "100755";
  }
  return {};
}

}  // namespace

Result<size_t> unpack_objects(FileSystem& fs, const std::string& git_dir, const std::string& pack) {
  if (pack.size() < 32 || pack.compare(0, 4, "PACK") != 0 || be32(pack, 4) != 2)
    return make_error("fatal: protocol error: bad pack header");
  if (object_sha1_hex(pack.substr(0, pack.size() - 20)) !=
      hex(reinterpret_cast<const unsigned char*>(pack.data() + pack.size() - 20), 20))
    return make_error("fatal: pack is corrupted (SHA1 mismatch)");
  const uint32_t count = be32(pack, 8);
  const size_t end = pack.size() - 20;
  size_t pos = 12;
  static const char* const kTypes[] = {"", "commit", "tree", "blob", "tag"};
  for (uint32_t i = 0; i < count; ++i) {
    if (pos >= end) return make_error("fatal: early EOF");
    unsigned char byte = static_cast<unsigned char>(pack[pos++]);
    const int type = (byte >> 4) & 7;
    size_t size = byte & 15;
    int shift = 4;
    while (byte & 0x80) {
      if (pos >= end || shift > 56) return make_error("fatal: early EOF");
      byte = static_cast<unsigned char>(pack[pos++]);
      size |= static_cast<size_t>(byte & 0x7f) << shift;
      shift += 7;
    }
    // The fake GitLab never sends deltas (types 6 and 7), and it does not advertise ofs-delta.
    if (type < 1 || type > 4) return make_error("fatal: pack has an object of type " + std::to_string(type));
    size_t consumed = 0;
    auto data = zlib_inflate(std::string_view(pack).substr(pos), 15, &consumed);
    if (!data || data->size() != size) return make_error("fatal: pack has bad object at offset " + std::to_string(pos));
    pos += consumed;
    const std::string loose = std::string(kTypes[type]) + " " + std::to_string(size) + '\0' + *data;
    const std::string id = object_sha1_hex(loose);
    auto compressed = zlib_deflate(loose);
    if (!compressed) return make_error("fatal: unable to write object " + id);
    fs.make_dir(git_dir + "/objects/" + id.substr(0, 2));
    fs.write(object_path(git_dir, id), *compressed, false);
  }
  return static_cast<size_t>(count);
}

std::optional<StoredObject> read_object(const FileSystem& fs, const std::string& git_dir, const std::string& id) {
  if (id.size() != 40) return std::nullopt;
  const File* f = fs.file(object_path(git_dir, id));
  if (!f) return std::nullopt;
  auto loose = zlib_inflate(f->content);
  if (!loose) return std::nullopt;
  const size_t space = loose->find(' ');
  const size_t nul = loose->find('\0');
  if (space == std::string::npos || nul == std::string::npos || space > nul) return std::nullopt;
  return StoredObject{loose->substr(0, space), loose->substr(nul + 1)};
}

Status checkout_commit(FileSystem& fs, const std::string& git_dir, const std::string& commit,
                       const std::string& work_dir) {
  auto c = read_object(fs, git_dir, commit);
  if (!c || c->type != "commit" || c->data.compare(0, 5, "tree ") != 0)
    return make_error("fatal: reference is not a tree: " + commit);
  return checkout_tree(fs, git_dir, c->data.substr(5, 40), work_dir);
}

std::map<std::string, std::string> gitlinks(const FileSystem& fs, const std::string& git_dir,
                                            const std::string& commit) {
  std::map<std::string, std::string> out;
  auto c = read_object(fs, git_dir, commit);
  if (!c || c->type != "commit" || c->data.compare(0, 5, "tree ") != 0) return out;
  // Breadth over the trees, paths relative to the work tree's top.
  std::vector<std::pair<std::string, std::string>> trees{{"", c->data.substr(5, 40)}};
  for (size_t t = 0; t < trees.size() && t < 10000; ++t) {
    const auto [prefix, tree_id] = trees[t];
    auto tree = read_object(fs, git_dir, tree_id);
    if (!tree || tree->type != "tree") continue;
    const std::string& d = tree->data;
    size_t pos = 0;
    while (pos < d.size()) {
      const size_t space = d.find(' ', pos);
      const size_t nul = d.find('\0', space == std::string::npos ? pos : space);
      if (space == std::string::npos || nul == std::string::npos || nul + 21 > d.size()) break;
      const std::string mode = d.substr(pos, space - pos);
      const std::string path = prefix + d.substr(space + 1, nul - space - 1);
      const std::string id = hex(reinterpret_cast<const unsigned char*>(d.data() + nul + 1), 20);
      pos = nul + 21;
      if (mode == "40000") trees.emplace_back(path + "/", id);
      if (mode == "160000") out[path] = id;
    }
  }
  return out;
}

}  // namespace kexsim::fakes::shell

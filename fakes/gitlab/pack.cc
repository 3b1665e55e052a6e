#include "fakes/gitlab/pack.h"

#include "base/zlib.h"

namespace kexsim::fakes {
namespace {

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// Object type numbers of the pack entry header (gitformat-pack: OBJ_COMMIT 1, OBJ_TREE 2, OBJ_BLOB 3, OBJ_TAG 4).
int type_number(const std::string& type) {
  if (type == "commit") return 1;
  if (type == "tree") return 2;
  if (type == "blob") return 3;
  if (type == "tag") return 4;
  return 0;
}

}  // namespace

Result<std::string> write_pack(const GitRepository& repo, const std::vector<std::string>& objects) {
  std::string pack = "PACK";
  put_be32(pack, 2);
  put_be32(pack, static_cast<uint32_t>(objects.size()));
  for (const auto& id : objects) {
    const GitObject* object = repo.object(id);
    if (!object) return make_error("the repository " + repo.path() + " has no object " + id);
    // Header: 1 continuation bit, 3 type bits, 4 low size bits; then 7 size bits per byte.
    size_t size = object->data.size();
    unsigned char byte = static_cast<unsigned char>((type_number(object->type) << 4) | (size & 15));
    size >>= 4;
    while (size) {
      pack.push_back(static_cast<char>(byte | 0x80));
      byte = static_cast<unsigned char>(size & 0x7f);
      size >>= 7;
    }
    pack.push_back(static_cast<char>(byte));
    auto deflated = zlib_deflate(object->data);
    if (!deflated) return deflated.error();
    pack += *deflated;
  }
  pack += sha1_raw(pack);
  return pack;
}

}  // namespace kexsim::fakes

#include "fakes/gitlab/pack.h"

#include <zlib.h>

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

Result<std::string> zlib_deflate(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
    return make_error("zlib could not compress a git object");
  out.resize(size);
  return out;
}

Result<std::string> zlib_inflate(const std::string& data, int window_bits) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return make_error("zlib could not start inflating");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return make_error("the data is not a complete zlib stream");
  return out;
}

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

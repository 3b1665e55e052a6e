#include "base/zlib.h"

#include <zlib.h>

namespace kexsim {

Result<std::string> zlib_deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
    return make_error("zlib could not compress the data");
  out.resize(size);
  return out;
}

Result<std::string> zlib_inflate(std::string_view data, int window_bits, size_t* consumed) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return make_error("zlib could not start inflating");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {  // ends at the stream's end, or with Z_BUF_ERROR when the input runs out first
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  if (consumed) *consumed = data.size() - z.avail_in;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return make_error("the data is not a complete zlib stream");
  return out;
}

}  // namespace kexsim

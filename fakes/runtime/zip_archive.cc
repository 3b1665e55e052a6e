#include "fakes/runtime/zip_archive.h"

#include <cstdint>

#include "base/crc32.h"

namespace kexsim::fakes::shell {
namespace {

constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, the earliest DOS date

void put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}

void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v & 0xffff));
  put16(out, static_cast<uint16_t>(v >> 16));
}

uint32_t get(std::string_view in, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

std::string zip_store(const std::vector<ZipEntry>& entries) {
  std::string out, central;
  for (const auto& e : entries) {
    const uint32_t crc = crc32(e.content);
    const auto size = static_cast<uint32_t>(e.content.size());
    const auto offset = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20);  // version needed
    put16(out, 0);   // flags
    put16(out, 0);   // stored
    put16(out, 0);   // time
    put16(out, kDosDate);
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, static_cast<uint16_t>(e.name.size()));
    put16(out, 0);
    out += e.name;
    out += e.content;

    put32(central, 0x02014b50);
    put16(central, 0x031e);  // made by: Unix, 3.0
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, kDosDate);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<uint16_t>(e.name.size()));
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, (e.directory() ? 040755u : 0100644u) << 16);
    put32(central, offset);
    central += e.name;
  }
  const auto central_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint16_t>(entries.size()));
  put16(out, static_cast<uint16_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);
  return out;
}

Result<std::vector<ZipEntry>> zip_read(std::string_view archive) {
  std::vector<ZipEntry> out;
  size_t at = 0;
  while (at + 30 <= archive.size() && get(archive, at, 4) == 0x04034b50) {
    if (get(archive, at + 8, 2) != 0) return make_error("zip: unsupported compression method");
    const uint32_t size = get(archive, at + 18, 4);
    const uint32_t name_len = get(archive, at + 26, 2);
    const uint32_t extra_len = get(archive, at + 28, 2);
    const size_t data = at + 30 + name_len + extra_len;
    if (data + size > archive.size()) return make_error("zip: unexpected EOF");
    ZipEntry e{std::string(archive.substr(at + 30, name_len)), std::string(archive.substr(data, size))};
    if (crc32(e.content) != get(archive, at + 14, 4)) return make_error("zip: checksum error");
    out.push_back(std::move(e));
    at = data + size;
  }
  if (at + 4 > archive.size() || (get(archive, at, 4) != 0x02014b50 && get(archive, at, 4) != 0x06054b50))
    return make_error("zip: not a valid zip file");
  return out;
}

}  // namespace kexsim::fakes::shell

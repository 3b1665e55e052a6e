#pragma once
// CRC-32 (IEEE 802.3, the zlib/Go hash/crc32 polynomial): the job trace checksum both sides compute.

#include <cstdint>
#include <string_view>

namespace kexsim {

/// CRC-32 IEEE of data, continuing from crc (0 to start): crc32(b, crc32(a)) == crc32(a + b).
uint32_t crc32(std::string_view data, uint32_t crc = 0);

}  // namespace kexsim

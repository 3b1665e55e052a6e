#pragma once
// zlib streams, once for the house: git's loose objects and packs, and gzip request bodies.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kexsim {

/// zlib's deflate of data at the default level (the same bytes for the same input).
Result<std::string> zlib_deflate(std::string_view data);

/// Inflates one zlib (window_bits 15) or gzip (window_bits 31) stream from the start of data. When
/// consumed is given it receives the compressed length, so a caller can walk streams laid end to end.
Result<std::string> zlib_inflate(std::string_view data, int window_bits = 15, size_t* consumed = nullptr);

}  // namespace kexsim

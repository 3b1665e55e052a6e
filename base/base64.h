#pragma once
// Standard base64 (RFC 4648, with padding): Kubernetes Secret data and docker auth strings.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kexsim {

/// Encodes bytes as padded standard base64.
std::string base64_encode(std::string_view bytes);

/// The 6-bit value of a standard-alphabet character, or -1 for any other (for decoders with their own
/// error reporting, such as Go's CorruptInputError offsets).
int base64_value(char c);

/// Decodes padded or unpadded standard base64; nullopt on a character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

/// Go's base64.StdEncoding.DecodeString, as encoding/json decodes a []byte field: padding required, CR
/// and LF skipped; otherwise Go's error, "illegal base64 data at input byte N".
Result<std::string> go_base64_decode(std::string_view src);

}  // namespace kexsim

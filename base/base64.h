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

/// Which of Go's encoding/base64 encodings go_base64_decode imitates.
enum class GoBase64 {
  kStdEncoding,     ///< StdEncoding: "+/" alphabet, padding required (a []byte field of encoding/json)
  kRawURLEncoding,  ///< RawURLEncoding: "-_" alphabet, no padding ('=' is corrupt), e.g. a continue token
};

/// Go's base64.<encoding>.DecodeString: CR and LF skipped; otherwise Go's error, "illegal base64 data at
/// input byte N".
Result<std::string> go_base64_decode(std::string_view src, GoBase64 encoding = GoBase64::kStdEncoding);

}  // namespace kexsim

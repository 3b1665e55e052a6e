#include "base/base64.h"

#include <cstdint>
#include <string>

namespace kexsim {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (rest == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

// The 6-bit value of a URL-alphabet character ("-_" for "+/"), or -1.
int url_value(unsigned char c) {
  if (c == '-') return 62;
  if (c == '_') return 63;
  if (c == '+' || c == '/') return -1;
  return base64_value(static_cast<char>(c));
}

// encoding/base64 (Go) base64.go Encoding.decodeQuantum of StdEncoding or RawURLEncoding, with its
// CorruptInputError offsets.
Result<std::string> go_base64_decode(std::string_view src, GoBase64 encoding) {
  const bool raw_url = encoding == GoBase64::kRawURLEncoding;
  const auto corrupt = [raw_url](size_t at) -> Result<std::string> {
    // encoding/base64 CorruptInputError.Error: "illegal base64 data at input byte " + strconv.FormatInt(...).
    return Error{"illegal base64 data at input byte " + std::to_string(at),
                 raw_url ? "the text is not unpadded URL-safe base64 (A-Z a-z 0-9 - _)"
                         : "the text is not padded standard base64: encode the bytes again (base64 -w0 FILE)",
                 ""};
  };
  std::string out;
  size_t si = 0;
  while (si < src.size()) {
    int dbuf[4] = {0, 0, 0, 0};
    size_t dlen = 4;
    bool end = false;
    for (size_t j = 0; j < 4; ++j) {
      if (si == src.size()) {
        if (j == 0) return out;
        // StdEncoding pads, so a short last quantum is corrupt; without padding only one of 1 character is.
        if (j == 1 || !raw_url) return corrupt(si - j);
        dlen = j;
        end = true;
        break;
      }
      const unsigned char in = static_cast<unsigned char>(src[si++]);
      if (int v = raw_url ? url_value(in) : base64_value(static_cast<char>(in)); v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (in == '\n' || in == '\r') {
        --j;
        continue;
      }
      if (in != '=' || raw_url) return corrupt(si - 1);  // NoPadding: '=' is not the pad
      if (j < 2) return corrupt(si - 1);
      if (j == 2) {
        while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
        if (si == src.size()) return corrupt(src.size());
        if (src[si] != '=') return corrupt(si - 1);
        ++si;
      }
      while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
      if (si < src.size()) return corrupt(si);  // trailing garbage
      dlen = j;
      end = true;
      break;
    }
    const unsigned v = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const char bytes[3] = {static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(bytes, dlen == 4 ? 3 : dlen - 1);
    if (end) break;
  }
  return out;
}

}  // namespace kexsim

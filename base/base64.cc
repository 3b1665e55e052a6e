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

// encoding/base64 (Go) decode.go Encoding.Decode of StdEncoding, with its CorruptInputError offsets.
Result<std::string> go_base64_decode(std::string_view src) {
  const auto corrupt = [](size_t at) -> Result<std::string> {
    // encoding/base64 CorruptInputError.Error: "illegal base64 data at input byte " + strconv.FormatInt(...).
    return Error{"illegal base64 data at input byte " + std::to_string(at),
                 "the text is not padded standard base64: encode the bytes again (base64 -w0 FILE)", ""};
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
        return corrupt(si - j);  // StdEncoding pads: a short last quantum is corrupt
      }
      const unsigned char in = static_cast<unsigned char>(src[si++]);
      if (int v = base64_value(in); v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (in == '\n' || in == '\r') {
        --j;
        continue;
      }
      if (in != '=') return corrupt(si - 1);
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

#include "executor/pod_body.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace kexsim::executor {
namespace {

using nlohmann::json;

// Deeper than any pod; a deeper body goes to the full parse, which has no such limit.
constexpr int kMaxDepth = 256;

// A strict RFC 8259 scanner that only finds where values end. It accepts less than the JSON grammar
// (plain ASCII strings, no \u escapes) and gives up on anything else, so that nlohmann's own parse
// decides every body it is not sure of: what it skips is then valid JSON, which the full parse would
// have accepted too.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool at_end() const { return pos_ == text_.size(); }
  void skip(size_t n = 1) { pos_ += n; }

  void whitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // At a '"': the string's raw bytes between the quotes (no escape in them can spell a plain key).
  bool string(std::string_view* raw = nullptr) {
    const size_t start = ++pos_;
    // Most strings (env values, names) are plain: find the closing quote, then check the bytes before
    // it eight at a time. A string with an escape or a byte to refuse takes the byte-wise loop below.
    if (const void* quote = std::memchr(text_.data() + start, '"', text_.size() - start)) {
      const size_t end = static_cast<size_t>(static_cast<const char*>(quote) - text_.data());
      if (plain(start, end)) {
        if (raw) *raw = text_.substr(start, end - start);
        pos_ = end + 1;
        return true;
      }
    }
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        if (raw) *raw = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) return false;
        switch (text_[pos_ + 1]) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't': break;
          default: return false;  // \u (surrogates and UTF-8 are the full parser's business)
        }
        pos_ += 2;
        continue;
      }
      ++pos_;
    }
    return false;
  }

  // Whether text_[begin, end) holds no control character, no byte above 0x7f and no backslash.
  bool plain(size_t begin, size_t end) const {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
      uint64_t w;
      std::memcpy(&w, text_.data() + i, 8);
      const uint64_t below_space = (w - 0x20 * kOnes) & ~w;  // high bit where a byte < 0x20 (or >= 0x80)
      const uint64_t x = w ^ (0x5c * kOnes);                 // zero where a byte is a backslash
      const uint64_t backslash = (x - kOnes) & ~x;
      if ((w | below_space | backslash) & kHigh) return false;
    }
    for (; i < end; ++i) {
      const auto c = static_cast<unsigned char>(text_[i]);
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
    }
    return true;
  }

  bool value(int depth = 0) {
    if (pos_ >= text_.size() || depth > kMaxDepth) return false;
    switch (text_[pos_]) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // At an opening bracket: scans up to its `close`, leaving each element to `element()`, which scans
  // it and says whether it could.
  template <class Element>
  bool each_element(char close, Element element) {
    skip();
    whitespace();
    if (at(close)) {
      skip();
      return true;
    }
    for (;;) {
      whitespace();
      if (!element()) return false;
      whitespace();
      if (at(',')) {
        skip();
        continue;
      }
      if (!at(close)) return false;
      skip();
      return true;
    }
  }

  // At a '{': reads each member's key and colon and leaves its value to `member(key)`.
  template <class Member>
  bool each_member(Member member) {
    return each_element('}', [&] {
      std::string_view key;
      if (!at('"') || !string(&key)) return false;
      whitespace();
      if (!at(':')) return false;
      skip();
      whitespace();
      return member(key);
    });
  }

 private:
  bool object(int depth) {
    return each_member([&](std::string_view) { return value(depth); });
  }

  bool array(int depth) {
    return each_element(']', [&] { return value(depth); });
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (at('-')) skip();
    if (at('0')) {
      skip();
    } else if (pos_ >= text_.size() || text_[pos_] < '1' || text_[pos_] > '9' || !digits()) {
      return false;
    }
    if (at('.')) {
      skip();
      if (!digits()) return false;
    }
    if (at('e') || at('E')) {
      skip();
      if (at('+') || at('-')) skip();
      if (!digits()) return false;
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Where the top-level spec object is and where its last nodeName value is (the last of duplicate keys
// is the one a parse keeps); nullopt when the body is not one the scanner is sure of.
struct SpecSpan {
  size_t begin = 0, end = 0;
  std::optional<std::string_view> node_name;
};

std::optional<SpecSpan> find_spec(std::string_view body) {
  Scanner s(body);
  s.whitespace();
  if (!s.at('{')) return std::nullopt;
  std::optional<SpecSpan> spec;
  const bool scanned = s.each_member([&](std::string_view key) {
    if (key != "spec") return s.value();
    if (spec || !s.at('{')) return false;  // a second spec, or not an object: parse it all
    SpecSpan found;
    found.begin = s.pos();
    const bool members = s.each_member([&](std::string_view member) {
      const size_t value_begin = s.pos();
      if (!s.value(1)) return false;
      if (member == "nodeName") found.node_name = body.substr(value_begin, s.pos() - value_begin);
      return true;
    });
    if (!members) return false;
    found.end = s.pos();
    spec = found;
    return true;
  });
  if (!scanned) return std::nullopt;
  s.whitespace();
  if (!s.at_end()) return std::nullopt;
  return spec;
}

// The full parse, for the bodies the scanner leaves to it, cut down the same way.
json parse_whole(const std::string& body) {
  json pod = json::parse(body, nullptr, false);
  if (!pod.is_object()) return pod;
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return pod;
  json kept = json::object();
  if (auto node = spec->find("nodeName"); node != spec->end()) kept["nodeName"] = std::move(*node);
  *spec = std::move(kept);
  return pod;
}

}  // namespace

json parse_pod_body(const std::string& body) {
  const std::optional<SpecSpan> spec = find_spec(body);
  if (!spec) return parse_whole(body);
  std::string reduced;
  reduced.reserve(body.size() - (spec->end - spec->begin) + 16 + (spec->node_name ? spec->node_name->size() : 0));
  reduced.append(body, 0, spec->begin);
  if (spec->node_name) {
    reduced += "{\"nodeName\":";
    reduced += *spec->node_name;
    reduced += '}';
  } else {
    reduced += "{}";
  }
  reduced.append(body, spec->end, std::string::npos);
  return json::parse(reduced, nullptr, false);
}

}  // namespace kexsim::executor

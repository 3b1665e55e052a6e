#include "executor/naming.h"

#include <cctype>

#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool starts_with_gr_prefix(std::string_view t) {
  if (t.size() < 9 || t.substr(0, 2) != "GR") return false;
  for (size_t i = 2; i < 9; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  return true;
}

std::string_view strip_token_prefix(std::string_view t) {
  const auto strip = [&](std::string_view prefix) {
    if (t.substr(0, prefix.size()) != prefix) return false;
    t.remove_prefix(prefix.size());
    return true;
  };
  const auto strip_partition = [&] {
    // t1_, t2_, t3_: the token's partition prefix.
    if (t.size() >= 3 && t[0] == 't' && t[1] >= '1' && t[1] <= '3' && t[2] == '_') {
      t.remove_prefix(3);
    }
  };
  if (strip("glrt-")) {
    strip_partition();
  } else if (strip("glrtr-") || strip("glcbt-")) {
  } else if (starts_with_gr_prefix(t)) {
    t.remove_prefix(9);
  } else {
    strip_partition();
  }
  return t;
}

std::string trim_label_edges(std::string s) {
  const auto edge = [](char c) { return c == '-' || c == '_' || c == '.'; };
  size_t b = 0, e = s.size();
  while (b < e && edge(s[b])) ++b;
  while (e > b && edge(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string trim_slashes(std::string_view s, bool leading) {
  size_t b = 0, e = s.size();
  if (leading) {
    while (b < e && s[b] == '/') ++b;
  }
  while (e > b && s[e - 1] == '/') --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string short_token(std::string_view token, Profile p) {
  if (!short_token_nine_chars(p)) {
    // Before 18.2: glrt-style tokens kept the 9 chars after the prefix, GR tokens 17 chars
    // including "GR" + 7 hex, everything else (13.12's tokens) the first 8. Each prefix arrived in a
    // release of its own (GR 14.10, glrt- 15.9, glcbt- 17.9, glrtr- 18.1), but no GitLab issued such a
    // token before that release, so kexsim applies them to every release before 18.2.
    for (std::string_view prefix : {"glrt-", "glrtr-", "glcbt-"}) {
      if (token.substr(0, prefix.size()) == prefix) {
        return std::string(token.substr(prefix.size(), 9));
      }
    }
    if (starts_with_gr_prefix(token)) return std::string(token.substr(0, 17));
    return std::string(token.substr(0, 8));
  }
  return std::string(strip_token_prefix(token).substr(0, 9));
}

std::string make_rfc1123_compatible(std::string_view s) {
  std::string out;
  for (char c : s) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (is_lower_alnum(l) || l == '-') out += l;
  }
  size_t start = 0;
  while (start < out.size() && !is_lower_alnum(out[start])) ++start;
  out.erase(0, start);
  if (out.size() > 63) out.resize(63);
  return out;
}

std::string project_unique_name(std::string_view short_token, int64_t project_id, int concurrent_id) {
  std::string name = "runner-";
  name += short_token;
  name += "-project-" + std::to_string(project_id) + "-concurrent-" + std::to_string(concurrent_id);
  return make_rfc1123_compatible(name);
}

std::string name_with_random_suffix(std::string_view pattern, Random& random) {
  std::string out(pattern.substr(0, 54));
  out += '-';
  out += random.chars(8, "abcdefghijklmnopqrstuvwxyz0123456789");
  return out;
}

std::string sanitize_label_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  out = trim_label_edges(std::move(out));
  if (out.size() > 63) out.resize(63);
  return trim_label_edges(std::move(out));
}

std::string builds_dir(Profile p, std::string_view builds_dir_base, std::string_view short_token, int concurrent_id,
                       std::string_view project_full_path) {
  std::string base = trim_slashes(builds_dir_base.empty() ? kDefaultBuildsDir : builds_dir_base, false);
  if (!builds_dir_not_shared(p)) {
    base += "/";
    base += short_token;
    base += "/" + std::to_string(concurrent_id);
  }
  return base + "/" + trim_slashes(project_full_path, true);
}

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') return false;
  }
  return true;
}

std::string dns1123_subdomain_errors(std::string_view s) {
  std::string errors;
  if (s.size() > 253) errors = "must be no more than 253 characters";
  bool valid = !s.empty();
  size_t start = 0;
  while (valid && start <= s.size()) {
    const size_t dot = s.find('.', start);
    const size_t end = dot == std::string_view::npos ? s.size() : dot;
    const std::string_view part = s.substr(start, end - start);
    // Each dot-separated part is a label without the 63-char limit.
    valid = !part.empty() && is_lower_alnum(part.front()) && is_lower_alnum(part.back());
    for (char c : part) valid = valid && (is_lower_alnum(c) || c == '-');
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!valid) {
    if (!errors.empty()) errors += ", ";
    errors +=
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
        "regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return errors;
}

}  // namespace kexsim::executor

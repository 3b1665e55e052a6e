// doublestar's Match and VerifyAllowedImage's refusal, as GitLab Runner's allow lists use them.
#include "executor/allowed_images.h"

#include <algorithm>

#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// Where a `[...]` class ends (the index after `]`), or npos when it never closes.
size_t class_end(std::string_view p, size_t i) {
  size_t j = i + 1;
  if (j < p.size() && (p[j] == '^' || p[j] == '!')) ++j;
  if (j < p.size() && p[j] == ']') ++j;  // a leading ']' is a member
  while (j < p.size() && p[j] != ']') j += (p[j] == '\\' && j + 1 < p.size()) ? 2 : 1;
  return j < p.size() ? j + 1 : std::string_view::npos;
}

bool class_matches(std::string_view cls, char c) {  // cls: between '[' and ']'
  size_t i = 0;
  bool negate = false;
  if (i < cls.size() && (cls[i] == '^' || cls[i] == '!')) negate = true, ++i;
  bool hit = false;
  bool first = true;
  while (i < cls.size()) {
    char lo = cls[i];
    if (lo == '\\' && i + 1 < cls.size()) lo = cls[++i];
    else if (lo == ']' && !first) break;
    ++i;
    char hi = lo;
    if (i + 1 < cls.size() && cls[i] == '-') {
      hi = cls[i + 1];
      if (hi == '\\' && i + 2 < cls.size()) hi = cls[++i + 1];
      i += 2;
    }
    if (lo <= c && c <= hi) hit = true;
    first = false;
  }
  return hit != negate;
}

// Where the `{...}` opened at i closes (the index of `}`), or npos; commas at depth 1 split it.
size_t brace_end(std::string_view p, size_t i, std::vector<size_t>& commas) {
  int depth = 0;
  for (size_t j = i; j < p.size(); ++j) {
    if (p[j] == '\\') {
      ++j;
    } else if (p[j] == '{') {
      ++depth;
    } else if (p[j] == '}') {
      if (--depth == 0) return j;
    } else if (p[j] == ',' && depth == 1) {
      commas.push_back(j);
    }
  }
  return std::string_view::npos;
}

bool match_at(std::string_view p, std::string_view n) {
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '*') {
      const bool at_component_start = i == 0 || p[i - 1] == '/';
      if (i + 1 < p.size() && p[i + 1] == '*' && at_component_start && (i + 2 == p.size() || p[i + 2] == '/')) {
        // `**` as a whole component: any number of directories, the empty one included.
        if (i + 2 == p.size()) return true;
        const std::string_view rest = p.substr(i + 3);
        if (match_at(rest, n)) return true;
        for (size_t k = 0; k < n.size(); ++k)
          if (n[k] == '/' && match_at(rest, n.substr(k + 1))) return true;
        return false;
      }
      while (i < p.size() && p[i] == '*') ++i;  // `**` elsewhere is a `*`
      const std::string_view rest = p.substr(i);
      for (size_t k = 0;; ++k) {
        if (match_at(rest, n.substr(k))) return true;
        if (k == n.size() || n[k] == '/') return false;
      }
    }
    if (c == '{') {
      std::vector<size_t> commas;
      const size_t end = brace_end(p, i, commas);
      if (end == std::string_view::npos) return false;
      const std::string_view rest = p.substr(end + 1);
      size_t from = i + 1;
      commas.push_back(end);
      for (size_t to : commas) {
        std::string alternative(p.substr(from, to - from));
        alternative += rest;
        if (match_at(alternative, n)) return true;
        from = to + 1;
      }
      return false;
    }
    if (n.empty()) return false;
    if (c == '?') {
      if (n[0] == '/') return false;
      ++i;
    } else if (c == '[') {
      const size_t end = class_end(p, i);
      if (end == std::string_view::npos || n[0] == '/' || !class_matches(p.substr(i + 1, end - i - 2), n[0]))
        return false;
      i = end;
    } else {
      char literal = c;
      if (c == '\\') {
        if (i + 1 == p.size()) return false;  // a trailing backslash: ErrBadPattern
        literal = p[++i];
      }
      if (n[0] != literal) return false;
      ++i;
    }
    n.remove_prefix(1);
  }
  return n.empty();
}

}  // namespace

bool doublestar_match(std::string_view pattern, std::string_view name) { return match_at(pattern, name); }

std::optional<std::vector<SetupLine>> refuse_image(const ImageCheck& check, Profile profile) {
  // common/allowed_images.go VerifyAllowedImage: an allowed pattern, then the internal images, pass; an
  // empty list allows everything ("by default allow to override the image name").
  for (const std::string& pattern : check.allowed)
    if (doublestar_match(pattern, check.image)) return std::nullopt;
  if (std::find(check.internal.begin(), check.internal.end(), check.image) != check.internal.end())
    return std::nullopt;
  if (check.allowed.empty()) return std::nullopt;
  std::vector<SetupLine> lines;
  lines.push_back({});  // logger.Println()
  // logger.Errorln(fmt.Sprintf("The %q image is not present on list of allowed %s:", ...))
  SetupLine refusal;
  refusal.error = true;
  refusal.text = "The " + messages::go_quote(check.image) + " image is not present on list of allowed " + check.option + ":";
  lines.push_back(std::move(refusal));
  for (const std::string& pattern : check.allowed) lines.push_back({false, "- " + pattern});
  lines.push_back({});
  // common/allowed_images.go VerifyAllowedImage: logger.Println(`Please check runner's allowed_images
  // configuration: ` + the documentation link).
  lines.push_back({false,
                   std::string("Please check runner's allowed_images configuration: ") +
                       (allowed_images_new_doc_link(profile)
                            ? "https://docs.gitlab.com/runner/configuration/advanced-configuration/"
                            : "https://docs.gitlab.com/runner/configuration/advanced-configuration.html")});
  return lines;
}

}  // namespace kexsim::executor

#include "fakes/runtime/git_config.h"

#include <cctype>
#include <map>

#include "base/strings.h"

namespace kexsim::fakes::shell {
namespace {

// A canonical key split into its section header ("http", "http \"https://x\"") and name.
struct KeyParts {
  std::string section, subsection, name;
};

KeyParts split_key(const std::string& canonical) {
  KeyParts p;
  const size_t first = canonical.find('.');
  const size_t last = canonical.rfind('.');
  p.section = canonical.substr(0, first);
  p.name = canonical.substr(last + 1);
  if (last > first) p.subsection = canonical.substr(first + 1, last - first - 1);
  return p;
}

std::string header(const KeyParts& p) {
  return p.subsection.empty() ? "[" + p.section + "]" : "[" + p.section + " \"" + p.subsection + "\"]";
}

// Renders entries grouped by section, sections in order of first appearance.
std::string render(const std::vector<GitConfigEntry>& entries) {
  std::vector<std::string> order;
  std::map<std::string, std::string> bodies;
  for (const auto& e : entries) {
    const KeyParts p = split_key(e.key);
    const std::string h = header(p);
    if (!bodies.count(h)) order.push_back(h);
    bodies[h] += "\t" + (e.name.empty() ? p.name : e.name) + " = " + e.value + "\n";
  }
  std::string out;
  for (const auto& h : order) out += h + "\n" + bodies[h];
  return out;
}

std::string unquote(std::string v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

}  // namespace

std::string canonical_git_key(const std::string& key) {
  const size_t first = key.find('.');
  const size_t last = key.rfind('.');
  if (first == std::string::npos || first == 0 || last + 1 >= key.size()) return {};
  std::string out = to_lower(key.substr(0, first));
  if (last > first) out += "." + key.substr(first + 1, last - first - 1);
  return out + "." + to_lower(key.substr(last + 1));
}

std::vector<GitConfigEntry> parse_git_config(const std::string& text) {
  std::vector<GitConfigEntry> out;
  std::string section;
  for (const auto& raw : split(text, '\n')) {
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      const size_t close = line.find(']');
      const std::string inside = line.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      const size_t quote = inside.find('"');
      if (quote == std::string::npos) {
        section = to_lower(trim(inside));  // also the old [section.subsection] form, lower-cased
      } else {
        const size_t end = inside.rfind('"');
        section = to_lower(trim(inside.substr(0, quote))) + "." + inside.substr(quote + 1, end - quote - 1);
      }
      continue;
    }
    const size_t eq = line.find('=');
    const std::string name = trim(line.substr(0, eq));
    // A name without "=" is a boolean true (git-config(1), "Syntax").
    out.push_back(
        {section + "." + to_lower(name), eq == std::string::npos ? "true" : unquote(line.substr(eq + 1)), name});
  }
  return out;
}

std::string set_git_config(const std::string& text, const std::string& key, const std::string& value) {
  std::vector<GitConfigEntry> entries = parse_git_config(text);
  const std::string canonical = canonical_git_key(key);
  const std::string name = key.substr(key.rfind('.') + 1);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->key == canonical) {
      it->value = value;
      return render(entries);
    }
  entries.push_back({canonical, value, name});
  return render(entries);
}

std::string unset_git_config(const std::string& text, const std::string& key) {
  std::vector<GitConfigEntry> entries = parse_git_config(text);
  const std::string canonical = canonical_git_key(key);
  std::vector<GitConfigEntry> kept;
  for (auto& e : entries)
    if (e.key != canonical) kept.push_back(std::move(e));
  return render(kept);
}

std::string git_rewrite_url(const std::vector<GitConfigEntry>& entries, const std::string& url) {
  // remote.c alias_url: the longest insteadOf value that prefixes the URL wins.
  std::string base, longest;
  for (const auto& e : entries) {
    const KeyParts p = split_key(e.key);
    if (p.section != "url" || p.name != "insteadof" || p.subsection.empty()) continue;
    if (url.compare(0, e.value.size(), e.value) == 0 && e.value.size() > longest.size()) {
      longest = e.value;
      base = p.subsection;
    }
  }
  return longest.empty() ? url : base + url.substr(longest.size());
}

bool git_false(const std::string& value) {
  const std::string v = to_lower(trim(value));
  return v == "false" || v == "no" || v == "off" || v == "0" || v.empty();
}

std::string git_http_setting(const std::vector<GitConfigEntry>& entries, const std::string& name,
                             const std::string& url) {
  std::string best;
  long best_length = -1;
  const std::string wanted = to_lower(name);
  for (const auto& e : entries) {
    const KeyParts p = split_key(e.key);
    if (p.section != "http" || p.name != wanted) continue;
    long length = 0;
    if (!p.subsection.empty()) {
      std::string prefix = p.subsection;
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      // The configured URL matches when it is the remote URL or a prefix of it ending at a path boundary.
      if (url.compare(0, prefix.size(), prefix) != 0 || (url.size() > prefix.size() && url[prefix.size()] != '/'))
        continue;
      length = static_cast<long>(prefix.size());
    }
    if (length >= best_length) {
      best_length = length;
      best = e.value;
    }
  }
  return best;
}

}  // namespace kexsim::fakes::shell

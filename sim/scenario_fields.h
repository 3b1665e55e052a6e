#pragma once
// Readers for scenario fields that several scenario sections share: a value from a closed set, a number
// that must not be negative. Each failure carries the key's file:line:column and the format hint.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/toml_reader.h"

namespace kexsim::sim {

/// The hint every scenario-format error carries.
inline constexpr char kScenarioFormatHint[] = "see docs/scenarios.md for the scenario format";

/// `"a" or "b"` / `one of "a", "b", "c"`, for messages about a closed set of values.
inline std::string allowed_list(const std::vector<std::string>& allowed) {
  auto quote = [](const std::string& s) { return "\"" + s + "\""; };
  if (allowed.size() == 2) return quote(allowed[0]) + " or " + quote(allowed[1]);
  std::string out = "one of ";
  for (size_t i = 0; i < allowed.size(); ++i) out += (i ? ", " : "") + quote(allowed[i]);
  return out;
}

/// Reads a string key whose value must be one of `allowed`.
inline void get_one_of(TomlTable& t, std::string_view key, std::string& out, const std::vector<std::string>& allowed) {
  std::string value;
  if (!t.get(key, value)) return;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    t.context().fail(t.raw().get(key)->source(),
                     t.path(key) + ": expected " + allowed_list(allowed) + ", got \"" + value + "\"",
                     kScenarioFormatHint);
    return;
  }
  out = value;
}

/// The same for an optional field, set only when the key is present and its value allowed.
inline void get_one_of(TomlTable& t, std::string_view key, std::optional<std::string>& out,
                       const std::vector<std::string>& allowed) {
  std::string value;
  get_one_of(t, key, value, allowed);
  if (t.raw().get(key) && !t.context().failed()) out = value;
}

/// Reads a string that must be present and non-empty; `hint` says what the value is for.
inline void get_required(TomlTable& t, std::string_view key, std::string& out, const std::string& hint) {
  if (t.require(key, hint) && t.get(key, out) && out.empty())
    t.context().fail(t.raw().get(key)->source(), t.path(key) + ": must not be empty", hint);
}

/// Reads a number that must not be negative (durations, counts); false when absent or negative.
template <class T>
bool get_non_negative(TomlTable& t, std::string_view key, T& out) {
  T value{};
  if (!t.get(key, value)) return false;
  if (value < 0) {
    t.context().fail(t.raw().get(key)->source(), t.path(key) + ": expected a value >= 0", kScenarioFormatHint);
    return false;
  }
  out = value;
  return true;
}

/// The same for an optional field, set only when the key is present and valid.
template <class T>
void get_non_negative(TomlTable& t, std::string_view key, std::optional<T>& out) {
  T value{};
  if (get_non_negative(t, key, value)) out = value;
}

}  // namespace kexsim::sim

#pragma once
// Reading API objects that may lack a field or hold another type than expected: what arrives from a
// client (the fakes) or from an API server (the executor) is never trusted to have a shape.

#include <string>

#include <nlohmann/json.hpp>

namespace kexsim::json_fields {

/// The field `key` of object, or a null when object is not an object or has no such field.
inline const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

/// The string in field `key`, or "" when it is missing or not a string.
inline std::string text(const nlohmann::json& object, const char* key) {
  const nlohmann::json& v = member(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace kexsim::json_fields

#include "executor/docker_auth.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/strings.h"
#include "executor/predefined_variables.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

// helpers/docker/auth/auth.go.
constexpr const char* kSourceUserVariable = "$DOCKER_AUTH_CONFIG";
constexpr const char* kSourceJobPayload = "job payload (GitLab Registry)";

// encoding/json quoteChar: how a syntax error names the offending byte.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  static const char* kHex = "0123456789abcdef";
  switch (c) {
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    default: break;
  }
  if (c < 0x20 || c == 0x7f) return std::string("'\\x") + kHex[c >> 4] + kHex[c & 15] + "'";
  if (c >= 0x80) return "'\\ufffd'";  // a lone byte of an invalid UTF-8 sequence
  return std::string("'") + static_cast<char>(c) + "'";
}

// The first syntax error of encoding/json's Decoder reading one value from text ("" if none; Decode
// stops after the first value, so what follows it is not looked at). EOF inside a value: "unexpected EOF".
// Go encoding/json scanner.go scanner.error: "invalid character " + quoteChar(c) + " " + context, the context
// being its state function's ("looking for beginning of value", "looking for beginning of object key string", ...).
class GoJsonScanner {
 public:
  explicit GoJsonScanner(std::string_view s) : s_(s) {}
  std::optional<std::string> first_error() {
    skip_space();
    if (at_end()) return std::nullopt;  // io.EOF: LoadFromReader ignores it
    return value();
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  void skip_space() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  std::string invalid(std::string_view context) const {
    return "invalid character " + quote_char(static_cast<unsigned char>(s_[i_])) + " " + std::string(context);
  }
  std::optional<std::string> value() {
    skip_space();
    if (at_end()) return "unexpected EOF";
    const char c = s_[i_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return invalid("looking for beginning of value");
  }
  std::optional<std::string> object() {
    ++i_;
    skip_space();
    if (at_end()) return "unexpected EOF";
    if (s_[i_] == '}') {
      ++i_;
      return std::nullopt;
    }
    for (;;) {
      skip_space();
      if (at_end()) return "unexpected EOF";
      if (s_[i_] != '"') return invalid("looking for beginning of object key string");
      if (auto e = string()) return e;
      skip_space();
      if (at_end()) return "unexpected EOF";
      if (s_[i_] != ':') return invalid("after object key");
      ++i_;
      if (auto e = value()) return e;
      skip_space();
      if (at_end()) return "unexpected EOF";
      if (s_[i_] == '}') {
        ++i_;
        return std::nullopt;
      }
      if (s_[i_] != ',') return invalid("after object key:value pair");
      ++i_;
    }
  }
  std::optional<std::string> array() {
    ++i_;
    skip_space();
    if (at_end()) return "unexpected EOF";
    if (s_[i_] == ']') {
      ++i_;
      return std::nullopt;
    }
    for (;;) {
      if (auto e = value()) return e;
      skip_space();
      if (at_end()) return "unexpected EOF";
      if (s_[i_] == ']') {
        ++i_;
        return std::nullopt;
      }
      if (s_[i_] != ',') return invalid("after array element");
      ++i_;
    }
  }
  std::optional<std::string> string() {
    ++i_;
    while (!at_end()) {
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return std::nullopt;
      }
      if (c < 0x20) return invalid("in string literal");
      if (c == '\\') {
        ++i_;
        if (at_end()) return "unexpected EOF";
        const char e = s_[i_];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            ++i_;
            if (at_end()) return "unexpected EOF";
            if (!std::isxdigit(static_cast<unsigned char>(s_[i_])))
              return invalid("in \\u hexadecimal character escape");
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return invalid("in string escape code");
        }
      }
      ++i_;
    }
    return "unexpected EOF";
  }
  std::optional<std::string> number() {
    if (s_[i_] == '-') {
      ++i_;
      if (at_end()) return "unexpected EOF";
      if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) return invalid("in numeric literal");
    }
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (!at_end() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (!at_end() && s_[i_] == '.') {
      ++i_;
      if (at_end()) return "unexpected EOF";
      if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) return invalid("after decimal point in numeric literal");
      while (!at_end() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (!at_end() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (!at_end() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (at_end()) return "unexpected EOF";
      if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) return invalid("in exponent of numeric literal");
      while (!at_end() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    return std::nullopt;
  }
  std::optional<std::string> literal(std::string_view word) {
    for (size_t k = 0; k < word.size(); ++k, ++i_) {
      if (at_end()) return "unexpected EOF";
      if (s_[i_] != word[k])
        return invalid("in literal " + std::string(word) + " (expecting '" + std::string(1, word[k]) + "')");
    }
    return std::nullopt;
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::string json_type(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  return "object";
}

std::string unmarshal_error(const json& v, const std::string& field, const std::string& type) {
  return "json: cannot unmarshal " + json_type(v) + " into Go struct field " + field + " of type " + type;
}

// configfile.LoadFromReader plus readConfigsFromReader: the auths of a docker config, sorted by key.
struct ConfigRead {
  std::vector<RegistryAuth> auths;
  std::string error;  ///< non-empty: the source fails
};

ConfigRead read_docker_config(Profile p, const std::string& text) {
  ConfigRead out;
  if (auto e = GoJsonScanner(text).first_error()) {
    out.error = *e;
    return out;
  }
  const json root = json::parse(text, nullptr, false);
  if (root.is_discarded() || root.is_null()) return out;  // io.EOF or null: no configuration
  if (!root.is_object()) {
    out.error = "json: cannot unmarshal " + json_type(root) + " into Go value of type configfile.ConfigFile";
    return out;
  }
  const json auths = root.value("auths", json());
  if (!auths.is_null() && !auths.is_object()) {
    out.error = unmarshal_error(auths, "ConfigFile.auths", "map[string]types.AuthConfig");
    return out;
  }
  const json store = root.value("credsStore", json());
  const json helpers = root.value("credHelpers", json());
  if (!store.is_null() && !store.is_string()) {
    out.error = unmarshal_error(store, "ConfigFile.credsStore", "string");
    return out;
  }
  if (auths.is_object()) {
    for (const auto& [addr, entry] : auths.items()) {  // nlohmann keeps keys sorted: withStableOrder
      if (entry.is_null()) continue;
      if (!entry.is_object()) {
        out.error = unmarshal_error(entry, "ConfigFile.auths", "types.AuthConfig");
        return out;
      }
      RegistryAuth a;
      const auto field = [&](const char* name, std::string& to) -> bool {
        const json v = entry.value(name, json());
        if (v.is_null()) return true;
        if (!v.is_string()) {
          out.error = unmarshal_error(v, std::string("ConfigFile.auths.") + name, "string");
          return false;
        }
        to = v.get<std::string>();
        return true;
      };
      std::string auth, ignored;
      if (!field("username", a.username) || !field("password", a.password) || !field("auth", auth) ||
          !field("email", a.email) || !field("identitytoken", a.identity_token) ||
          !field("registrytoken", a.registry_token) || !field("serveraddress", ignored))
        return out;
      if (docker_auth_without_email(p)) a.email.clear();  // docker/cli 29 dropped the field
      if (!auth.empty()) {
        auto decoded = go_base64_decode(auth);
        if (!decoded) {
          out.error = decoded.error().message;
          return out;
        }
        const size_t colon = decoded->find(':');
        if (colon == std::string::npos || colon == 0) {
          // docker/cli configfile decodeAuth (capitalised up to docker/cli 28).
          out.error =
              docker_auth_without_email(p) ? "invalid auth configuration file" : "Invalid auth configuration file";
          return out;
        }
        a.username = decoded->substr(0, colon);
        a.password = decoded->substr(colon + 1);
        a.password.erase(std::remove(a.password.begin(), a.password.end(), '\0'), a.password.end());
      }
      a.server_address = addr;
      a.source = kSourceUserVariable;
      out.auths.push_back(std::move(a));
    }
  }
  // The credential helpers would run docker-credential-<name> on the runner's host, where kexsim's
  // runner has none: the source fails as exec.Command does (docker-credential-helpers client.go).
  if (store.is_string() && !store.get<std::string>().empty()) {
    out.error = "error listing credentials - err: exec: \"docker-credential-" + store.get<std::string>() +
                "\": executable file not found in $PATH, out: ``";
    return out;
  }
  if (helpers.is_object() && !helpers.empty()) {
    const auto& first = helpers.begin().value();
    const std::string name = first.is_string() ? first.get<std::string>() : std::string();
    out.error = "error getting credentials - err: exec: \"docker-credential-" + name +
                "\": executable file not found in $PATH, out: ``";
    return out;
  }
  const bool contains_auth = (store.is_string() && !store.get<std::string>().empty()) ||
                             (helpers.is_object() && !helpers.empty()) || !out.auths.empty();
  if (!contains_auth) out.auths.clear();
  return out;
}

}  // namespace

std::string registry_hostname(const std::string& server_address) {
  std::string url = to_lower(server_address);
  if (url.rfind("http://", 0) == 0) url = url.substr(7);
  if (url.rfind("https://", 0) == 0) url = url.substr(8);
  url = url.substr(0, url.find('/'));
  if (url == "index.docker.io") return "docker.io";
  return url;
}

std::string registry_path(const std::string& server_address) {
  const std::string low = to_lower(server_address.substr(0, std::min<size_t>(8, server_address.size())));
  if (low.rfind("http://", 0) == 0 || low.rfind("https://", 0) == 0) {
    std::string path = server_address.substr(server_address.find("://") + 3);
    path = to_lower(path.substr(0, path.find('/')));
    return path == "index.docker.io" ? "docker.io" : path;
  }
  std::string path = server_address;
  if (!path.empty() && path.back() == '/') path.pop_back();
  const size_t tag = path.rfind(':');
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && tag != std::string::npos && tag > slash) path = path.substr(0, tag);
  // pathWithLowerCaseHostname.
  const size_t first = path.find('/');
  if (first == std::string::npos) return to_lower(path);
  return to_lower(path.substr(0, first)) + path.substr(first);
}

std::string docker_auth_config(const std::vector<JobVariable>& variables, Profile p) {
  return variable_for_expansion(variables, "DOCKER_AUTH_CONFIG", p);
}

DockerAuth resolve_docker_auth(Profile p, const std::string& docker_auth_config,
                               const std::vector<JobCredential>& credentials) {
  DockerAuth out;
  const bool paths = docker_auth_registry_paths(p);
  const auto add = [&](RegistryAuth a) {
    a.path = paths ? registry_path(a.server_address) : registry_hostname(a.server_address);
    a.key = paths ? a.server_address : a.path;
    for (const auto& existing : out.registries) {
      if (existing.path == a.path) return;  // the first source wins (18.3+: a debug line says so)
    }
    out.registries.push_back(std::move(a));
  };
  ConfigRead user = read_docker_config(p, docker_auth_config);
  if (!user.error.empty()) {
    if (warns_unresolved_docker_auth(p))
      // helpers/docker/auth/auth.go AllConfigs: "Failed to resolve credentials from %s: %v. Credentials from this
      // source will not be used.".
      out.warnings.push_back("Failed to resolve credentials from " + std::string(kSourceUserVariable) + ": " +
                             user.error + ". Credentials from this source will not be used.");
  } else {
    for (auto& a : user.auths) add(std::move(a));
  }
  // getHomeDirConfiguration: the runner's ~/.docker/config.json; kexsim's runner has none.
  for (const JobCredential& c : credentials) {
    if (c.type != "registry") continue;  // exact lowercase, as the runner compares it
    RegistryAuth a;
    a.username = c.username;
    a.password = c.password;
    a.server_address = c.url;
    a.source = kSourceJobPayload;
    add(std::move(a));
  }
  return out;
}

std::string dockercfg_json(const std::vector<RegistryAuth>& registries) {
  // json.Marshal of map[string]types.AuthConfig: keys sorted, fields in struct order, empty ones omitted.
  std::vector<const RegistryAuth*> sorted;
  for (const auto& r : registries) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const RegistryAuth* r : sorted) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    const auto put = [&](const char* name, const std::string& v) {
      if (!v.empty()) entry[name] = v;
    };
    put("username", r->username);
    put("password", r->password);
    put("email", r->email);
    put("serveraddress", r->server_address);
    put("identitytoken", r->identity_token);
    put("registrytoken", r->registry_token);
    out[r->key] = entry;
  }
  return out.dump();
}

}  // namespace kexsim::executor

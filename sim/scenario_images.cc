#include "sim/scenario_images.h"

#include <algorithm>
#include <cmath>

#include "base/base64.h"

namespace kexsim::sim {
namespace {

using nlohmann::json;

const char kImagesHint[] = "see docs/scenarios.md, \"Images and registries\"";

bool one_of(TomlTable& t, std::string_view key, std::string& out, const std::vector<std::string>& allowed) {
  std::string value;
  if (!t.get(key, value)) return false;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i) list += (i ? ", \"" : "\"") + allowed[i] + "\"";
    t.context().fail(t.raw().get(key)->source(), t.path(key) + ": expected one of " + list + ", got \"" + value + "\"",
                     kImagesHint);
    return false;
  }
  out = value;
  return true;
}

bool require_nonempty(TomlTable& t, std::string_view key, std::string& out, const std::string& hint) {
  if (!t.require(key, hint) || !t.get(key, out)) return false;
  if (out.empty()) {
    t.context().fail(t.raw().get(key)->source(), t.path(key) + ": must not be empty", hint);
    return false;
  }
  return true;
}

bool non_negative(TomlTable& t, std::string_view key, double& out) {
  double value = 0;
  if (!t.get(key, value)) return false;
  if (value < 0) {
    t.context().fail(t.raw().get(key)->source(), t.path(key) + ": expected a value >= 0", kImagesHint);
    return false;
  }
  out = value;
  return true;
}

Duration seconds(double s) { return Duration(static_cast<int64_t>(std::llround(s * 1e6))); }

// "linux/arm64": an os and an architecture.
bool valid_platform(const std::string& p) {
  const size_t slash = p.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < p.size() && p.find('/', slash + 1) == std::string::npos;
}

void read_registry(TomlTable& r, fakes::ImageSettings& settings) {
  fakes::Registry reg;
  require_nonempty(r, "host", reg.host,
                   "name the registry as image references do, e.g. host = \"registry.example.com\"");
  r.get("address", reg.address);
  std::string reach = "ok";
  one_of(r, "reach", reach, {"ok", "unreachable", "timeout", "refused", "no-such-host"});
  if (reach == "unreachable") reg.reach = fakes::RegistryReach::kUnreachable;
  if (reach == "timeout") reg.reach = fakes::RegistryReach::kTimeout;
  if (reach == "refused") reg.reach = fakes::RegistryReach::kRefused;
  if (reach == "no-such-host") reg.reach = fakes::RegistryReach::kNoSuchHost;
  r.get("private", reg.private_registry);
  r.get("username", reg.username);
  r.get("password", reg.password);
  double pull = 2;
  if (non_negative(r, "pull_seconds", pull)) reg.pull_time = seconds(pull);
  for (const toml::table* entry : r.tables("images")) {
    TomlTable i(*entry, r.path("images"), r.context());
    fakes::RegistryImage image;
    require_nonempty(i, "repository", image.repository,
                     "the path inside the registry, e.g. repository = \"library/nginx\"");
    i.get("tags", image.tags);
    if (i.get("platforms", image.platforms))
      for (const auto& p : image.platforms)
        if (!valid_platform(p))
          i.context().fail(i.raw().get("platforms")->source(),
                           i.path("platforms") + ": expected \"os/arch\" such as \"linux/arm64\", got \"" + p + "\"",
                           kImagesHint);
    double size = static_cast<double>(image.size_bytes);
    if (non_negative(i, "size_bytes", size)) image.size_bytes = static_cast<int64_t>(size);
    i.get("index", image.index);
    i.reject_unread();
    reg.images.push_back(std::move(image));
  }
  r.reject_unread();
  if (reg.private_registry && (reg.username.empty() || reg.password.empty()))
    r.context().fail(r.raw().source(), r.prefix() + ": a private registry needs username and password",
                     "set the credentials the registry accepts, e.g. username = \"ci\", password = \"s3cret\"");
  settings.registries.push_back(std::move(reg));
}

// A docker-registry Secret as `kubectl create secret docker-registry` writes it.
json pull_secret(TomlTable& p) {
  std::string name, ns, type = "dockerconfigjson", registry, username, password;
  require_nonempty(p, "name", name, "name the secret, e.g. name = \"regcred\"");
  require_nonempty(p, "namespace", ns, "a Secret lives in a namespace");
  one_of(p, "type", type, {"dockerconfigjson", "dockercfg"});
  require_nonempty(p, "registry", registry,
                   "the registry the credentials are for, e.g. registry = \"registry.example.com\"");
  p.get("username", username);
  p.get("password", password);
  p.reject_unread();
  const json entry = {
      {"username", username}, {"password", password}, {"auth", base64_encode(username + ":" + password)}};
  json data;
  if (type == "dockercfg") {
    data = {{".dockercfg", base64_encode(json{{registry, entry}}.dump())}};
  } else {
    data = {{".dockerconfigjson", base64_encode(json{{"auths", {{registry, entry}}}}.dump())}};
  }
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"type", "kubernetes.io/" + type},
          {"data", data}};
}

}  // namespace

void read_images(TomlTable& cluster, Scenario& s) {
  for (const toml::table* entry : cluster.tables("registries")) {
    TomlTable r(*entry, cluster.path("registries"), cluster.context());
    read_registry(r, s.images);
  }
  for (const toml::table* entry : cluster.tables("pull_secrets")) {
    TomlTable p(*entry, cluster.path("pull_secrets"), cluster.context());
    s.cluster_objects.push_back(pull_secret(p));
  }
  const toml::table* table = cluster.table("image_pulls");
  if (!table) return;
  TomlTable t(*table, cluster.path("image_pulls"), cluster.context());
  non_negative(t, "pull_qps", s.images.pull_qps);
  double burst = s.images.pull_burst;
  if (non_negative(t, "pull_burst", burst)) s.images.pull_burst = static_cast<int>(burst);
  t.get("serialize_pulls", s.images.serialize_pulls);
  t.get("node_dns", s.images.node_dns);
  for (const toml::table* entry : t.tables("preloaded")) {
    TomlTable p(*entry, t.path("preloaded"), t.context());
    std::string node;
    std::vector<std::string> images;
    require_nonempty(p, "node", node, "the node the images are on, e.g. node = \"node-1\"");
    p.get("images", images);
    p.reject_unread();
    auto& list = s.images.preloaded[node];
    list.insert(list.end(), images.begin(), images.end());
  }
  t.reject_unread();
}

}  // namespace kexsim::sim

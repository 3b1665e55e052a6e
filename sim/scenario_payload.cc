#include "sim/scenario_payload.h"

#include "sim/scenario_fields.h"

namespace kexsim::sim {
namespace {

// A key that holds one table or an array of them (artifacts = {...} or [[gitlab.jobs.artifacts]]).
std::vector<const toml::table*> one_or_many(TomlTable& t, std::string_view key) {
  const toml::node* n = t.node(key);
  if (!n) return {};
  if (n->is_table()) return {n->as_table()};
  return t.tables(key);
}

}  // namespace

void read_job_payload(TomlTable& t, fakes::JobDefinition& job) {
  for (const toml::table* entry : one_or_many(t, "artifacts")) {
    TomlTable a(*entry, t.path("artifacts"), t.context());
    fakes::JobArtifact artifact;
    a.get("name", artifact.name);
    a.get("paths", artifact.paths);
    a.get("exclude", artifact.exclude);
    a.get("untracked", artifact.untracked);
    get_one_of(a, "when", artifact.when, {"on_success", "on_failure", "always"});
    a.get("expire_in", artifact.expire_in);
    a.reject_unread();
    job.artifacts.push_back(std::move(artifact));
  }
  for (const toml::table* entry : one_or_many(t, "cache")) {
    TomlTable c(*entry, t.path("cache"), t.context());
    fakes::JobCache cache;
    c.get("key", cache.key);
    c.get("paths", cache.paths);
    c.get("untracked", cache.untracked);
    get_one_of(c, "policy", cache.policy, {"pull", "push", "pull-push"});
    get_one_of(c, "when", cache.when, {"on_success", "on_failure", "always"});
    c.get("fallback_keys", cache.fallback_keys);
    c.reject_unread();
    job.cache.push_back(std::move(cache));
  }
  t.get("dependencies", job.dependencies);
}

}  // namespace kexsim::sim

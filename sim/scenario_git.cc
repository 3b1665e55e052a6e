#include "sim/scenario_git.h"

#include <algorithm>

namespace kexsim::sim {
namespace {

const char kGitHint[] = "see docs/scenarios.md, \"Projects and submodules\"";

// "root/lib": a namespace and a name, no ".git", no leading or trailing slash.
bool valid_project_path(const std::string& p) {
  return !p.empty() && p.find('/') != std::string::npos && p.front() != '/' && p.back() != '/' &&
         p.find("//") == std::string::npos && (p.size() < 4 || p.compare(p.size() - 4, 4, ".git") != 0);
}

bool read_path(TomlTable& t, std::string_view key, std::string& out, const std::string& hint) {
  if (!t.require(key, hint) || !t.get(key, out)) return false;
  if (!valid_project_path(out)) {
    t.context().fail(t.raw().get(key)->source(),
                     t.path(key) + ": expected a project path such as \"root/lib\" (no .git), got \"" + out + "\"",
                     kGitHint);
    return false;
  }
  return true;
}

fakes::ProjectDefinition::Submodule read_submodule(TomlTable& t) {
  fakes::ProjectDefinition::Submodule sub;
  read_path(t, "project", sub.project, "name the project the submodule checks out, e.g. project = \"root/lib\"");
  if (t.require("path", "where the submodule sits in the work tree, e.g. path = \"lib\"") && t.get("path", sub.path)) {
    if (sub.path.empty() || sub.path.find_first_of("/\\ \t\"") != std::string::npos || sub.path == "." ||
        sub.path == ".." || sub.path == ".git")
      t.context().fail(t.raw().get("path")->source(),
                       t.path("path") + ": expected one directory name such as \"lib\", got \"" + sub.path + "\"",
                       kGitHint);
  }
  // Unset: the project's path relative to the superproject's namespace root, as GitLab recommends.
  if (!t.get("url", sub.url)) sub.url = "../../" + sub.project + ".git";
  t.reject_unread();
  return sub;
}

}  // namespace

void read_git_projects(TomlTable& gitlab, Scenario& s) {
  for (const toml::table* entry : gitlab.tables("projects")) {
    TomlTable t(*entry, gitlab.path("projects"), gitlab.context());
    fakes::ProjectDefinition project;
    read_path(t, "path", project.path, "name the project, e.g. path = \"root/lib\"");
    t.get("default_branch", project.default_branch);
    t.get("private", project.is_private);
    std::vector<std::string> allowlist;
    if (t.get("job_token_allowlist", allowlist)) project.job_token_allowlist = allowlist;
    for (const toml::table* sub : t.tables("submodules")) {
      TomlTable st(*sub, t.path("submodules"), t.context());
      project.submodules.push_back(read_submodule(st));
    }
    t.reject_unread();
    const bool duplicate = std::any_of(s.projects.begin(), s.projects.end(),
                                       [&](const fakes::ProjectDefinition& p) { return p.path == project.path; });
    if (duplicate)
      t.context().fail(t.raw().source(), t.prefix() + ": project " + project.path + " is declared twice", kGitHint);
    s.projects.push_back(std::move(project));
  }
}

}  // namespace kexsim::sim

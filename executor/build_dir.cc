#include "executor/build_dir.h"

#include <vector>

#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

std::vector<std::string_view> names(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string go_path_clean(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> kept;
  for (std::string_view name : names(path)) {
    if (name == ".") continue;
    if (name == "..") {
      if (!kept.empty() && kept.back() != "..") {
        kept.pop_back();
      } else if (!rooted) {
        kept.push_back(name);  // a relative path keeps the ".." it cannot resolve; "/.." is "/"
      }
      continue;
    }
    kept.push_back(name);
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += '/';
    out += kept[i];
  }
  return out.empty() ? "." : out;
}

Result<std::string> go_path_rel(std::string_view base, std::string_view target) {
  const std::string b = go_path_clean(base), t = go_path_clean(target);
  if (b == t) return std::string(".");
  const bool base_abs = b.front() == '/', target_abs = t.front() == '/';
  // path/filepath.Rel.
  if (base_abs != target_abs)
    return make_error("Rel: can't make " + std::string(target) + " relative to " + std::string(base));
  const auto bn = names(b), tn = names(t);
  size_t common = 0;
  while (common < bn.size() && common < tn.size() && bn[common] == tn[common]) ++common;
  std::string out;
  for (size_t i = common; i < bn.size(); ++i) out += out.empty() ? ".." : "/..";
  for (size_t i = common; i < tn.size(); ++i) {
    if (!out.empty()) out += '/';
    out += tn[i];
  }
  return out;
}

bool custom_build_dir_enabled(const RunnerConfig& runner) {
  // executors/abstract.go CustomBuildEnabled; executors/kubernetes/kubernetes.go DefaultCustomBuildsDirEnabled.
  return runner.custom_build_dir_enabled.value_or(true);
}

Result<std::string> job_build_dir(Profile p, std::string_view root_dir, std::string default_dir,
                                  std::string_view clone_path, bool enabled) {
  if (clone_path.empty()) return default_dir;
  // common/build.go getCustomBuildDir (13.12: the overrideKey in the format; same words).
  if (!enabled) return make_error("setting GIT_CLONE_PATH is not allowed, enable `custom_build_dir` feature");
  auto rel = go_path_rel(root_dir, clone_path);
  if (!rel) return rel.error();
  if (rel->starts_with(".."))
    return make_error("the GIT_CLONE_PATH=" + messages::go_quote(clone_path) + " has to be within " +
                      messages::go_quote(root_dir));
  // 15.3 returns path.Clean(dir); before, the value as written.
  return custom_build_dir_cleaned(p) ? go_path_clean(clone_path) : std::string(clone_path);
}

}  // namespace kexsim::executor

#include "executor/cache_scripts.h"

#include "executor/artifact_scripts.h"

namespace kexsim::executor {
namespace {

// common/buildtest GetCacheRequestTimeout: CACHE_REQUEST_TIMEOUT minutes, 10 by default.
std::string request_timeout(const Job& job) {
  const std::string v = job.variable("CACHE_REQUEST_TIMEOUT");
  return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos ? v : "10";
}

std::string runner_command_line(const std::vector<std::string>& args) {
  std::string out(kRunnerCommand);
  for (const auto& a : args) out += " " + shell_quote(a);
  return out;
}

std::vector<std::string> archiver_args(const JobCache& cache) {
  std::vector<std::string> out;
  for (const auto& p : cache.paths) out.insert(out.end(), {"--path", p});
  if (cache.untracked) out.push_back("--untracked");
  return out;
}

// spec.Cache.CheckPolicy: an empty policy is pull-push.
bool policy_allows(const Job& job, const JobCache& cache, std::string_view direction) {
  const std::string policy = job.expand(cache.policy);
  return policy.empty() || policy == "pull-push" || policy == direction;
}

}  // namespace

std::string cache_key(const Job& job, const JobCache& cache) {
  if (!cache.key.empty()) return job.expand(cache.key);
  return job.job_info.name + "/" + job.git_info.ref;
}

std::string cache_archive_file(const ScriptContext& ctx, std::string_view key) {
  // common/build.go: CacheDir is /cache (the Kubernetes executor's DefaultCacheDir) plus the project
  // slug; newCacheConfig makes <CacheDir>/<key>/cache.zip relative to the build directory.
  std::string up;
  for (char c : ctx.project_dir)
    if (c == '/') up += "../";
  const std::string project = ctx.job ? ctx.job->job_info.project_full_path : std::string();
  return up + "cache/" + project + "/" + std::string(key) + "/cache.zip";
}

std::optional<StageScript> restore_cache_script(const ScriptContext& ctx) {
  if (!ctx.job) return std::nullopt;
  const Job& job = *ctx.job;
  bool any = false;
  std::string body = "cd " + shell_quote(ctx.project_dir) + "\n";
  for (const auto& cache : job.cache) {
    if (archiver_args(cache).empty()) continue;
    any = true;
    const std::string key = cache_key(job, cache);
    if (!policy_allows(job, cache, "pull")) {
      body += notice_line("Not downloading cache " + key + " due to policy");
      continue;
    }
    // shells/abstract.go writeCacheExtractCmd: "Checking cache for %s...", then "Successfully extracted cache" or
    // Warningf("Failed to extract cache").
    std::string extract = notice_line("Checking cache for " + key + "...");
    extract += "if " +
               runner_command_line(
                   {"cache-extractor", "--file", cache_archive_file(ctx, key), "--timeout", request_timeout(job)}) +
               "; then\n";
    extract += notice_line("Successfully extracted cache");
    extract += "else\n";
    extract += warning_line("Failed to extract cache");
    extract += "fi\n";
    body += guard_runner_command(ctx.profile, "Extracting cache", extract);
  }
  if (!any) return std::nullopt;
  return stage_with_preamble("restore_cache", "helper", ctx, body);
}

std::optional<StageScript> archive_cache_script(const ScriptContext& ctx, bool on_success) {
  if (!ctx.job) return std::nullopt;
  const Job& job = *ctx.job;
  bool any = false;
  std::string body = "cd " + shell_quote(ctx.project_dir) + "\n";
  for (const auto& cache : job.cache) {
    if (!when_applies(cache.when, on_success)) continue;
    const std::vector<std::string> paths = archiver_args(cache);
    if (paths.empty()) continue;
    any = true;
    const std::string key = cache_key(job, cache);
    if (!policy_allows(job, cache, "push")) {
      body += notice_line("Not uploading cache " + key + " due to policy");
      continue;
    }
    std::vector<std::string> args = {"cache-archiver", "--file", cache_archive_file(ctx, key), "--timeout",
                                     request_timeout(job)};
    args.insert(args.end(), paths.begin(), paths.end());
    // shells/abstract.go addCacheUploadCommand: Noticef("Creating cache %s...", ...), then Noticef("Created cache").
    std::string create = notice_line("Creating cache " + key + "...");
    create += "if " + runner_command_line(args) + "; then\n";
    create += notice_line("Created cache");
    create += "else\n";
    create += warning_line("Failed to create cache");
    create += "fi\n";
    body += guard_runner_command(ctx.profile, "Creating cache", create);
  }
  if (!any) return std::nullopt;
  return stage_with_preamble(on_success ? "archive_cache" : "archive_cache_on_failure", "helper", ctx, body);
}

}  // namespace kexsim::executor

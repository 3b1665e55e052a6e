#include "executor/artifact_scripts.h"

#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// The shell writer's Command: every argument quoted.
std::string command_line(const std::vector<std::string>& args) {
  std::string out = std::string(kRunnerCommand);
  for (const auto& a : args) out += " " + shell_quote(a);
  return out + "\n";
}

std::string cd_project(const ScriptContext& ctx) { return "cd " + shell_quote(ctx.project_dir) + "\n"; }

}  // namespace

std::string guard_runner_command(Profile p, std::string_view action, const std::string& body) {
  std::string out = if_cmd_line(p, std::string(kRunnerCommand) + " --version");
  out += body;
  out += "else\n";
  out += warning_line("Missing " + std::string(kRunnerCommand) + ". " + std::string(action) + " is disabled.");
  out += "fi\n";
  return out;
}

bool when_applies(std::string_view when, bool on_success) {
  if (when == "always") return true;
  if (on_success) return when.empty() || when == "on_success";
  return when == "on_failure";
}

std::optional<StageScript> download_artifacts_script(const ScriptContext& ctx) {
  if (!ctx.job) return std::nullopt;
  std::string commands;
  for (const auto& dep : ctx.job->dependencies) {
    if (dep.artifacts_filename.empty()) continue;
    // shells/abstract.go downloadArtifacts: Noticef("Downloading artifacts for %s (%d)...", job.Name, job.ID).
    commands += notice_line("Downloading artifacts for " + dep.name + " (" + std::to_string(dep.id) + ")...");
    commands += command_line(
        {"artifacts-downloader", "--url", ctx.runner_url, "--token", dep.token, "--id", std::to_string(dep.id)});
  }
  if (commands.empty()) return std::nullopt;
  return stage_with_preamble("download_artifacts", "helper", ctx,
                             cd_project(ctx) + guard_runner_command(ctx.profile, "Artifacts downloading", commands));
}

std::optional<StageScript> upload_artifacts_script(const ScriptContext& ctx, bool on_success) {
  if (!ctx.job || ctx.runner_url.empty()) return std::nullopt;
  const Job& job = *ctx.job;
  std::string body;
  for (const auto& a : job.artifacts) {
    if (!when_applies(a.when, on_success)) continue;
    std::vector<std::string> archiver;
    for (const auto& p : a.paths) archiver.insert(archiver.end(), {"--path", p});
    for (const auto& e : a.exclude) archiver.insert(archiver.end(), {"--exclude", e});
    if (a.untracked) archiver.push_back("--untracked");
    if (archiver.empty()) continue;
    std::vector<std::string> args = {"artifacts-uploader",  "--url", ctx.runner_url, "--token", job.token, "--id",
                                     std::to_string(job.id)};
    if (artifact_upload_timeout_flags(ctx.profile)) {
      // common/config.go DefaultArtifactUploadTimeout and DefaultArtifactResponseHeaderTimeout, as Go prints them.
      args.insert(args.end(), {"--timeout", "1h0m0s", "--response-header-timeout", "10m0s"});
    }
    args.insert(args.end(), archiver.begin(), archiver.end());
    if (!a.name.empty()) args.insert(args.end(), {"--name", a.name});
    if (!a.expire_in.empty()) args.insert(args.end(), {"--expire-in", a.expire_in});
    if (!a.artifact_format.empty()) args.insert(args.end(), {"--artifact-format", a.artifact_format});
    if (!a.artifact_type.empty()) args.insert(args.end(), {"--artifact-type", a.artifact_type});
    body += guard_runner_command(ctx.profile, "Uploading artifacts",
                                 notice_line("Uploading artifacts...") + command_line(args));
  }
  if (body.empty()) return std::nullopt;
  return stage_with_preamble(on_success ? "upload_artifacts_on_success" : "upload_artifacts_on_failure", "helper", ctx,
                             cd_project(ctx) + body);
}

}  // namespace kexsim::executor

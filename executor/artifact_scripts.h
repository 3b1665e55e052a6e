#pragma once
// The stage scripts around the user's: download_artifacts before them, upload_artifacts_on_success /
// on_failure after them (shells/abstract.go writeDownloadArtifactsScript, writeUploadArtifactsScript).
// Each runs the helper's own commands in the helper container; nullopt means the runner skips the stage
// (common.ErrSkipBuildStage: no section in the log).

#include <optional>
#include <string>
#include <string_view>

#include "executor/scripts.h"

namespace kexsim::executor {

/// The helper binary the Kubernetes executor's shell scripts call (executors/kubernetes RunnerCommand).
inline constexpr std::string_view kRunnerCommand = "/usr/bin/gitlab-runner-helper";

/// The download_artifacts section title (common/build.go GetStageHeader... stage names).
inline constexpr std::string_view kDownloadArtifactsTitle = "Downloading artifacts";
/// "Uploading artifacts for successful job" / "... for failed job".
inline std::string upload_artifacts_title(bool on_success) {
  return on_success ? "Uploading artifacts for successful job" : "Uploading artifacts for failed job";
}

/// download_artifacts: artifacts-downloader for each dependency that has an artifacts file.
std::optional<StageScript> download_artifacts_script(const ScriptContext& ctx);

/// upload_artifacts_on_success (on_success) or upload_artifacts_on_failure: artifacts-uploader for
/// each artifacts entry whose `when` matches and that names paths (or untracked).
std::optional<StageScript> upload_artifacts_script(const ScriptContext& ctx, bool on_success);

/// Whether an artifact or cache `when` applies after a job that succeeded (on_success) or failed.
bool when_applies(std::string_view when, bool on_success);

/// guardRunnerCommand: `body` only where the helper binary answers --version, else the warning that
/// `action` ("Artifacts downloading", "Creating cache ...") is disabled.
std::string guard_runner_command(Profile p, std::string_view action, const std::string& body);

}  // namespace kexsim::executor

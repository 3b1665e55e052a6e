#pragma once
// The job variables that shape get_sources and the scripts' tracing, read as each release reads them:
// GIT_STRATEGY, GIT_CHECKOUT, GIT_SUBMODULE_STRATEGY / _PATHS / _DEPTH / _UPDATE_FLAGS,
// GIT_FETCH_EXTRA_FLAGS, GIT_LFS_SKIP_SMUDGE and CI_DEBUG_TRACE (with the runner's debug_trace_disabled).

#include <string>
#include <vector>

#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// GIT_STRATEGY (common/build_settings.go GitStrategy).
enum class GitStrategy { kClone, kFetch, kNone, kEmpty };
/// GIT_SUBMODULE_STRATEGY; kInvalid makes get_sources fail ("unknown GIT_SUBMODULE_STRATEGY").
enum class SubmoduleStrategy { kNone, kNormal, kRecursive, kInvalid };

/// What get_sources and the stage scripts need from the job's variables.
struct GitSettings {
  GitStrategy strategy = GitStrategy::kFetch;
  SubmoduleStrategy submodules = SubmoduleStrategy::kNone;
  bool checkout = true;                                        ///< GIT_CHECKOUT (false for none/empty)
  std::vector<std::string> fetch_flags{"--prune", "--quiet"};  ///< GIT_FETCH_EXTRA_FLAGS
  std::vector<std::string> submodule_paths;                    ///< GIT_SUBMODULE_PATHS (14.0)
  std::vector<std::string> submodule_update_flags;             ///< GIT_SUBMODULE_UPDATE_FLAGS (14.8)
  int submodule_depth = 0;                                     ///< GIT_SUBMODULE_DEPTH (15.5), else GIT_DEPTH
  bool submodule_force_https =
      false;  ///< GIT_SUBMODULE_FORCE_HTTPS (15.11+: the SSH forms among the insteadOf rewrites)
  bool lfs_skip_smudge = false;        ///< GIT_LFS_SKIP_SMUDGE: the job leaves LFS alone (no export, no `git lfs pull`)
  bool debug_trace = false;            ///< CI_DEBUG_TRACE, after debug_trace_disabled
  /// CI_DEBUG_SERVICES (15.6+), after debug_trace_disabled (16.9+): stream the services' logs into the job log.
  bool debug_services = false;
  /// 16.9+ settings errors of these variables in validateVariables' order (they come before the
  /// attempts' in printSettingErrors' one WARNING).
  std::vector<std::string> errors;
  /// CI_DEBUG_TRACE asked for on a runner with debug_trace_disabled: 16.9+'s settings error
  /// (validateDebugTraceSettings, after the attempts' parse errors), 13.12's warning line, which
  /// IsDebugTraceEnabled prints each time a stage script is generated. Empty when not refused.
  std::string debug_trace_refused;
  /// CI_DEBUG_SERVICES asked for on a runner with debug_trace_disabled (16.9+ settings error, after
  /// CI_DEBUG_TRACE's). Empty when not refused.
  std::string debug_services_refused;
  /// 15.6-16.8: a CI_DEBUG_SERVICES that strconv.ParseBool refuses, the warning captureContainersLogs
  /// prints (IsCIDebugServiceEnabled; its earlier call, before the build logger exists, prints nothing).
  std::string debug_services_parse_warning;
};

/// Reads the job's variables as release p does; debug_trace_disabled is [[runners]] debug_trace_disabled.
GitSettings read_git_settings(const Job& job, Profile p, bool debug_trace_disabled);

/// The error script generation returns for this job's get_sources (13.12 and 19.4 alike: an unknown
/// GIT_SUBMODULE_STRATEGY), or empty. The build fails with it before the stage's section starts.
std::string get_sources_generation_error(const GitSettings& settings);

}  // namespace kexsim::executor

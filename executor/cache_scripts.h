#pragma once
// The cache stages of a runner without [runners.cache]: restore_cache before the user scripts and
// archive_cache / archive_cache_on_failure after them (shells/abstract.go cacheExtractor,
// archiveCache). The archive is local to the pod (/cache/<project>/<key>/cache.zip).

#include <optional>
#include <string>
#include <string_view>

#include "executor/scripts.h"

namespace kexsim::executor {

/// The restore_cache section title.
// common/build.go GetStageDescription: BuildStageRestoreCache (and BuildStageArchiveOnSuccessCache below).
inline constexpr std::string_view kRestoreCacheTitle = "Restoring cache";
/// "Saving cache for successful job" / "Saving cache for failed job".
inline std::string archive_cache_title(bool on_success) {
  return on_success ? "Saving cache for successful job" : "Saving cache for failed job";
}

/// The cache key the runner uses: the payload's (expanded), or "<job name>/<ref>" when empty.
std::string cache_key(const Job& job, const JobCache& cache);

/// Where a key's local archive lives, relative to the project directory (the runner passes it so).
std::string cache_archive_file(const ScriptContext& ctx, std::string_view key);

/// restore_cache: cache-extractor for each cache whose policy pulls; nullopt: no cache has paths.
std::optional<StageScript> restore_cache_script(const ScriptContext& ctx);

/// archive_cache (on_success) or archive_cache_on_failure: cache-archiver for each cache whose
/// `when` and policy let it push; nullopt: nothing to archive.
std::optional<StageScript> archive_cache_script(const ScriptContext& ctx, bool on_success);

}  // namespace kexsim::executor

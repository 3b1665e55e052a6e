#pragma once
// Models of the helper's local cache commands (`gitlab-runner-helper cache-extractor` and
// `cache-archiver`, commands/helpers/cache_*.go upstream) for a runner without [runners.cache]:
// the archive lives in the pod's /cache and goes with the pod.

namespace kexsim::fakes::shell {

struct ToolContext;

/// `gitlab-runner-helper cache-extractor --file F ...`: unzips F into the working directory.
int cache_extractor(ToolContext& ctx);
/// `gitlab-runner-helper cache-archiver --file F --path P ...`: zips what the paths match into F.
int cache_archiver(ToolContext& ctx);

}  // namespace kexsim::fakes::shell

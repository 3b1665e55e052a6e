#include "fakes/runtime/cache_tool.h"

#include "fakes/runtime/artifacts_tool.h"
#include "fakes/runtime/tools.h"
#include "fakes/runtime/zip_archive.h"

namespace kexsim::fakes::shell {
namespace {

// ---- wording keyed by the helper's release (mirror: git show vX.Y.0:commands/helpers/cache_*.go) ----
// 14.10: "cache will not be uploaded" (13.12 says "cache will be not uploaded").
bool says_will_not_be(HelperRelease r) { return r.at_least(14, 10); }
// 16.10: a missing local archive is "WARNING: Cache file does not exist" and exit 1 (before: silent success).
bool missing_archive_fails(HelperRelease r) { return r.at_least(16, 10); }
// 18.11: nothing matched is "WARNING: No files to cache." and no archive (before: an empty one).
bool warns_no_files(HelperRelease r) { return r.at_least(18, 11); }

// The value after --name (the last one), or "".
std::string flag(const ToolContext& ctx, const std::string& name) {
  std::string out;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (ctx.args[i] == "--" + name && i + 1 < ctx.args.size()) out = ctx.args[++i];
    if (ctx.args[i].rfind("--" + name + "=", 0) == 0) out = ctx.args[i].substr(name.size() + 3);
  }
  return out;
}

std::vector<std::string> flags(const ToolContext& ctx, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 2; i + 1 < ctx.args.size(); ++i)
    if (ctx.args[i] == "--" + name) out.push_back(ctx.args[++i]);
  return out;
}

}  // namespace

int cache_extractor(ToolContext& ctx) {
  const HelperRelease release = helper_release_of(ctx.session.world.image());
  const std::string file = flag(ctx, "file");
  if (file.empty()) {
    ctx.err(
        helper_log_line(missing_archive_fails(release) ? LogLevel::kWarning : LogLevel::kFatal, "Missing cache file"));
    return 1;
  }
  ctx.err(helper_log_line(LogLevel::kInfo,
                          // commands/helpers/cache_extractor.go Execute (and "Cache file does not exist" below).
                          "No URL provided, cache will not be downloaded from shared cache server. Instead a local "
                          "version of cache will be extracted."));
  const File* archive = ctx.session.fs.file(ctx.path(file));
  if (!archive) {
    if (!missing_archive_fails(release)) return 0;
    ctx.err(helper_log_line(LogLevel::kWarning, "Cache file does not exist"));
    return 1;
  }
  auto entries = zip_read(archive->content);
  if (!entries) {
    ctx.err(helper_log_line(LogLevel::kFatal, entries.error().message));
    return 1;
  }
  for (const auto& e : *entries) {
    const std::string path = ctx.path(e.name);
    if (e.directory())
      ctx.session.fs.make_dir(path);
    else
      ctx.session.fs.write(path, e.content, false);
  }
  return 0;
}

int cache_archiver(ToolContext& ctx) {
  const HelperRelease release = helper_release_of(ctx.session.world.image());
  const std::string file = flag(ctx, "file");
  if (file.empty()) {
    ctx.err(helper_log_line(LogLevel::kFatal, "Missing --file"));
    return 1;
  }
  const ArchiveSelection selection = select_files(ctx.session.fs, ctx.env.cwd, flags(ctx, "path"), {}, release);
  ctx.err(selection.log);
  if (selection.files.empty() && warns_no_files(release)) {
    ctx.err(helper_log_line(LogLevel::kWarning, "No files to cache."));
    return 0;
  }
  std::vector<ZipEntry> entries;
  for (const auto& f : selection.files) {
    const File* content = ctx.session.fs.file(ctx.env.cwd + "/" + f);
    entries.push_back(ZipEntry{f, content ? content->content : std::string()});
  }
  const std::string zip = zip_store(entries);
  const std::string path = ctx.path(file);
  if (const File* old = ctx.session.fs.file(path); old && old->content == zip) {
    ctx.err(helper_log_line(LogLevel::kInfo, "Archive is up to date!"));
    return 0;
  }
  ctx.session.fs.write(path, zip, false);
  // commands/helpers/cache_archiver.go uploadArchiveIfNeeded.
  ctx.err(helper_log_line(LogLevel::kInfo, says_will_not_be(release)
                                               ? "No URL provided, cache will not be uploaded to shared cache server. "
                                                 "Cache will be stored only locally."
                                               : "No URL provided, cache will be not uploaded to shared cache server. "
                                                 "Cache will be stored only locally."));
  return 0;
}

}  // namespace kexsim::fakes::shell

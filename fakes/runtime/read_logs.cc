#include "fakes/runtime/read_logs.h"

#include <charconv>

#include "fakes/runtime/artifacts_tool.h"
#include "fakes/runtime/cache_tool.h"
#include "fakes/runtime/health_check_tool.h"
#include "fakes/runtime/tools.h"

namespace kexsim::fakes::read_logs {

std::optional<Duration> parse_go_duration(std::string_view text) {
  // time.ParseDuration for the unsigned forms a runner prints: digits with a unit, repeated.
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;
  int64_t micros = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() + i) return std::nullopt;
    i = static_cast<size_t>(end - text.data());
    int64_t unit = 0;
    if (text.substr(i, 2) == "ms") {
      unit = 1000;
      i += 2;
    } else if (text.substr(i, 2) == "us") {
      unit = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit = 1000000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit = 60000000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit = 3600000000LL;
      ++i;
    } else {
      return std::nullopt;
    }
    micros += value * unit;
  }
  return Duration{micros};
}

Result<Args> parse_args(const std::vector<std::string>& args) {
  Args out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.erase(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    if (name == "--path") {
      out.path = value;
    } else if (name == "--offset") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out.offset);
      if (ec != std::errc() || end != value.data() + value.size())
        return make_error("invalid value \"" + value + "\" for flag -offset");
    } else if (name == "--wait-file-timeout") {
      auto d = parse_go_duration(value);
      if (!d) return make_error("invalid value \"" + value + "\" for flag -wait-file-timeout");
      out.wait_file_timeout = *d;
    } else {
      return make_error("flag provided but not defined: " + name);
    }
  }
  return out;
}

int open_attempts(Duration wait_file_timeout) { return static_cast<int>(wait_file_timeout / kCheckFileInterval); }

std::string format_from(std::string_view content, int64_t& offset) {
  std::string out;
  if (offset < 0) offset = 0;
  size_t at = static_cast<size_t>(offset);
  while (at < content.size()) {
    // bufio.Reader.ReadSlice('\n'): up to the newline, a full buffer, or what is there.
    const size_t newline = content.find('\n', at);
    size_t end = newline == std::string_view::npos ? content.size() : newline + 1;
    if (end - at > kReaderBufferSize) end = at + kReaderBufferSize;
    std::string_view slice = content.substr(at, end - at);
    at = end;
    out += std::to_string(at) + " ";
    out += slice;
    if (slice.back() != '\n') out += '\n';
  }
  offset = static_cast<int64_t>(at);
  return out;
}

std::string error_line(const std::string& path, std::string_view error) {
  return "error reading logs from " + path + ": " + std::string(error) + "\n";
}

}  // namespace kexsim::fakes::read_logs

namespace kexsim::fakes::shell {
namespace {

// `gitlab-runner-helper read-logs` run inside a script: the shell model runs it in one go, so it
// prints what the file holds and ends (the real one follows the file; the exec layer does that).
int tool_gitlab_runner_helper(ToolContext& ctx) {
  if (ctx.args.size() >= 2 && ctx.args[1] == "artifacts-uploader") return artifacts_uploader(ctx);
  if (ctx.args.size() >= 2 && ctx.args[1] == "artifacts-downloader") return artifacts_downloader(ctx);
  if (ctx.args.size() >= 2 && ctx.args[1] == "cache-extractor") return cache_extractor(ctx);
  if (ctx.args.size() >= 2 && ctx.args[1] == "cache-archiver") return cache_archiver(ctx);
  if (ctx.args.size() >= 2 && ctx.args[1] == "health-check") return health_check(ctx);
  if (ctx.args.size() >= 2 && ctx.args[1] == "--version") return 0;  // guardRunnerCommand's probe
  if (ctx.args.size() < 2 || ctx.args[1] != "read-logs") {
    // kexsim's own words: no other helper command is modelled.
    ctx.err("gitlab-runner-helper: only read-logs is modelled by kexsim\n");
    return 1;
  }
  auto args = read_logs::parse_args({ctx.args.begin() + 2, ctx.args.end()});
  if (!args) {
    ctx.err("Incorrect Usage: " + args.error().message + "\n");
    return 1;
  }
  const int attempts = read_logs::open_attempts(args->wait_file_timeout);
  if (attempts < 1) {
    ctx.out(read_logs::error_line(args->path, read_logs::kNoAttempts));
    return 1;
  }
  const std::string path = ctx.path(args->path);
  for (int i = 0; i < attempts && !ctx.session.fs.is_file(path); ++i) ctx.session.now += read_logs::kCheckFileInterval;
  const File* file = ctx.session.fs.file(path);
  if (!file) {
    ctx.out(read_logs::error_line(args->path, read_logs::kWaitingFileTimeout));
    return 1;
  }
  int64_t offset = args->offset;
  ctx.out(read_logs::format_from(file->content, offset));
  return 0;
}

}  // namespace

void add_helper_tool(ToolTable& table) {
  table["gitlab-runner-helper"] = {tool_gitlab_runner_helper, ToolTier::kModel};
}

}  // namespace kexsim::fakes::shell

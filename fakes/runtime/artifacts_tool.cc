#include "fakes/runtime/artifacts_tool.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "base/hash.h"
#include "base/strings.h"
#include "fakes/runtime/pattern.h"
#include "fakes/runtime/tools.h"
#include "fakes/runtime/url.h"
#include "fakes/runtime/zip_archive.h"

namespace kexsim::fakes::shell {
namespace {

constexpr const char* kReset = "\033[0;m";
// Each request the model sends takes this long on the pod's wire (an archive of a few files).
constexpr Duration kRequestCost = std::chrono::milliseconds(200);

// ---- wording keyed by the helper's release (mirror: git show vX.Y.0:<file>) ----------------------
// 14.7 network/gitlab.go determineUploadState: "... 201 Created" (res.Status) instead of "... ok".
bool upload_says_status_text(HelperRelease r) { return r.at_least(14, 7); }
// 15.5 commands/helpers/file_archiver.go: "no matching files. Ensure that the artifact path is relative ...".
bool no_match_explains_paths(HelperRelease r) { return r.at_least(15, 5); }
// 15.8 file_archiver.go: "found %d matching artifact files and directories" (was "matching files").
bool found_says_artifact_files(HelperRelease r) { return r.at_least(15, 8); }
// 18.6 network/gitlab.go UploadRawArtifacts: a correlation_id field (X-Request-Id of the answer).
bool logs_correlation_id(HelperRelease r) { return r.at_least(18, 6); }
// 19.0 network/gitlab.go: labkit's fields.HTTPStatusCode ("status", the number) replaces responseStatus.
bool logs_status_code(HelperRelease r) { return r.at_least(19, 0); }
// 18.10 network/client.go do(): "execute request: %w" around the transport's error.
bool wraps_execute_request(HelperRelease r) { return r.at_least(18, 10); }
// Go 1.20 (runner 16.0's toolchain): "tls: failed to verify certificate: " before x509's text.
bool tls_verify_prefix(HelperRelease r) { return r.at_least(16, 0); }

std::string status_text(int code) {
  static const std::map<int, std::string> texts = {{200, "OK"},
                                                   {201, "Created"},
                                                   {400, "Bad Request"},
                                                   {401, "Unauthorized"},
                                                   {403, "Forbidden"},
                                                   {404, "Not Found"},
                                                   {413, "Request Entity Too Large"},
                                                   {429, "Too Many Requests"},
                                                   {500, "Internal Server Error"},
                                                   {502, "Bad Gateway"},
                                                   {503, "Service Unavailable"},
                                                   {504, "Gateway Timeout"}};
  auto it = texts.find(code);
  return std::to_string(code) + (it == texts.end() ? std::string() : " " + it->second);
}

// Go-flags style options: "--name value" or "--name=value"; repeatable ones collect every value.
struct Flags {
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> switches;
  std::string error;

  Flags(const std::vector<std::string>& args, size_t from, const std::set<std::string>& booleans) {
    for (size_t i = from; i < args.size(); ++i) {
      std::string name = args[i];
      if (name.rfind("--", 0) != 0) continue;
      name = name.substr(2);
      if (booleans.count(name)) {
        switches.insert(name);
        continue;
      }
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        values[name.substr(0, eq)].push_back(name.substr(eq + 1));
      } else if (i + 1 < args.size()) {
        values[name].push_back(args[++i]);
      } else {
        error = "expected argument for flag `--" + name + "'";
      }
    }
  }
  std::string one(const std::string& name, std::string fallback = {}) const {
    auto it = values.find(name);
    return it == values.end() || it->second.empty() ? fallback : it->second.back();
  }
  std::vector<std::string> all(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
  }
};

bool has_glob(const std::string& s) { return s.find_first_of("*?[{") != std::string::npos; }

// doublestar glob of a relative pattern below root (absolute); matches are relative, sorted.
void glob_walk(const FileSystem& fs, const std::string& root, const std::vector<std::string>& segments, size_t at,
               const std::string& rel, std::set<std::string>& out) {
  const std::string here = rel.empty() ? root : root + "/" + rel;
  if (at == segments.size()) {
    if (fs.exists(here)) out.insert(rel.empty() ? "." : rel);
    return;
  }
  const std::string& seg = segments[at];
  if (seg == "**") {
    glob_walk(fs, root, segments, at + 1, rel, out);  // zero directories
    if (!fs.is_dir(here)) return;
    for (const auto& name : fs.list(here)) {
      const std::string child = rel.empty() ? name : rel + "/" + name;
      if (fs.is_dir(root + "/" + child)) glob_walk(fs, root, segments, at, child, out);
      if (at + 1 == segments.size()) out.insert(child);
    }
    return;
  }
  if (!has_glob(seg)) {
    glob_walk(fs, root, segments, at + 1, rel.empty() ? seg : rel + "/" + seg, out);
    return;
  }
  if (!fs.is_dir(here)) return;
  for (const auto& name : fs.list(here)) {
    if (!pattern_match(seg, name)) continue;
    glob_walk(fs, root, segments, at + 1, rel.empty() ? name : rel + "/" + name, out);
  }
}

// filepath.Walk: the root, then everything below it in lexical order.
void walk(const FileSystem& fs, const std::string& wd, const std::string& rel, std::vector<std::string>& out) {
  out.push_back(rel);
  const std::string abs = rel == "." ? wd : wd + "/" + rel;
  if (!fs.is_dir(abs)) return;
  for (const auto& name : fs.list(abs)) walk(fs, wd, rel == "." ? name : rel + "/" + name, out);
}

bool excluded(const std::string& rel, const std::vector<std::string>& excludes) {
  for (const auto& e : excludes) {
    std::string pattern = e;
    if (pattern.rfind("./", 0) == 0) pattern = pattern.substr(2);
    // doublestar.Match: ** spans directories; the model's shell patterns already let * cross '/'.
    std::string flat;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (pattern.compare(i, 3, "**/") == 0) {
        flat += "*";
        i += 2;
      } else {
        flat += pattern[i];
      }
    }
    if (pattern_match(flat, rel)) return true;
  }
  return false;
}

std::string query_escape(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// What one request to GitLab from the pod gave: the reply, or Go's error text.
struct Exchange {
  std::optional<HttpReply> reply;
  std::string error;
};

Exchange send(ToolContext& ctx, const std::string& method, const Url& base, const std::string& target,
              std::vector<std::pair<std::string, std::string>> headers, const std::string& body,
              HelperRelease release) {
  Exchange out;
  TlsOptions trust;
  // The helper trusts the system store plus CI_SERVER_TLS_CA_FILE (JobCredentials.TLSCAFile).
  if (const std::string* ca = ctx.env.get("CI_SERVER_TLS_CA_FILE"); ca && !ca->empty())
    if (auto pem = ctx.session.read_file(ctx.path(*ca))) trust.extra_pems.push_back(*pem);
  Connected connected = ctx.session.world.open(base.host, base.port, base.tls() ? &trust : nullptr);
  ctx.session.now += connected.outcome.elapsed;
  const std::string url =
      base.scheme + "://" + base.host + (base.explicit_port ? ":" + std::to_string(base.port) : "") + target;
  std::string method_word = method;
  for (size_t i = 1; i < method_word.size(); ++i) method_word[i] = static_cast<char>(std::tolower(method_word[i]));
  const std::string prefix =
      (wraps_execute_request(release) ? "execute request: " : "") + method_word + " \"" + url + "\": ";
  if (connected.outcome.kind != ConnectOutcome::Kind::kOk || !connected.connection) {
    out.error = prefix + go_dial_error(connected.outcome, base.host, base.port, release);
    return out;
  }
  headers.emplace_back("User-Agent", "gitlab-runner-helper");
  auto reply = http_exchange(*connected.connection, method, base, target, headers, body);
  ctx.session.now += kRequestCost;
  if (!reply) {
    out.error = prefix + "EOF";
    return out;
  }
  out.reply = std::move(*reply);
  return out;
}

// GitLab's JSON {"message": ...} for a failed request, else the status line (network/client.go).
std::string reply_message(const HttpReply& reply) {
  if (reply.status >= 200 && reply.status <= 299) return status_text(reply.status);
  const std::string& b = reply.body;
  const size_t key = b.find("\"message\":\"");
  if (key != std::string::npos) {
    const size_t start = key + 11;
    const size_t end = b.find('"', start);
    if (end != std::string::npos && end > start) return b.substr(start, end - start);
  }
  return status_text(reply.status);
}

struct Credentials {
  std::optional<Url> url;
  std::string token;
  int64_t id = 0;
};

// normalizeArgs: both commands need --url, --token and a positive --id.
std::optional<Credentials> credentials(ToolContext& ctx, const Flags& flags) {
  Credentials c;
  c.token = flags.one("token");
  const std::string url = flags.one("url");
  const std::string id = flags.one("id", "0");
  c.id = std::all_of(id.begin(), id.end(), ::isdigit) && !id.empty() && id.size() < 18 ? std::stoll(id) : 0;
  if (url.empty() || c.token.empty()) {
    ctx.err(helper_log_line(LogLevel::kFatal, "Missing runner credentials"));
    return std::nullopt;
  }
  if (c.id <= 0) {
    ctx.err(helper_log_line(LogLevel::kFatal, "Missing build ID"));
    return std::nullopt;
  }
  c.url = parse_url(url);
  if (!c.url) {
    ctx.err(helper_log_line(LogLevel::kFatal, "parse URL " + url + ": invalid URL"));
    return std::nullopt;
  }
  while (!c.url->path.empty() && c.url->path.back() == '/') c.url->path.pop_back();
  return c;
}

void set_field(std::vector<std::pair<std::string, std::string>>& fields, const std::string& key, std::string value) {
  for (auto& [k, v] : fields)
    if (k == key) {
      v = std::move(value);
      return;
    }
  fields.emplace_back(key, std::move(value));
}

void add_response_fields(std::vector<std::pair<std::string, std::string>>& fields, const Exchange& ex,
                         const std::string& correlation, HelperRelease release) {
  if (logs_correlation_id(release)) {
    std::string id = correlation;
    if (ex.reply) {
      auto it = ex.reply->headers.find("x-request-id");
      if (it != ex.reply->headers.end() && !it->second.empty()) id = it->second;
    }
    fields.emplace_back("correlation_id", id);
  }
  if (!ex.reply) return;
  if (logs_status_code(release))
    fields.emplace_back("status", std::to_string(ex.reply->status));
  else
    fields.emplace_back("responseStatus", status_text(ex.reply->status));
}

}  // namespace

HelperRelease helper_release_of(const std::string& image) {
  HelperRelease r;
  const size_t slash = image.rfind('/');
  const size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
  if (colon == std::string::npos) return r;
  const std::string tag = image.substr(colon + 1);
  // Until 16.8 the tag was the revision (executor/profile.cc lists the offered releases' revisions).
  static const std::map<std::string, HelperRelease> revisions = {
      {"7a6612da", {13, 12}}, {"436955cb", {15, 11}}, {"91a27b2a", {16, 11}}};
  for (const auto& [revision, release] : revisions)
    if (ends_with(tag, revision)) return release;
  const size_t v = tag.rfind("-v");
  if (v == std::string::npos) return r;
  const auto parts = split(tag.substr(v + 2), '.');
  if (parts.size() < 2) return r;
  try {
    return HelperRelease{std::stoi(parts[0]), std::stoi(parts[1])};
  } catch (...) {
    return r;
  }
}

std::string helper_log_line(LogLevel level, const std::string& message,
                            std::vector<std::pair<std::string, std::string>> fields) {
  std::string color, prefix;
  switch (level) {
    case LogLevel::kInfo: break;
    case LogLevel::kWarning:
      color = "\033[0;33m";
      prefix = "WARNING: ";
      break;
    case LogLevel::kError:
      color = "\033[31;1m";
      prefix = "ERROR: ";
      break;
    case LogLevel::kFatal:
      color = "\033[31;1m";
      prefix = "FATAL: ";
      break;
  }
  std::string text = message;
  const size_t width = 50 - prefix.size();
  if (text.size() < width) text += std::string(width - text.size(), ' ');
  std::string out = color + prefix + text + kReset + " ";
  std::sort(fields.begin(), fields.end());
  for (const auto& [k, v] : fields) out += " " + color + k + kReset + "=" + v;
  return out + "\n";
}

std::string shorten_token(const std::string& token, HelperRelease release) {
  if (!release.at_least(17, 9)) return token.substr(0, std::min<size_t>(8, token.size()));
  std::string in = token;
  for (const char* p : {"glrt-", "glrtr-", "glcbt-"})
    if (in.rfind(p, 0) == 0) in = in.substr(std::string(p).size());
  return in.substr(0, std::min<size_t>(9, in.size()));
}

ArchiveSelection select_files(const FileSystem& fs, const std::string& wd, const std::vector<std::string>& paths,
                              const std::vector<std::string>& excludes, HelperRelease release) {
  ArchiveSelection out;
  std::set<std::string> chosen;
  for (const auto& path : paths) {
    if (path.empty()) {
      out.log += helper_log_line(LogLevel::kWarning, "No matching files. Path is empty.");
      continue;
    }
    std::string rel = FileSystem::resolve(wd, path);
    if (rel != wd && rel.rfind(wd + "/", 0) != 0) {
      out.log += helper_log_line(LogLevel::kWarning,
                                 "processPath: artifact path is not a subpath of project directory: " + path);
      continue;
    }
    rel = rel == wd ? std::string() : rel.substr(wd.size() + 1);
    std::set<std::string> matches;
    glob_walk(fs, wd, rel.empty() ? std::vector<std::string>{} : split(rel, '/'), 0, "", matches);
    int found = 0;
    for (const auto& match : matches) {
      std::vector<std::string> walked;
      walk(fs, wd, match, walked);
      for (const auto& w : walked) {
        if (excluded(w, excludes)) continue;
        const bool dir = fs.is_dir(w == "." ? wd : wd + "/" + w);
        if (w != ".") chosen.insert(dir ? w + "/" : w);
        ++found;
      }
    }
    if (found == 0) {
      // commands/helpers/file_archiver.go processPath: "%s: no matching files. Ensure that the artifact path is
      // relative to the working directory (%s)" / "%s: found %d matching artifact files and directories".
      std::string line = path + ": no matching files";
      if (no_match_explains_paths(release))
        line += ". Ensure that the artifact path is relative to the working directory (" + wd + ")";
      out.log += helper_log_line(LogLevel::kWarning, line);
    } else {
      out.log += helper_log_line(LogLevel::kInfo, path + ": found " + std::to_string(found) + " matching " +
                                                      (found_says_artifact_files(release) ? "artifact " : "") +
                                                      "files and directories");
    }
  }
  out.files.assign(chosen.begin(), chosen.end());
  return out;
}

std::string go_dial_error(const ConnectOutcome& o, const std::string& host, int port, HelperRelease release) {
  using Kind = ConnectOutcome::Kind;
  const std::string target = (o.address.empty() ? host : o.address) + ":" + std::to_string(port);
  const std::string verify = tls_verify_prefix(release) ? "tls: failed to verify certificate: " : "";
  switch (o.kind) {
    case Kind::kOk: return {};
    case Kind::kResolveFailed: return "dial tcp: lookup " + host + " on 10.96.0.10:53: no such host";
    case Kind::kRefused: return "dial tcp " + target + ": connect: connection refused";
    case Kind::kUnreachable: return "dial tcp " + target + ": connect: no route to host";
    case Kind::kTimeout: return "dial tcp " + target + ": i/o timeout";
    // Go net/net.go OpError.Error: "<op> <net> <addr>: <err>"; syscall zerrors_linux_amd64.go ECONNRESET: "connection reset by peer".
    case Kind::kTlsReset: return "read tcp " + target + ": read: connection reset by peer";
    case Kind::kTlsUntrusted:
      if (o.tls_detail.find("expired") != std::string::npos)
        return verify + "x509: certificate has expired or is not yet valid";
      return verify + "x509: certificate signed by unknown authority";
    case Kind::kTlsWrongName: return verify + "x509: certificate is not valid for " + host;
  }
  return {};
}

int artifacts_uploader(ToolContext& ctx) {
  const HelperRelease release = helper_release_of(ctx.session.world.image());
  const Flags flags(ctx.args, 2, {"untracked", "generate-artifacts-metadata"});
  auto creds = credentials(ctx, flags);
  if (!creds) return 1;
  const ArchiveSelection selection =
      select_files(ctx.session.fs, ctx.env.cwd, flags.all("path"), flags.all("exclude"), release);
  ctx.err(selection.log);
  if (selection.files.empty()) {
    // commands/helpers/artifacts_uploader.go Run: "No files to upload".
    ctx.err(helper_log_line(LogLevel::kError, "No files to upload"));
    return 0;
  }
  std::vector<ZipEntry> entries;
  for (const auto& f : selection.files) {
    const File* file = ctx.session.fs.file(ctx.env.cwd + "/" + f);
    entries.push_back(ZipEntry{f, file ? file->content : std::string()});
  }
  const std::string format = flags.one("artifact-format", "zip");
  const std::string type = flags.one("artifact-type");
  const std::string filename = flags.one("name", "artifacts") + (format == "gzip" ? ".gz" : "." + format);
  const std::string archive = zip_store(entries);
  const std::string boundary = hex64(fnv1a(ctx.env.cwd + std::to_string(creds->id))) + hex64(fnv1a(archive));
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                           filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + archive + "\r\n--" +
                           boundary + "--\r\n";
  std::string query;
  const auto add = [&](const std::string& k, const std::string& v) {
    if (v.empty()) return;
    query += (query.empty() ? "" : "&") + k + "=" + query_escape(v);
  };
  add("artifact_format", flags.one("artifact-format"));  // url.Values.Encode sorts by key
  add("artifact_type", type);
  add("expire_in", flags.one("expire-in"));
  const std::string target = creds->url->path + "/api/v4/jobs/" + std::to_string(creds->id) + "/artifacts?" + query;
  // network/gitlab.go UploadRawArtifacts: "Uploading artifacts to coordinator..." / "Uploading artifacts as %q to
  // coordinator...".
  const std::string what = type.empty() ? "Uploading artifacts to coordinator..."
                                        : "Uploading artifacts as \"" + type + "\" to coordinator...";
  const std::string correlation = hex64(fnv1a(boundary)) + hex64(fnv1a(target));
  // retry.WithFn: 3 tries for network errors and 5xx (6 for 503), 1s then 2s apart; 403 and 413 end it.
  for (int tries = 1;; ++tries) {
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"JOB-TOKEN", creds->token},
        {"X-Request-Id", correlation},
        {"Content-Type", "multipart/form-data; boundary=" + boundary}};
    const Exchange ex = send(ctx, "POST", *creds->url, target, headers, body, release);
    std::vector<std::pair<std::string, std::string>> fields = {{"id", std::to_string(creds->id)},
                                                               {"token", shorten_token(creds->token, release)}};
    add_response_fields(fields, ex, correlation, release);
    std::string error;
    int max_tries = 3;
    if (!ex.reply) {
      fields.emplace_back("error", ex.error);
      ctx.err(helper_log_line(LogLevel::kError, what + " error", fields));
      error = ex.error;
    } else {
      const int code = ex.reply->status;
      const std::string message = reply_message(*ex.reply);
      if (code == 201) {
        ctx.err(
            helper_log_line(LogLevel::kInfo, what + " " + (upload_says_status_text(release) ? message : "ok"), fields));
        return 0;
      }
      set_field(fields, "status", std::to_string(code));
      const bool old = !upload_says_status_text(release);
      if (code == 403) {
        ctx.err(helper_log_line(LogLevel::kError, what + " " + (old ? "forbidden" : message), fields));
        ctx.err(helper_log_line(LogLevel::kFatal, "permission denied"));
        return 1;
      }
      if (code == 413) {
        ctx.err(helper_log_line(LogLevel::kError, what + " " + (old ? "too large archive" : message), fields));
        ctx.err(helper_log_line(LogLevel::kFatal, "artifacts are too large"));
        return 1;
      }
      if (code == 503) {
        ctx.err(helper_log_line(LogLevel::kError, what + " " + (old ? "service unavailable" : message), fields));
        error = "service unavailable";
        max_tries = 6;
      } else {
        ctx.err(helper_log_line(LogLevel::kWarning, what + " " + (old ? "failed" : message), fields));
        // commands/helpers/artifacts_uploader.go Run.
        error = "upload failed with no response from coordinator";
      }
    }
    if (tries >= max_tries) {
      ctx.err(helper_log_line(LogLevel::kFatal, error));
      return 1;
    }
    ctx.err(helper_log_line(LogLevel::kWarning, "Retrying...", {{"context", "artifacts-uploader"}, {"error", error}}));
    ctx.session.now += std::chrono::seconds(tries == 1 ? 1 : std::min(5, 1 << (tries - 1)));
  }
}

int artifacts_downloader(ToolContext& ctx) {
  const HelperRelease release = helper_release_of(ctx.session.world.image());
  const Flags flags(ctx.args, 2, {"direct-download"});
  auto creds = credentials(ctx, flags);
  if (!creds) return 1;
  const std::string target = creds->url->path + "/api/v4/jobs/" + std::to_string(creds->id) + "/artifacts";
  // network/gitlab.go DownloadArtifacts: "Downloading artifacts from coordinator...".
  const std::string what = "Downloading artifacts from coordinator...";
  const std::string correlation = hex64(fnv1a(target + creds->token));
  const std::vector<std::pair<std::string, std::string>> headers = {{"JOB-TOKEN", creds->token},
                                                                    {"X-Request-Id", correlation}};
  const Exchange ex = send(ctx, "GET", *creds->url, target, headers, "", release);
  std::vector<std::pair<std::string, std::string>> fields = {{"id", std::to_string(creds->id)},
                                                             {"token", shorten_token(creds->token, release)}};
  add_response_fields(fields, ex, correlation, release);
  if (!ex.reply) {
    fields.emplace_back("error", ex.error);
    ctx.err(helper_log_line(LogLevel::kError, what + " error", fields));
    ctx.err(helper_log_line(LogLevel::kFatal, "downloading artifacts from coordinator... error"));
    return 1;
  }
  const int code = ex.reply->status;
  if (code != 200) {
    if (code == 404) {
      ctx.err(helper_log_line(LogLevel::kError, what + " not found", fields));
      ctx.err(helper_log_line(LogLevel::kFatal, "file does not exist"));
    } else if (code == 403 || code == 401) {
      set_field(fields, "status", status_text(code));
      ctx.err(helper_log_line(LogLevel::kError, what + (code == 403 ? " forbidden" : " unauthorized"), fields));
      ctx.err(helper_log_line(LogLevel::kFatal, "permission denied"));
    } else {
      set_field(fields, "status", status_text(code));
      ctx.err(helper_log_line(LogLevel::kWarning, what + " failed", fields));
      ctx.err(helper_log_line(LogLevel::kFatal, "invalid argument"));
    }
    return 1;
  }
  ctx.err(helper_log_line(LogLevel::kInfo, what + " ok", fields));
  auto entries = zip_read(ex.reply->body);
  if (!entries) {
    ctx.err(helper_log_line(LogLevel::kFatal, entries.error().message));
    return 1;
  }
  for (const auto& e : *entries) {
    const std::string path = FileSystem::resolve(ctx.env.cwd, e.name);
    if (e.directory())
      ctx.session.fs.make_dir(path);
    else
      ctx.session.fs.write(path, e.content, false);
  }
  return 0;
}

}  // namespace kexsim::fakes::shell

#include "fakes/gitlab/git_http.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "base/strings.h"
#include "base/zlib.h"
#include "fakes/gitlab/pack.h"

namespace kexsim::fakes {
namespace {

// Gitaly runs git built with GitLab's ".gl" version suffix.
constexpr const char* kAgent = "agent=git/2.45.2.gl1";

std::string chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

HttpResponse git_response(int status, const std::string& content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", content_type);
  // gitprotocol-http: smart responses must not be cached.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.body = std::move(body);
  return r;
}

HttpResponse plain(int status, const std::string& text) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = text;
  return r;
}

}  // namespace

std::string pkt_line(std::string_view payload) {
  char length[5];
  std::snprintf(length, sizeof length, "%04zx", payload.size() + 4);
  return std::string(length, 4) + std::string(payload);
}

Result<std::vector<PktLine>> parse_pkt_lines(std::string_view data) {
  std::vector<PktLine> out;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 4) return make_error("truncated pkt-line length at byte " + std::to_string(pos));
    size_t length = 0;
    for (size_t i = 0; i < 4; ++i) {
      const char c = data[pos + i];
      int v = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (v < 0) return make_error("bad pkt-line length '" + std::string(data.substr(pos, 4)) + "'");
      length = length * 16 + static_cast<size_t>(v);
    }
    if (length == 0) {
      out.push_back({true, ""});
      pos += 4;
      continue;
    }
    // 0001 (delim) and 0002 (response-end) belong to protocol v2 only.
    if (length < 4) return make_error("pkt-line length " + std::to_string(length) + " is not valid in protocol v0");
    if (pos + length > data.size()) return make_error("truncated pkt-line at byte " + std::to_string(pos));
    out.push_back({false, std::string(data.substr(pos + 4, length - 4))});
    pos += length;
  }
  return out;
}

std::optional<GitHttpRoute> git_http_route(const std::string& path) {
  GitHttpRoute route;
  std::string base;
  if (ends_with(path, "/info/refs")) {
    route.kind = GitHttpRoute::Kind::kInfoRefs;
    base = path.substr(0, path.size() - 10);
  } else if (ends_with(path, "/git-upload-pack")) {
    route.kind = GitHttpRoute::Kind::kUploadPack;
    base = path.substr(0, path.size() - 16);
  } else if (ends_with(path, "/git-receive-pack")) {
    route.kind = GitHttpRoute::Kind::kReceivePack;
    base = path.substr(0, path.size() - 17);
  } else {
    return std::nullopt;
  }
  if (ends_with(base, ".git")) base.resize(base.size() - 4);
  while (!base.empty() && base.front() == '/') base.erase(0, 1);
  if (base.empty()) return std::nullopt;
  route.repository = base;
  return route;
}

HttpResponse git_info_refs(const GitRepository& repo, const HttpRequest& request) {
  const std::string service = request.query_value("service");
  if (service != "git-upload-pack") return plain(403, "Forbidden\n");
  std::string body = pkt_line("# service=git-upload-pack\n");
  body += kPktFlush;
  // The capabilities ride on the first ref line after a NUL (gitprotocol-pack "Reference Discovery").
  std::string caps = "shallow no-progress include-tag object-format=sha1";
  const std::string head_ref = GitRepository::full_ref_name(repo.default_branch());
  auto head = repo.refs().find(head_ref);
  if (head != repo.refs().end()) caps += " symref=HEAD:" + head_ref;
  caps += std::string(" ") + kAgent;
  bool first = true;
  auto add = [&](const std::string& id, const std::string& name) {
    body += pkt_line(id + " " + name + (first ? std::string(1, '\0') + caps : std::string()) + "\n");
    first = false;
  };
  if (head != repo.refs().end()) add(head->second, "HEAD");
  for (const auto& [name, id] : repo.refs()) add(id, name);
  // An empty repository advertises the capabilities on a zero-id "capabilities^{}" line.
  if (first) add(std::string(40, '0'), "capabilities^{}");
  body += kPktFlush;
  return git_response(200, "application/x-git-upload-pack-advertisement", std::move(body));
}

HttpResponse git_upload_pack(const GitRepository& repo, const HttpRequest& request) {
  std::string input = request.body;
  if (request.header("content-encoding") == "gzip") {
    auto inflated = zlib_inflate(input, 31);
    if (!inflated) return plain(400, "Bad Request: " + inflated.error().message + "\n");
    input = std::move(*inflated);
  }
  auto lines = parse_pkt_lines(input);
  if (!lines) return plain(400, "Bad Request: " + lines.error().message + "\n");

  std::vector<std::string> wants, haves;
  std::set<std::string> client_shallow;
  int depth = 0;
  bool done = false;
  for (const auto& line : *lines) {
    if (line.flush) continue;
    const std::string text = chomp(line.data);
    if (text.rfind("want ", 0) == 0)
      wants.push_back(text.substr(5, 40));
    else if (text.rfind("have ", 0) == 0)
      haves.push_back(text.substr(5, 40));
    else if (text.rfind("shallow ", 0) == 0)
      client_shallow.insert(text.substr(8, 40));
    else if (text.rfind("deepen ", 0) == 0)
      depth = std::max(0, std::atoi(text.c_str() + 7));
    else if (text == "done")
      done = true;
  }
  const std::string result_type = "application/x-git-upload-pack-result";
  for (const auto& w : wants) {
    // upload-pack only sends what it advertised (without allow-*-sha1-in-want).
    bool advertised = false;
    for (const auto& [name, id] : repo.refs()) advertised |= id == w;
    if (!advertised) return git_response(200, result_type, pkt_line("ERR upload-pack: not our ref " + w + "\n"));
  }
  if (wants.empty()) return git_response(200, result_type, "");

  const GitFetchSet set = repo.fetch_set(wants, depth);
  std::string body;
  if (depth > 0) {
    for (const auto& s : set.shallow)
      if (!client_shallow.count(s)) body += pkt_line("shallow " + s + "\n");
    body += kPktFlush;
  }
  std::string common;
  for (const auto& h : haves)
    if (common.empty() && repo.object(h)) common = h;
  if (!done) {
    // A round without done: answer the haves; the stateless client comes back with done.
    if (!haves.empty())
      body += pkt_line(common.empty() ? "NAK\n" : "ACK " + common + "\n");
    else if (depth == 0)
      body += pkt_line("NAK\n");
    return git_response(200, result_type, std::move(body));
  }
  body += pkt_line(common.empty() ? "NAK\n" : "ACK " + common + "\n");
  // Leave out what the client has: everything reachable from its haves (a shallow client may lack
  // history below its haves, so it gets the full set).
  std::vector<std::string> objects = set.objects;
  if (client_shallow.empty()) {
    std::vector<std::string> known;
    for (const auto& h : haves)
      if (repo.object(h)) known.push_back(h);
    const GitFetchSet had = repo.fetch_set(known, 0);
    const std::set<std::string> skip(had.objects.begin(), had.objects.end());
    objects.erase(std::remove_if(objects.begin(), objects.end(), [&](const std::string& id) { return skip.count(id); }),
                  objects.end());
  }
  auto pack = write_pack(repo, objects);
  if (!pack) return plain(500, "Internal Server Error: " + pack.error().message + "\n");
  body += *pack;
  return git_response(200, result_type, std::move(body));
}

}  // namespace kexsim::fakes

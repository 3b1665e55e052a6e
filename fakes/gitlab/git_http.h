#pragma once
// Git's smart HTTP protocol (v0, stateless RPC) for one repository: the ref advertisement of
// GET <repo>.git/info/refs?service=git-upload-pack and the negotiation and packfile of
// POST <repo>.git/git-upload-pack (Documentation/gitprotocol-http.txt and gitprotocol-pack.txt).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "fakes/gitlab/repository.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// One pkt-line: a flush ("0000") or a payload (newline kept as sent).
struct PktLine {
  bool flush = false;
  std::string data;
};

/// A payload framed as a pkt-line: four hex digits of the total length, then the payload.
std::string pkt_line(std::string_view payload);
/// The flush packet.
inline constexpr std::string_view kPktFlush = "0000";
/// Splits data into pkt-lines; fails on a bad length or a truncated line.
Result<std::vector<PktLine>> parse_pkt_lines(std::string_view data);

/// Which git endpoint a request path names, and for which repository.
struct GitHttpRoute {
  enum class Kind { kInfoRefs, kUploadPack, kReceivePack };
  Kind kind = Kind::kInfoRefs;
  std::string repository;  ///< "root/mycicd" (no .git)
};

/// The git route of a request path ("/root/mycicd.git/info/refs", "/root/mycicd/git-upload-pack"), if any.
std::optional<GitHttpRoute> git_http_route(const std::string& path);

/// Answers GET info/refs: the advertisement for ?service=git-upload-pack (v0; a Git-Protocol
/// version=2 header is ignored, and clients fall back to v0 as real git does).
HttpResponse git_info_refs(const GitRepository& repo, const HttpRequest& request);
/// Answers POST git-upload-pack: shallow-update section when deepen is asked, ACK/NAK, then the pack
/// once the client said done.
HttpResponse git_upload_pack(const GitRepository& repo, const HttpRequest& request);

}  // namespace kexsim::fakes

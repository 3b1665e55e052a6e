// The fake GitLab's git side: real object ids, pkt-lines, the ref advertisement, upload-pack's
// negotiation and the packfile it sends.

#include "fakes/gitlab/git_http.h"

#include <gtest/gtest.h>

#include "base/zlib.h"
#include "fakes/gitlab/pack.h"
#include "fakes/gitlab/repository.h"

namespace kexsim::fakes {
namespace {

// What git 2.39 itself computes for README.md "# mycicd\n" committed by Administrator
// <admin@example.com> at 1767225600 +0000 with the message "Initial commit".
constexpr const char* kMasterCommit = "0c8d760c977b90b544d76106c02fbf3cd0ff984d";

HttpRequest git_request(const std::string& method, const std::string& path, std::string body = {}) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.target = path;
  r.body = std::move(body);
  if (method == "GET") r.query.emplace_back("service", "git-upload-pack");
  return r;
}

uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
  return v;
}

TEST(GitRepositoryTest, CommitsAreTheOnesRealGitMakes) {
  GitRepository repo("root/mycicd", "master");
  EXPECT_EQ(repo.ensure_ref("master"), kMasterCommit);
  // `printf 'hello\n' | git hash-object --stdin`
  EXPECT_EQ(sha1_hex(std::string("blob 6") + '\0' + "hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  const std::string feature = repo.ensure_ref("feature");
  EXPECT_NE(feature, kMasterCommit);
  EXPECT_NE(repo.object(feature)->data.find(std::string("parent ") + kMasterCommit), std::string::npos);
  EXPECT_EQ(repo.ensure_ref("refs/heads/feature"), feature);
  EXPECT_EQ(repo.refs().size(), 2u);
}

TEST(GitRepositoryTest, FetchSetHonoursDepth) {
  GitRepository repo("root/mycicd", "master");
  const std::string feature = repo.ensure_ref("feature");
  const GitFetchSet all = repo.fetch_set({feature}, 0);
  EXPECT_EQ(all.objects.size(), 6u);  // 2 commits, 2 trees, 2 blobs
  EXPECT_TRUE(all.shallow.empty());
  const GitFetchSet one = repo.fetch_set({feature}, 1);
  EXPECT_EQ(one.objects.size(), 3u);
  EXPECT_EQ(one.shallow, std::vector<std::string>{feature});
  // A root commit cut at depth 1 has no parent to hide: nothing is shallow.
  EXPECT_TRUE(repo.fetch_set({kMasterCommit}, 1).shallow.empty());
}

TEST(PktLineTest, FramesAndParses) {
  EXPECT_EQ(pkt_line("done\n"), "0009done\n");
  EXPECT_EQ(pkt_line(""), "0004");
  auto lines = parse_pkt_lines("0009done\n00000006a\n");
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ((*lines)[0].data, "done\n");
  EXPECT_TRUE((*lines)[1].flush);
  EXPECT_EQ((*lines)[2].data, "a\n");
  EXPECT_EQ(parse_pkt_lines("00zz").error().message, "bad pkt-line length '00zz'");
  EXPECT_EQ(parse_pkt_lines("0010short").error().message, "truncated pkt-line at byte 0");
  EXPECT_EQ(parse_pkt_lines("0001").error().message, "pkt-line length 1 is not valid in protocol v0");
  EXPECT_EQ(parse_pkt_lines("00").error().message, "truncated pkt-line length at byte 0");
}

TEST(GitHttpTest, RoutesNameTheRepository) {
  auto r = git_http_route("/root/mycicd.git/info/refs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repository, "root/mycicd");
  EXPECT_EQ(r->kind, GitHttpRoute::Kind::kInfoRefs);
  EXPECT_EQ(git_http_route("/grp/sub/lib/git-upload-pack")->repository, "grp/sub/lib");
  EXPECT_FALSE(git_http_route("/api/v4/jobs/request"));
  EXPECT_FALSE(git_http_route("/info/refs"));
}

TEST(GitHttpTest, AdvertisementIsProtocolV0WithHeadFirst) {
  GitRepository repo("root/mycicd", "master");
  repo.ensure_ref("master");
  const HttpResponse r = git_info_refs(repo, git_request("GET", "/root/mycicd.git/info/refs"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.front(),
            (std::pair<std::string, std::string>{"Content-Type", "application/x-git-upload-pack-advertisement"}));
  const std::string caps =
      "shallow no-progress include-tag object-format=sha1 symref=HEAD:refs/heads/master agent=git/2.45.2.gl1";
  EXPECT_EQ(r.body, "001e# service=git-upload-pack\n0000" +
                        pkt_line(std::string(kMasterCommit) + " HEAD" + '\0' + caps + "\n") +
                        pkt_line(std::string(kMasterCommit) + " refs/heads/master\n") + "0000");
  HttpRequest dumb = git_request("GET", "/root/mycicd.git/info/refs");
  dumb.query.clear();
  EXPECT_EQ(git_info_refs(repo, dumb).status, 403);
}

TEST(GitHttpTest, UploadPackSendsShallowUpdateNakAndAValidPack) {
  GitRepository repo("root/mycicd", "master");
  const std::string feature = repo.ensure_ref("feature");
  const std::string ask = pkt_line("want " + feature + " no-progress shallow\n") + pkt_line("deepen 1\n") + "0000";

  // The stateless client's first round (no done) gets only the shallow-update section.
  HttpResponse first = git_upload_pack(repo, git_request("POST", "/root/mycicd.git/git-upload-pack", ask));
  EXPECT_EQ(first.body, pkt_line("shallow " + feature + "\n") + "0000");

  HttpResponse r =
      git_upload_pack(repo, git_request("POST", "/root/mycicd.git/git-upload-pack", ask + pkt_line("done\n")));
  EXPECT_EQ(r.status, 200);
  const std::string head = pkt_line("shallow " + feature + "\n") + "0000" + pkt_line("NAK\n");
  ASSERT_EQ(r.body.compare(0, head.size(), head), 0);
  const std::string pack = r.body.substr(head.size());
  ASSERT_EQ(pack.compare(0, 4, "PACK"), 0);
  EXPECT_EQ(be32(pack, 4), 2u);
  EXPECT_EQ(be32(pack, 8), 3u);
  EXPECT_EQ(pack.substr(pack.size() - 20), sha1_raw(pack.substr(0, pack.size() - 20)));
  // The first entry is the commit: type 1, then its deflated content.
  const auto* commit = repo.object(feature);
  const unsigned char first_byte = static_cast<unsigned char>(pack[12]);
  EXPECT_EQ((first_byte >> 4) & 7, 1);
  size_t at = 13;
  while (static_cast<unsigned char>(pack[at - 1]) & 0x80) ++at;
  EXPECT_EQ(static_cast<size_t>((first_byte & 15) | (static_cast<unsigned char>(pack[13]) & 0x7f) << 4),
            commit->data.size());
  // Inflating stops at the end of the object's zlib stream; the next entry follows it.
  auto inflated = zlib_inflate(pack.substr(at));
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, commit->data);
}

TEST(GitHttpTest, HavesAreAcknowledgedAndLeftOutOfThePack) {
  GitRepository repo("root/mycicd", "master");
  const std::string feature = repo.ensure_ref("feature");
  const std::string ask =
      pkt_line("want " + feature + "\n") + "0000" + pkt_line(std::string("have ") + kMasterCommit + "\n");
  HttpResponse round = git_upload_pack(repo, git_request("POST", "/root/mycicd.git/git-upload-pack", ask + "0000"));
  EXPECT_EQ(round.body, pkt_line(std::string("ACK ") + kMasterCommit + "\n"));
  HttpResponse r =
      git_upload_pack(repo, git_request("POST", "/root/mycicd.git/git-upload-pack", ask + pkt_line("done\n")));
  const std::string ack = pkt_line(std::string("ACK ") + kMasterCommit + "\n");
  ASSERT_EQ(r.body.compare(0, ack.size(), ack), 0);
  EXPECT_EQ(be32(r.body, ack.size() + 8), 3u);  // feature's commit, tree and README; master's are known
}

TEST(GitHttpTest, UnadvertisedWantIsAnError) {
  GitRepository repo("root/mycicd", "master");
  repo.ensure_ref("master");
  const std::string unknown(40, 'a');
  HttpResponse r = git_upload_pack(repo, git_request("POST", "/root/mycicd.git/git-upload-pack",
                                                     pkt_line("want " + unknown + "\n") + "0000" + pkt_line("done\n")));
  EXPECT_EQ(r.body, pkt_line("ERR upload-pack: not our ref " + unknown + "\n"));
}

}  // namespace
}  // namespace kexsim::fakes

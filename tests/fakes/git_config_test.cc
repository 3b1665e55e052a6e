// git's config file format as the git model reads and writes it, and http.<url>.* matching.

#include <gtest/gtest.h>

#include "fakes/runtime/git_config.h"

namespace kexsim::fakes::shell {
namespace {

TEST(GitConfigTest, ParsesSectionsSubsectionsAndBareBooleans) {
  const auto entries = parse_git_config(
      "# comment\n[core]\n\tbare = false\n[HTTP \"https://Gitlab.mylab.com\"]\n\tSSLCAInfo = \"/ca.crt\"\n"
      "[http]\n\tsslVerify\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, "core.bare");
  EXPECT_EQ(entries[1].key, "http.https://Gitlab.mylab.com.sslcainfo");  // subsections keep their case
  EXPECT_EQ(entries[1].value, "/ca.crt");
  EXPECT_EQ(entries[2].key, "http.sslverify");
  EXPECT_EQ(entries[2].value, "true");
}

TEST(GitConfigTest, SetReplacesTheLastOccurrenceAndUnsetRemoves) {
  std::string text = set_git_config("", "http.sslVerify", "true");
  text = set_git_config(text, "http.https://x.sslCAInfo", "/a");
  text = set_git_config(text, "HTTP.SSLVERIFY", "false");
  // Names keep the case they were first written in.
  EXPECT_EQ(text, "[http]\n\tsslVerify = false\n[http \"https://x\"]\n\tsslCAInfo = /a\n");
  EXPECT_EQ(unset_git_config(text, "http.sslverify"), "[http \"https://x\"]\n\tsslCAInfo = /a\n");
  EXPECT_EQ(canonical_git_key("nosection"), "");
}

TEST(GitConfigTest, TheLongestMatchingUrlWins) {
  const auto entries = parse_git_config(
      "[http \"https://gitlab.mylab.com/root\"]\n\tsslCAInfo = /root.crt\n"
      "[http]\n\tsslCAInfo = /any.crt\n"
      "[http \"https://gitlab.mylab.com\"]\n\tsslCAInfo = /host.crt\n");
  EXPECT_EQ(git_http_setting(entries, "sslCAInfo", "https://gitlab.mylab.com/root/mycicd.git"), "/root.crt");
  EXPECT_EQ(git_http_setting(entries, "sslCAInfo", "https://gitlab.mylab.com/grp/x.git"), "/host.crt");
  EXPECT_EQ(git_http_setting(entries, "sslCAInfo", "https://gitlab.mylab.comx/a.git"), "/any.crt");
  EXPECT_EQ(git_http_setting(entries, "sslVerify", "https://gitlab.mylab.com/a.git"), "");
  EXPECT_TRUE(git_false("Off"));
  EXPECT_FALSE(git_false("yes"));
}

}  // namespace
}  // namespace kexsim::fakes::shell

namespace kexsim::fakes::shell {
namespace {

TEST(GitRewriteUrl, TheLongestInsteadOfPrefixWins) {
  const auto entries = parse_git_config(
      "[url \"https://gitlab-ci-token:T@gitlab.example.com/root/app.git\"]\n"
      "\tinsteadOf = https://gitlab.example.com/root/app.git\n"
      "[url \"https://other@gitlab.example.com/\"]\n"
      "\tinsteadOf = https://gitlab.example.com/\n");
  EXPECT_EQ(git_rewrite_url(entries, "https://gitlab.example.com/root/app.git"),
            "https://gitlab-ci-token:T@gitlab.example.com/root/app.git");
  EXPECT_EQ(git_rewrite_url(entries, "https://gitlab.example.com/root/lib.git"),
            "https://other@gitlab.example.com/root/lib.git");
  EXPECT_EQ(git_rewrite_url(entries, "https://elsewhere.example.com/x.git"), "https://elsewhere.example.com/x.git");
}

}  // namespace
}  // namespace kexsim::fakes::shell

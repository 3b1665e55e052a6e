#include "executor/naming.h"

#include <set>

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(ShortToken, ReferenceExampleStripsGlrtPrefixAndKeepsNineChars) {
  EXPECT_EQ(short_token("glrt-aaa_cccbbbdddooo2222", Profile::kV19_4), "aaa_cccbb");
}

TEST(ShortToken, CurrentRulesStripEveryKnownPrefix) {
  EXPECT_EQ(short_token("glrt-t1_abcdefghijkl", Profile::kV19_4), "abcdefghi");
  EXPECT_EQ(short_token("t2_abcdefghijkl", Profile::kV19_4), "abcdefghi");
  EXPECT_EQ(short_token("glrtr-abcdefghijkl", Profile::kV19_4), "abcdefghi");
  EXPECT_EQ(short_token("glcbt-abcdefghijkl", Profile::kV19_4), "abcdefghi");
  EXPECT_EQ(short_token("GR1348941abcdefghijkl", Profile::kV19_4), "abcdefghi");
  EXPECT_EQ(short_token("gVQMabxjR2x9", Profile::kV19_4), "gVQMabxjR");
  EXPECT_EQ(short_token("short", Profile::kV19_4), "short");
}

TEST(ShortToken, OlderRulesTakeEightChars) {
  EXPECT_EQ(short_token("LBxMyCryXXXXXXXXXXXX", Profile::kV13_12), "LBxMyCry");
  // Prefixed tokens as the release that introduced the prefix shortened them (kexsim applies that
  // rule to every release before 18.2).
  EXPECT_EQ(short_token("glrt-abcdefghijkl", Profile::kV13_12), "abcdefghi");
  EXPECT_EQ(short_token("GR1348941abcdefghijkl", Profile::kV13_12), "GR1348941abcdefgh");
  EXPECT_EQ(short_token("glrt-abcdefghijkl", Profile::kV15_11), "abcdefghi");
  EXPECT_EQ(short_token("GR1348941abcdefghijkl", Profile::kV15_11), "GR1348941abcdefgh");
  EXPECT_EQ(short_token("LBxMyCryXXXXXXXXXXXX", Profile::kV18_11), "LBxMyCryX");
}

TEST(ShortToken, NineCharactersFrom182) {
  EXPECT_EQ(short_token("glrt-t1_abcdefghijkl", Profile(18, 1)), "t1_abcdef");
  EXPECT_EQ(short_token("glrt-t1_abcdefghijkl", Profile(18, 2)), "abcdefghi");
  EXPECT_EQ(short_token("LBxMyCryXXXXXXXXXXXX", Profile(18, 1)), "LBxMyCry");
  EXPECT_EQ(short_token("LBxMyCryXXXXXXXXXXXX", Profile(18, 2)), "LBxMyCryX");
}

TEST(Rfc1123, DeletesInvalidCharactersInsteadOfReplacingThem) {
  EXPECT_EQ(make_rfc1123_compatible("runner-aaa_cccbb-project-42-concurrent-0"),
            "runner-aaacccbb-project-42-concurrent-0");
  EXPECT_EQ(make_rfc1123_compatible("--Abc.D"), "abcd");
  EXPECT_EQ(make_rfc1123_compatible(std::string(70, 'a')).size(), 63u);
}

TEST(ProjectUniqueName, ReferenceExample) {
  EXPECT_EQ(project_unique_name("aaa_cccbb", 42, 0), "runner-aaacccbb-project-42-concurrent-0");
  EXPECT_EQ(project_unique_name("LBxMyCry", 2, 0), "runner-lbxmycry-project-2-concurrent-0");
}

TEST(NameWithRandomSuffix, TruncatesTo54AndAppendsEightRandomChars) {
  Random random(7);
  const std::string name = name_with_random_suffix("runner-aaacccbb-project-42-concurrent-0", random);
  ASSERT_EQ(name.size(), std::string("runner-aaacccbb-project-42-concurrent-0").size() + 9);
  EXPECT_EQ(name.substr(0, 40), "runner-aaacccbb-project-42-concurrent-0-");
  for (char c : name.substr(40)) {
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << name;
  }
  const std::string long_name = name_with_random_suffix(std::string(80, 'x'), random);
  EXPECT_EQ(long_name.size(), 63u);
  EXPECT_EQ(long_name[54], '-');
}

TEST(NameWithRandomSuffix, IsDeterministicForASeed) {
  Random a(99), b(99);
  EXPECT_EQ(name_with_random_suffix("p", a), name_with_random_suffix("p", b));
  std::set<std::string> seen;
  Random c(1);
  for (int i = 0; i < 20; ++i) seen.insert(name_with_random_suffix("p", c));
  EXPECT_EQ(seen.size(), 20u);
}

TEST(SanitizeLabelValue, ReplacesInvalidCharactersAndTrimsEdges) {
  EXPECT_EQ(sanitize_label_value("aaa_cccbb"), "aaa_cccbb");
  EXPECT_EQ(sanitize_label_value("My Project!"), "My_Project");
  EXPECT_EQ(sanitize_label_value("-._x y_.-"), "x_y");
  const std::string cut = sanitize_label_value(std::string(62, 'a') + "-b");
  EXPECT_EQ(cut, std::string(62, 'a'));  // cut at 63 leaves a trailing '-', trimmed again
}

TEST(BuildsDir, LayoutPerProfile) {
  EXPECT_EQ(builds_dir(Profile::kV19_4, "", "aaa_cccbb", 0, "grp/app"), "/builds/grp/app");
  EXPECT_EQ(builds_dir(Profile::kV19_4, "/data/", "x", 0, "grp/app"), "/data/grp/app");
  EXPECT_EQ(builds_dir(Profile::kV13_12, "/builds", "LBxMyCry", 0, "root/mycicd"), "/builds/LBxMyCry/0/root/mycicd");
}

TEST(Dns1123, LabelsAndSubdomains) {
  EXPECT_TRUE(is_dns1123_label("svc-alias"));
  EXPECT_FALSE(is_dns1123_label("svc.alias"));
  EXPECT_FALSE(is_dns1123_label("Svc"));
  EXPECT_FALSE(is_dns1123_label("-x"));
  EXPECT_EQ(dns1123_subdomain_errors("registry.example.com-group-img"), "");
  EXPECT_NE(dns1123_subdomain_errors("tutum__wordpress"), "");
  EXPECT_NE(dns1123_subdomain_errors("a..b"), "");
  EXPECT_NE(dns1123_subdomain_errors(""), "");
}

}  // namespace
}  // namespace kexsim::executor

// GitLab Runner's image allow lists: doublestar's match (upstream's own table of
// common/allowed_images_test.go TestVerifyAllowedImage, as facts) and the refusal's lines per release.
#include "executor/allowed_images.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

struct AllowCase {
  const char* image;
  std::vector<std::string> allowed;
  std::vector<std::string> internal;
  bool expected;
};

TEST(AllowedImages, UpstreamsTableOfVerdicts) {
  const std::vector<AllowCase> cases = {
      {"alpine", {"alpine"}, {}, true},
      {"alpine", {"ubuntu"}, {}, false},
      {"library/ruby", {"*"}, {}, false},
      {"library/ruby", {"**/*"}, {}, true},
      {"library/ruby", {"**/*:*"}, {}, false},
      {"library/ruby", {"*/*"}, {}, true},
      {"library/ruby", {"*/*:*"}, {}, false},
      {"library/ruby:2.1", {"*"}, {}, false},
      {"library/ruby:2.1", {"**/*"}, {}, true},
      {"library/ruby:2.1", {"**/*:*"}, {}, true},
      {"library/ruby:2.1", {"*/*"}, {}, true},
      {"library/ruby:2.1", {"*/*:*"}, {}, true},
      {"my.registry.tld/group/subgroup/ruby", {"*"}, {}, false},
      {"my.registry.tld/group/subgroup/ruby", {"my.registry.tld/**/*"}, {}, true},
      {"my.registry.tld/group/subgroup/ruby", {"my.registry.tld/*/*"}, {}, false},
      {"my.registry.tld/group/subgroup/ruby", {"my.registry.tld/*/*/*"}, {}, true},
      {"my.registry.tld/group/subgroup/ruby:2.1", {"*"}, {}, false},
      {"my.registry.tld/group/subgroup/ruby:2.1", {"my.registry.tld/**/*:*"}, {}, true},
      {"my.registry.tld/group/subgroup/ruby:2.1", {"my.registry.tld/*/*/*:*"}, {}, true},
      {"my.registry.tld/group/subgroup/ruby:2.1", {"my.registry.tld/*/*:*"}, {}, false},
      {"my.registry.tld/library/ruby", {"*"}, {}, false},
      {"my.registry.tld/library/ruby", {"my.registry.tld/**/*"}, {}, true},
      {"my.registry.tld/library/ruby", {"my.registry.tld/*/*"}, {}, true},
      {"my.registry.tld/library/ruby:2.1", {"*"}, {}, false},
      {"my.registry.tld/library/ruby:2.1", {"my.registry.tld/**/*:*"}, {}, true},
      {"my.registry.tld/library/ruby:2.1", {"my.registry.tld/*/*:*"}, {}, true},
      {"my.registry.tld/ruby", {"*"}, {}, false},
      {"my.registry.tld/ruby:2.1", {"*"}, {}, false},
      {"ruby", {"*"}, {}, true},
      {"ruby", {"**/*"}, {}, true},
      {"ruby:2.1", {"*"}, {}, true},
      {"ruby:2.1", {"**/*"}, {}, true},
      {"ruby:latest", {"*"}, {}, true},
      {"ruby:latest", {"**/*"}, {}, true},
      {"gitlab/gitlab-runner-helper", {"alpine"}, {"gitlab/gitlab-runner-helper"}, true},
      {"alpine", {}, {}, true},
  };
  for (const AllowCase& c : cases) {
    const ImageCheck check{c.image, "images", c.allowed, c.internal};
    EXPECT_EQ(!refuse_image(check, Profile::kV19_4).has_value(), c.expected)
        << c.image << " against " << (c.allowed.empty() ? std::string("[]") : c.allowed[0]);
  }
}

TEST(AllowedImages, GlobSyntaxBeyondStars) {
  EXPECT_TRUE(doublestar_match("alpine:3.?", "alpine:3.9"));
  EXPECT_FALSE(doublestar_match("alpine:3.?", "alpine:3.20"));
  EXPECT_TRUE(doublestar_match("{alpine,ubuntu}:*", "ubuntu:24.04"));
  EXPECT_FALSE(doublestar_match("{alpine,ubuntu}:*", "debian:12"));
  EXPECT_TRUE(doublestar_match("node:2[0-2]", "node:22"));
  EXPECT_FALSE(doublestar_match("node:2[!0-2]", "node:22"));
  EXPECT_TRUE(doublestar_match("registry.mylab.com/**", "registry.mylab.com/a/b/c:1"));
  EXPECT_TRUE(doublestar_match(R"(a\*b)", "a*b"));
  EXPECT_FALSE(doublestar_match(R"(a\*b)", "axb"));
  EXPECT_FALSE(doublestar_match("a?b", "a/b"));  // no wildcard crosses a '/' but **
  EXPECT_FALSE(doublestar_match("[a-", "a"));    // malformed: no match, as upstream drops Match's error
  EXPECT_FALSE(doublestar_match("{a,b", "a"));
}

std::string text(const std::vector<SetupLine>& lines) {
  std::string out;
  for (const SetupLine& l : lines) out += (l.error ? "E " : "  ") + l.text + "\n";
  return out;
}

TEST(AllowedImages, TheRefusalAsTheReleasePrintsIt) {
  const ImageCheck check{"python:3.12", "services", {"postgres:*", "redis:*"}, {"alpine:3.20"}};
  auto lines = refuse_image(check, Profile::kV19_4);
  ASSERT_TRUE(lines);
  EXPECT_EQ(text(*lines),
            "  \n"
            "E The \"python:3.12\" image is not present on list of allowed services:\n"
            "  - postgres:*\n"
            "  - redis:*\n"
            "  \n"
            "  Please check runner's allowed_images configuration: "
            "https://docs.gitlab.com/runner/configuration/advanced-configuration/\n");
  // Before 17.11 the link is the old documentation site's page.
  lines = refuse_image(check, Profile::kV16_11);
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->back().text,
            "Please check runner's allowed_images configuration: "
            "https://docs.gitlab.com/runner/configuration/advanced-configuration.html");
  // The config's own image passes whatever the list says.
  EXPECT_FALSE(refuse_image({"alpine:3.20", "images", {"python:*"}, {"alpine:3.20"}}, Profile::kV19_4));
}

}  // namespace
}  // namespace kexsim::executor

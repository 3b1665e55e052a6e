#include "executor/docker_auth.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

const std::vector<JobCredential> kPayload = {{"registry", "registry.example.com", "gitlab-ci-token", "tok"}};

TEST(DockerAuth, UserVariableWinsOverThePayloadForTheSameRegistry) {
  // "dXNlcjpwdw==" is user:pw.
  const std::string config =
      R"({"auths":{"registry.example.com":{"auth":"dXNlcjpwdw=="},"other.example.com:5000":{"username":"a","password":"b"}}})";
  const DockerAuth auth = resolve_docker_auth(Profile::kV19_4, config, kPayload);
  ASSERT_EQ(auth.registries.size(), 2u);
  EXPECT_TRUE(auth.warnings.empty());
  EXPECT_EQ(auth.registries[0].key, "other.example.com:5000");  // withStableOrder: sorted by address
  EXPECT_EQ(auth.registries[1].username, "user");
  EXPECT_EQ(auth.registries[1].password, "pw");
  EXPECT_EQ(auth.registries[1].source, "$DOCKER_AUTH_CONFIG");
  EXPECT_EQ(dockercfg_json(auth.registries),
            R"({"other.example.com:5000":{"username":"a","password":"b","serveraddress":"other.example.com:5000"},)"
            R"("registry.example.com":{"username":"user","password":"pw","serveraddress":"registry.example.com"}})");
}

TEST(DockerAuth, BeforeEighteenThreeKeyedByHostname) {
  const std::string config = R"({"auths":{"https://Registry.Example.com/v1/":{"username":"u","password":"p"}}})";
  const DockerAuth auth = resolve_docker_auth(Profile::kV17_11, config, kPayload);
  ASSERT_EQ(auth.registries.size(), 1u);  // the payload's credentials name the same host
  EXPECT_EQ(auth.registries[0].key, "registry.example.com");
  EXPECT_EQ(auth.registries[0].username, "u");
  const DockerAuth now = resolve_docker_auth(Profile::kV19_4, config, kPayload);
  ASSERT_EQ(now.registries.size(), 1u);
  EXPECT_EQ(now.registries[0].key, "https://Registry.Example.com/v1/");
}

TEST(DockerAuth, MalformedConfigWarnsFromEighteenElevenAndKeepsThePayload) {
  const DockerAuth auth = resolve_docker_auth(Profile::kV19_4, "{\"auths\": x}", kPayload);
  ASSERT_EQ(auth.warnings.size(), 1u);
  EXPECT_EQ(auth.warnings[0],
            "Failed to resolve credentials from $DOCKER_AUTH_CONFIG: invalid character 'x' looking for beginning of "
            "value. Credentials from this source will not be used.");
  ASSERT_EQ(auth.registries.size(), 1u);
  EXPECT_EQ(auth.registries[0].source, "job payload (GitLab Registry)");
  EXPECT_TRUE(resolve_docker_auth(Profile::kV17_11, "{\"auths\": x}", kPayload).warnings.empty());
}

TEST(DockerAuth, GoErrorTexts) {
  const auto warning = [](const std::string& config, Profile p = Profile::kV19_4) {
    auto auth = resolve_docker_auth(p, config, {});
    return auth.warnings.empty() ? std::string() : auth.warnings[0];
  };
  EXPECT_NE(warning("{\"auths\":{").find(": unexpected EOF."), std::string::npos);
  EXPECT_NE(warning("{'a':1}").find("invalid character '\\'' looking for beginning of object key string"),
            std::string::npos);
  EXPECT_NE(warning("{\"auths\":\"x\"}")
                .find("json: cannot unmarshal string into Go struct field ConfigFile.auths of type "
                      "map[string]types.AuthConfig"),
            std::string::npos);
  EXPECT_NE(warning(R"({"auths":{"r":{"auth":"%%%"}}})").find("illegal base64 data at input byte 0"),
            std::string::npos);
  EXPECT_NE(warning(R"({"auths":{"r":{"auth":"dXNlcg=="}}})").find(": invalid auth configuration file."),
            std::string::npos);
  EXPECT_NE(warning(R"({"auths":{"r":{"auth":"dXNlcg=="}}})", Profile::kV18_11).find(": Invalid auth configuration"),
            std::string::npos);
  EXPECT_NE(warning(R"({"credsStore":"ecr-login"})")
                .find("error listing credentials - err: exec: \"docker-credential-ecr-login\": executable file not "
                      "found in $PATH, out: ``"),
            std::string::npos);
  EXPECT_EQ(warning(""), "");  // io.EOF: no configuration
  EXPECT_EQ(warning("{}"), "");
}

TEST(DockerAuth, RegistryPaths) {
  EXPECT_EQ(registry_path("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(registry_path("Registry.Example.com:5000/Group/img:1"), "registry.example.com:5000/Group/img");
  EXPECT_EQ(registry_path("registry.example.com:5000"), "registry.example.com:5000");
  EXPECT_EQ(registry_hostname("HTTPS://Registry.example.com/v2/"), "registry.example.com");
}

}  // namespace
}  // namespace kexsim::executor

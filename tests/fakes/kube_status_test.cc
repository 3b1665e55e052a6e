#include "fakes/kube/status.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

TEST(KubeStatus, UnauthorizedIsTheAuthenticationFiltersExactBody) {
  const ApiStatus s = status_unauthorized();
  EXPECT_EQ(s.code, 401);
  EXPECT_EQ(
      s.body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
}

TEST(KubeStatus, NotFoundOmitsTheEmptyCoreGroup) {
  EXPECT_EQ(
      status_not_found({"", "pods"}, "x").body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404})");
  EXPECT_EQ(
      status_not_found({"rbac.authorization.k8s.io", "roles"}, "runner").body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"roles.rbac.authorization.k8s.io \"runner\" not found","reason":"NotFound","details":{"name":"runner","group":"rbac.authorization.k8s.io","kind":"roles"},"code":404})");
}

TEST(KubeStatus, UnknownPathHasEmptyDetails) {
  EXPECT_EQ(
      status_path_not_found().body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404})");
}

TEST(KubeStatus, ForbiddenNamesTheObjectWhenThereIsOne) {
  const std::string tail =
      R"(User "system:serviceaccount:cicd:default" cannot create resource "pods/exec" in API group "" in the namespace "cicd")";
  const ApiStatus named = status_forbidden({"", "pods"}, "x", tail);
  EXPECT_EQ(named.code, 403);
  EXPECT_EQ(
      named.body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" is forbidden: )" +
          std::string(
              R"(User \"system:serviceaccount:cicd:default\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"cicd\"","reason":"Forbidden","details":{"name":"x","kind":"pods"},"code":403})"));
  EXPECT_EQ(status_forbidden({"", "secrets"}, "", "T").message(), "secrets is forbidden: T");
  EXPECT_EQ(status_forbidden({}, "", "T").message(), "forbidden: T");
  EXPECT_EQ(status_forbidden({}, "", "T").body["details"].dump(), "{}");
}

TEST(KubeStatus, ConflictsAndDuplicates) {
  EXPECT_EQ(status_already_exists({"", "secrets"}, "x").message(), R"(secrets "x" already exists)");
  EXPECT_EQ(status_already_exists({"", "secrets"}, "x").code, 409);
  const ApiStatus conflict = status_conflict({"", "pods"}, "x");
  EXPECT_EQ(conflict.reason(), "Conflict");
  EXPECT_EQ(
      conflict.message(),
      R"(Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again)");
  const ApiStatus generated = status_generate_name_conflict({"", "pods"}, "runner-bcdfg", 1);
  EXPECT_EQ(generated.reason(), "AlreadyExists");
  EXPECT_NE(generated.message().find("the server was not able to generate a unique name for the object"),
            std::string::npos);
  EXPECT_EQ(generated.body["details"]["retryAfterSeconds"], 1);
}

TEST(KubeStatus, InvalidUsesTheKindAndListsCauses) {
  const ApiStatus one =
      status_invalid("", "Pod", "x", {{"FieldValueRequired", "Required value", "spec.containers[0].image"}});
  EXPECT_EQ(one.code, 422);
  EXPECT_EQ(
      one.body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"x\" is invalid: spec.containers[0].image: Required value","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"}]},"code":422})");
  const ApiStatus two =
      status_invalid("rbac.authorization.k8s.io", "Role", "r",
                     {{"FieldValueRequired", "Required value", "a"}, {"FieldValueRequired", "Required value", "b"}});
  EXPECT_EQ(two.message(), R"(Role.rbac.authorization.k8s.io "r" is invalid: [a: Required value, b: Required value])");
}

TEST(KubeStatus, OtherReasons) {
  EXPECT_EQ(
      status_bad_request("Upgrade request required").body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Upgrade request required","reason":"BadRequest","code":400})");
  EXPECT_EQ(status_method_not_supported({"", "pods"}, "watch").message(),
            R"(watch is not supported on resources of kind "pods")");
  EXPECT_EQ(status_method_not_allowed().code, 405);
  const ApiStatus media = status_unsupported_media_type({"application/json", "application/yaml"});
  EXPECT_EQ(media.code, 415);
  EXPECT_EQ(media.message(),
            "the body of the request was in an unknown format - accepted media types include: application/json, "
            "application/yaml");
  const ApiStatus internal = status_internal_error("boom");
  EXPECT_EQ(internal.message(), "Internal error occurred: boom");
  EXPECT_EQ(internal.body["details"].dump(), R"({"causes":[{"message":"boom"}]})");
  const ApiStatus busy = status_too_many_requests(3);
  EXPECT_EQ(busy.code, 429);
  EXPECT_EQ(busy.message(), "Too many requests, please try again later.");
  const HttpResponse r = busy.response();
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"Retry-After", "3"}));
}

TEST(KubeStatus, SuccessForDeletes) {
  EXPECT_EQ(
      status_success({"", "secrets"}, "x", "u-1").body.dump(),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"x","kind":"secrets","uid":"u-1"}})");
}

}  // namespace
}  // namespace kexsim::fakes

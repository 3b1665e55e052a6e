#include "executor/pod_body.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

using nlohmann::json;

// What parse_pod_body must give: the full parse, with spec cut down to its nodeName.
json expected(const std::string& body) {
  json full = json::parse(body, nullptr, false);
  if (full.is_discarded() || !full.is_object()) return full;
  auto spec = full.find("spec");
  if (spec == full.end() || !spec->is_object()) return full;
  json kept = json::object();
  if (spec->contains("nodeName")) kept["nodeName"] = (*spec)["nodeName"];
  *spec = kept;
  return full;
}

TEST(PodBody, KeepsMetadataStatusAndNodeNameOnly) {
  const std::string body =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","uid":"u-1","labels":{"a":"b"}},)"
      R"("spec":{"containers":[{"name":"build","env":[{"name":"X","value":"1"}]}],"nodeName":"node-1",)"
      R"("activeDeadlineSeconds":3600},"status":{"phase":"Running","containerStatuses":[{"name":"build",)"
      R"("ready":true,"restartCount":0}]}})";
  const json pod = parse_pod_body(body);
  EXPECT_EQ(pod, expected(body));
  EXPECT_EQ(pod["spec"], json({{"nodeName", "node-1"}}));
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["metadata"]["uid"], "u-1");
}

TEST(PodBody, AgreesWithTheFullParseOnEveryShape) {
  const std::vector<std::string> bodies = {
      R"({"spec":{}})",
      R"({"spec":{"long":"abcdefghijklmnopqrstuvwxyz0123456789","nodeName":"abcdefghijklmnopq\"r\\s"}})",
      "{\"spec\":{\"long\":\"abcdefghij\x1f\"}}",          // a control character past the first eight bytes
      "{\"spec\":{\"long\":\"abcdefghijkl\xc3\xa9mn\"}}",  // UTF-8 past the first eight bytes
      R"({"spec":{"nodeName":"a","nodeName":"b"}})",       // the last of duplicate keys wins
      R"({"spec":{"nodeName":{"x":[1,2,{"y":null}]}}})",
      R"({"spec":{"a":"q\"uo\\te\/\b\f\n\r\t","nodeName":"n"}, "status" : {"phase":"Pending"} })",
      R"( { "metadata" : { "name" : "p" } , "spec" : { "n" : -0.5e+10 , "m":[true,false,null,0,12] } } )",
      R"({"spec":{"env":"caf\u00e9"},"status":{}})",  // \u: left to the full parse
      "{\"spec\":{\"env\":\"caf\xc3\xa9\"}}",         // UTF-8: left to the full parse
      R"({"spec":"not an object","status":{}})",
      R"({"spec":{"a":1},"spec":{"nodeName":"second"}})",
      R"({"status":{"phase":"Running"}})",
      R"({})",
      R"([1,2])",
      // Not JSON: each must be rejected as the full parse rejects it.
      R"({"spec":{"a":01}})",
      R"({"spec":{"a":1.}})",
      R"({"spec":{"a":tru}})",
      R"({"spec":{"a":"x"} "status":{}})",
      R"({"spec":{"a":[1,]}})",
      R"({"spec":{"a":1}} trailing)",
      R"({"spec":{"a":"ctl)"
      "\x01"
      R"("}})",
      R"({"spec":{"a":"\x"}})",
      R"({"spec":{"a":)",
      R"({"metadata":{"name":"p"},"spec":{"nodeName":"n"})",
      "",
  };
  for (const std::string& body : bodies) {
    const json got = parse_pod_body(body);
    const json want = expected(body);
    EXPECT_EQ(got.is_discarded(), want.is_discarded()) << body;
    if (!want.is_discarded()) {
      EXPECT_EQ(got, want) << body;
    }
  }
}

}  // namespace
}  // namespace kexsim::executor

#include "fakes/kube/list_paging.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "base/base64.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

// k8s.io/apiserver pkg/storage/continue.go.
constexpr const char* kInvalidStartRv =
    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)";
constexpr const char* kEmptyStartKey = "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)";
constexpr const char* kGenericInvalidKey = "continue key is not valid";
constexpr const char* kUnrecognizedVersion =
    "continue key is not valid: server does not recognize this encoded version";

// The apiserver's 400 for a token DecodeContinue refuses (storage/etcd3/store.go GetList).
ApiStatus invalid_token(const std::string& why) { return status_bad_request("invalid continue token: " + why); }

struct Decoded {
  std::string start_key;
  int64_t resource_version = 0;
};

ApiResult<Decoded> decode_continue(const std::string& token) {
  // storage/continue.go DecodeContinue: base64.RawURLEncoding.DecodeString; Go names the first byte it cannot take.
  const Result<std::string> bytes = go_base64_decode(token, GoBase64::kRawURLEncoding);
  if (!bytes) return invalid_token(std::string(kGenericInvalidKey) + ": " + bytes.error().message);
  const json c = json::parse(*bytes, nullptr, false);
  // Go's json.Unmarshal error text is not reproduced here: the generic refusal stands for it.
  if (!c.is_object()) return invalid_token(kGenericInvalidKey);
  const std::string version = c.value("v", std::string());
  if (version != "meta.k8s.io/v1") return invalid_token(std::string(kUnrecognizedVersion) + " " + version);
  Decoded out;
  if (c.contains("rv") && c["rv"].is_number_integer()) out.resource_version = c["rv"].get<int64_t>();
  if (out.resource_version == 0) return invalid_token(kInvalidStartRv);
  out.start_key = c.value("start", std::string());
  if (out.start_key.empty()) return invalid_token(kEmptyStartKey);
  // A key that path.Clean would change climbs out of the list's prefix.
  if (out.start_key.find("..") != std::string::npos || out.start_key.find("//") != std::string::npos)
    return invalid_token(std::string(kGenericInvalidKey) + ": " + out.start_key);
  return out;
}

}  // namespace

std::string encode_continue(const std::string& start_key, int64_t resource_version) {
  // The fields in continueToken's order, as Go's json.Marshal writes them.
  const nlohmann::ordered_json token = {{"v", "meta.k8s.io/v1"}, {"rv", resource_version}, {"start", start_key}};
  std::string text = base64_encode(token.dump());
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

ApiResult<ListPage> page_list(const std::vector<std::string>& keys, const ListQuery& query,
                              const std::string& current_version) {
  ListPage page;
  page.end = keys.size();
  page.resource_version = current_version;
  if (!query.continue_token.empty()) {
    // storage/etcd3/store.go GetList: a continued list is read at the first page's resourceVersion.
    if (!query.resource_version.empty() && query.resource_version != "0")
      return status_bad_request("specifying resource version is not allowed when using continue");
    ApiResult<Decoded> decoded = decode_continue(query.continue_token);
    if (!decoded.ok()) return decoded.status();
    page.begin =
        static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), decoded.value().start_key) - keys.begin());
    page.resource_version = std::to_string(decoded.value().resource_version);
  }
  int64_t limit = 0;
  const auto [ptr, error] = std::from_chars(query.limit.data(), query.limit.data() + query.limit.size(), limit);
  if (error != std::errc() || ptr != query.limit.data() + query.limit.size() || limit <= 0) return page;
  if (keys.size() - page.begin <= static_cast<size_t>(limit)) {
    page.end = keys.size();
    return page;
  }
  page.end = page.begin + static_cast<size_t>(limit);
  // The next page starts just after the last key sent (etcd's key + "\x00").
  int64_t version = 0;
  std::from_chars(page.resource_version.data(), page.resource_version.data() + page.resource_version.size(), version);
  page.continue_token = encode_continue(keys[page.end - 1] + std::string(1, '\0'), version);
  if (!query.selectors) page.remaining = static_cast<int64_t>(keys.size() - page.end);
  return page;
}

}  // namespace kexsim::fakes

namespace kexsim::fakes {

ApiResult<ListPage> take_page(std::vector<nlohmann::json>& objects, const std::string& ns, const ListQuery& query,
                              const std::string& current_version) {
  const auto key = [&](const nlohmann::json& object) {
    const nlohmann::json& meta = object.contains("metadata") ? object["metadata"] : nlohmann::json();
    const std::string name = meta.value("name", std::string());
    const std::string object_ns = meta.value("namespace", std::string());
    return ns.empty() && !object_ns.empty() ? object_ns + "/" + name : name;
  };
  const bool paging = !query.continue_token.empty() || (!query.limit.empty() && query.limit != "0");
  if (paging && ns.empty())
    std::stable_sort(objects.begin(), objects.end(),
                     [&](const nlohmann::json& a, const nlohmann::json& b) { return key(a) < key(b); });
  std::vector<std::string> keys;
  keys.reserve(objects.size());
  for (const nlohmann::json& object : objects) keys.push_back(key(object));
  ApiResult<ListPage> page = page_list(keys, query, current_version);
  if (!page.ok()) return page;
  objects.erase(objects.begin() + static_cast<std::ptrdiff_t>(page.value().end), objects.end());
  objects.erase(objects.begin(), objects.begin() + static_cast<std::ptrdiff_t>(page.value().begin));
  return page;
}

}  // namespace kexsim::fakes

#pragma once
// Chunked lists (`?limit=N`, then `?continue=<token>`): which objects one page holds and the list's
// metadata.continue / remainingItemCount, with the apiserver's continue token (k8s.io/apiserver
// pkg/storage/continue.go) and its refusals. Simplification: a continued page reads the objects as they
// are now (after the token's start key), not the first page's snapshot; its resourceVersion is the first page's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/status.h"

namespace kexsim::fakes {

/// The paging parameters of one list request, as sent.
struct ListQuery {
  std::string limit;             ///< "" or "0": everything
  std::string continue_token;    ///< "" on the first page
  std::string resource_version;  ///< the request's resourceVersion parameter
  bool selectors = false;        ///< a label or field selector narrows the list (no remainingItemCount then)
};

/// One page: objects [begin, end) of the selection, and what the list's metadata says about the rest.
struct ListPage {
  size_t begin = 0, end = 0;
  std::string resource_version;      ///< the list's metadata.resourceVersion (the first page's, when continued)
  std::string continue_token;        ///< "" on the last page
  std::optional<int64_t> remaining;  ///< metadata.remainingItemCount
};

/// Pages a selection whose keys (etcd's, below the list's prefix: "name" in a namespace, "ns/name" across
/// them) are in ascending order; current_version is the store's resourceVersion now. 400 BadRequest for
/// a token that does not decode or a resourceVersion sent with it, as the apiserver answers.
ApiResult<ListPage> page_list(const std::vector<std::string>& keys, const ListQuery& query,
                              const std::string& current_version);

/// Keeps only the page of objects (the selection a list made, in the store's order) that the query asks
/// for; objects of several namespaces are first put in etcd's key order ("ns/name") when paging.
ApiResult<ListPage> take_page(std::vector<nlohmann::json>& objects, const std::string& ns, const ListQuery& query,
                              const std::string& current_version);

/// Writes the page's continue and remainingItemCount into a list's (or Table's) metadata.
template <class Json>
void list_page_metadata(Json& meta, const ListPage& page) {
  if (!page.continue_token.empty()) meta["continue"] = page.continue_token;
  if (page.remaining) meta["remainingItemCount"] = *page.remaining;
}

/// The continue token of a page ending before start_key: base64url (unpadded) of
/// {"v":"meta.k8s.io/v1","rv":N,"start":"<start_key>"}.
std::string encode_continue(const std::string& start_key, int64_t resource_version);

}  // namespace kexsim::fakes

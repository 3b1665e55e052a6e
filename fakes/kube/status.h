#pragma once
// Kubernetes Status objects with the messages, reasons and details a real API server sends
// (apimachinery pkg/api/errors). Clients match on these strings, so they are facts, not prose.

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http/types.h"

namespace kexsim::fakes {

/// A resource as error messages name it: the plural resource and its API group ("" for core).
struct GroupResource {
  std::string group;
  std::string resource;

  /// "pods" for the core group, "roles.rbac.authorization.k8s.io" otherwise.
  std::string qualified() const { return group.empty() ? resource : resource + "." + group; }
};

/// One field problem inside an Invalid (422) Status.
struct FieldCause {
  std::string reason;   ///< FieldValueRequired, FieldValueInvalid, ...
  std::string message;  ///< "Required value", "Invalid value: \"X\": ..."
  std::string field;    ///< "spec.containers[0].image"
};

/// A Status object together with the HTTP code (and headers) it travels with.
struct ApiStatus {
  int code = 500;
  nlohmann::ordered_json body;  ///< ordered: the wire shape keeps apimachinery's field order
  std::vector<std::pair<std::string, std::string>> headers;

  /// status.message, for logs and tests.
  std::string message() const;
  /// status.reason, e.g. "NotFound".
  std::string reason() const;
  /// The HTTP response carrying this Status.
  HttpResponse response() const;
};

/// Either a value or the Status a client receives instead of it.
template <class T>
class ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}
  ApiResult(ApiStatus status) : v_(std::move(status)) {}

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const ApiStatus& status() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiStatus> v_;
};

/// 404 `pods "x" not found`.
ApiStatus status_not_found(const GroupResource& gr, const std::string& name);
/// 404 `the server could not find the requested resource` (an unknown path).
ApiStatus status_path_not_found();
/// 409 `secrets "x" already exists`.
ApiStatus status_already_exists(const GroupResource& gr, const std::string& name);
/// 409 AlreadyExists for a generateName collision; clients retry on its wording.
ApiStatus status_generate_name_conflict(const GroupResource& gr, const std::string& name, int retry_after_seconds);
/// 409 Conflict: a write with a stale metadata.resourceVersion.
ApiStatus status_conflict(const GroupResource& gr, const std::string& name);
/// 422 `Pod "x" is invalid: <field>: <message>` (details.kind is the Kind, not the resource).
ApiStatus status_invalid(const std::string& group, const std::string& kind, const std::string& name,
                         const std::vector<FieldCause>& causes);
/// 400 with free text.
ApiStatus status_bad_request(const std::string& message);
/// 403 `<resource>[ "<name>"] is forbidden: <detail>`; an empty resource gives `forbidden: <detail>`.
ApiStatus status_forbidden(const GroupResource& gr, const std::string& name, const std::string& detail);
/// 401, the authentication filter's exact body.
ApiStatus status_unauthorized();
/// 405 `<action> is not supported on resources of kind "<resource>"`.
ApiStatus status_method_not_supported(const GroupResource& gr, const std::string& action);
/// 405 for a method the route does not serve.
ApiStatus status_method_not_allowed();
/// 415 naming the media types the server does accept.
ApiStatus status_unsupported_media_type(const std::vector<std::string>& accepted);
/// 500 `Internal error occurred: <error>`.
ApiStatus status_internal_error(const std::string& error);
/// 429 with a Retry-After header and details.retryAfterSeconds.
ApiStatus status_too_many_requests(int retry_after_seconds);
/// Any Failure Status: reason "" is left out (as apiserver does for errors it cannot classify, such
/// as etcd's), details only when given. For injected faults.
ApiStatus status_failure(int code, const std::string& reason, const std::string& message,
                         const nlohmann::ordered_json* details = nullptr);
/// 200 Success Status returned by DELETE for most kinds.
ApiStatus status_success(const GroupResource& gr, const std::string& name, const std::string& uid);

}  // namespace kexsim::fakes

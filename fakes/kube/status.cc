#include "fakes/kube/status.h"

namespace kexsim::fakes {
namespace {

using ojson = nlohmann::ordered_json;

// StatusDetails serialises name, group, kind, uid, causes, retryAfterSeconds, each omitted when empty.
ojson details(const std::string& name, const std::string& group, const std::string& kind) {
  ojson d = ojson::object();
  if (!name.empty()) d["name"] = name;
  if (!group.empty()) d["group"] = group;
  if (!kind.empty()) d["kind"] = kind;
  return d;
}

ApiStatus failure(int code, const std::string& reason, const std::string& message, const ojson* detail) {
  ApiStatus s;
  s.code = code;
  s.body = ojson::object();
  s.body["kind"] = "Status";
  s.body["apiVersion"] = "v1";
  s.body["metadata"] = ojson::object();
  s.body["status"] = "Failure";
  s.body["message"] = message;
  s.body["reason"] = reason;
  if (detail) s.body["details"] = *detail;
  s.body["code"] = code;
  return s;
}

std::string quoted(const std::string& text) { return ojson(text).dump(); }

}  // namespace

std::string ApiStatus::message() const { return body.value("message", std::string()); }

std::string ApiStatus::reason() const { return body.value("reason", std::string()); }

HttpResponse ApiStatus::response() const {
  HttpResponse r = HttpResponse::json(code, body.dump());
  for (const auto& h : headers) r.headers.push_back(h);
  return r;
}

ApiStatus status_not_found(const GroupResource& gr, const std::string& name) {
  const ojson d = details(name, gr.group, gr.resource);
  return failure(404, "NotFound", gr.qualified() + " " + quoted(name) + " not found", &d);
}

ApiStatus status_path_not_found() {
  const ojson d = ojson::object();
  return failure(404, "NotFound", "the server could not find the requested resource", &d);
}

ApiStatus status_already_exists(const GroupResource& gr, const std::string& name) {
  const ojson d = details(name, gr.group, gr.resource);
  return failure(409, "AlreadyExists", gr.qualified() + " " + quoted(name) + " already exists", &d);
}

ApiStatus status_generate_name_conflict(const GroupResource& gr, const std::string& name, int retry_after_seconds) {
  ojson d = details(name, gr.group, gr.resource);
  d["retryAfterSeconds"] = retry_after_seconds;
  return failure(409, "AlreadyExists",
                 gr.qualified() + " " + quoted(name) +
                     " already exists, the server was not able to generate a unique name for the object",
                 &d);
}

ApiStatus status_conflict(const GroupResource& gr, const std::string& name) {
  const ojson d = details(name, gr.group, gr.resource);
  return failure(409, "Conflict",
                 "Operation cannot be fulfilled on " + gr.qualified() + " " + quoted(name) +
                     ": the object has been modified; please apply your changes to the latest version and try again",
                 &d);
}

ApiStatus status_invalid(const std::string& group, const std::string& kind, const std::string& name,
                         const std::vector<FieldCause>& causes) {
  ojson d = details(name, group, kind);
  ojson list = ojson::array();
  std::string summary;
  for (size_t i = 0; i < causes.size(); ++i) {
    const FieldCause& c = causes[i];
    list.push_back({{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
    if (i > 0) summary += ", ";
    summary += c.field + ": " + c.message;
  }
  // utilerrors.Aggregate prints one error bare and several in brackets.
  if (causes.size() > 1) summary = "[" + summary + "]";
  d["causes"] = list;
  const std::string group_kind = group.empty() ? kind : kind + "." + group;
  return failure(422, "Invalid", group_kind + " " + quoted(name) + " is invalid: " + summary, &d);
}

ApiStatus status_bad_request(const std::string& message) { return failure(400, "BadRequest", message, nullptr); }

// apimachinery pkg/api/errors/errors.go NewForbidden: "%s %q is forbidden: %v" (no name: "%s is forbidden: %v",
// no resource: "forbidden: %v").
ApiStatus status_forbidden(const GroupResource& gr, const std::string& name, const std::string& detail) {
  std::string message;
  if (gr.resource.empty())
    message = "forbidden: " + detail;
  else if (name.empty())
    message = gr.qualified() + " is forbidden: " + detail;
  else
    message = gr.qualified() + " " + quoted(name) + " is forbidden: " + detail;
  const ojson d = details(name, gr.group, gr.resource);
  return failure(403, "Forbidden", message, &d);
}

ApiStatus status_unauthorized() { return failure(401, "Unauthorized", "Unauthorized", nullptr); }

ApiStatus status_method_not_supported(const GroupResource& gr, const std::string& action) {
  const ojson d = details("", gr.group, gr.resource);
  return failure(405, "MethodNotAllowed", action + " is not supported on resources of kind " + quoted(gr.qualified()),
                 &d);
}

ApiStatus status_method_not_allowed() {
  const ojson d = ojson::object();
  return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", &d);
}

ApiStatus status_unsupported_media_type(const std::vector<std::string>& accepted) {
  std::string list;
  for (const auto& a : accepted) list += (list.empty() ? "" : ", ") + a;
  return failure(415, "UnsupportedMediaType",
                 "the body of the request was in an unknown format - accepted media types include: " + list, nullptr);
}

// apimachinery pkg/api/errors/errors.go NewInternalError: "Internal error occurred: %v".
ApiStatus status_internal_error(const std::string& error) {
  ojson d = ojson::object();
  d["causes"] = ojson::array({ojson{{"message", error}}});
  return failure(500, "InternalError", "Internal error occurred: " + error, &d);
}

// apiserver pkg/server/filters/maxinflight.go tooManyRequests: "Too many requests, please try again later.".
ApiStatus status_too_many_requests(int retry_after_seconds) {
  ojson d = ojson::object();
  d["retryAfterSeconds"] = retry_after_seconds;
  ApiStatus s = failure(429, "TooManyRequests", "Too many requests, please try again later.", &d);
  s.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return s;
}

ApiStatus status_failure(int code, const std::string& reason, const std::string& message, const ojson* details) {
  ApiStatus s = failure(code, reason, message, details);
  if (reason.empty()) s.body.erase("reason");
  return s;
}

ApiStatus status_success(const GroupResource& gr, const std::string& name, const std::string& uid) {
  ApiStatus s;
  s.code = 200;
  ojson d = details(name, gr.group, gr.resource);
  if (!uid.empty()) d["uid"] = uid;
  s.body = ojson::object();
  s.body["kind"] = "Status";
  s.body["apiVersion"] = "v1";
  s.body["metadata"] = ojson::object();
  s.body["status"] = "Success";
  s.body["details"] = d;
  return s;
}

}  // namespace kexsim::fakes

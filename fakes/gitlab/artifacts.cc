#include "fakes/gitlab/artifacts.h"

#include <nlohmann/json.hpp>

namespace kexsim::fakes {
namespace {

std::string header_param(const std::string& header, const std::string& name) {
  const std::string key = name + "=";
  size_t at = header.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  if (at < header.size() && header[at] == '"') {
    const size_t end = header.find('"', at + 1);
    return header.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
  }
  const size_t end = header.find(';', at);
  return header.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

HttpResponse text_response(int status, const std::string& text) {
  return HttpResponse::json(status, nlohmann::json{{"message", text}}.dump());
}

}  // namespace

std::optional<MultipartFile> parse_multipart_file(const std::string& content_type, const std::string& body) {
  const std::string boundary = header_param(content_type, "boundary");
  if (content_type.rfind("multipart/form-data", 0) != 0 || boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  size_t at = body.find(delimiter);
  while (at != std::string::npos) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) break;  // the closing delimiter
    const size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string::npos) return std::nullopt;
    const std::string head = body.substr(at, head_end - at);
    const size_t next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string::npos) return std::nullopt;
    const std::string filename = header_param(head, "filename");
    if (!filename.empty()) {
      return MultipartFile{header_param(head, "name"), filename, body.substr(head_end + 4, next - head_end - 4)};
    }
    at = next + 2;
  }
  return std::nullopt;
}

HttpResponse accept_artifact_upload(const HttpRequest& request, std::vector<StoredArtifact>& store, TimePoint now,
                                    int64_t job_id) {
  // GitLab's API::Ci::Runner POST /jobs/:id/artifacts: a "file" part, the rest in the query.
  auto file = parse_multipart_file(request.header("content-type"), request.body);
  if (!file || file->field != "file") return text_response(400, "400 Bad request - file is missing");
  StoredArtifact artifact;
  artifact.filename = file->filename;
  artifact.artifact_type = request.query_value("artifact_type");
  if (artifact.artifact_type.empty()) artifact.artifact_type = "archive";
  artifact.artifact_format = request.query_value("artifact_format");
  artifact.expire_in = request.query_value("expire_in");
  artifact.content = std::move(file->content);
  artifact.uploaded_at = now;
  // A job keeps one archive of each type: a second upload of the same type is refused.
  for (const auto& a : store)
    if (a.artifact_type == artifact.artifact_type) return text_response(400, "400 Bad request - Already uploaded");
  store.push_back(std::move(artifact));
  return HttpResponse::json(201, nlohmann::json{{"id", job_id}}.dump());
}

HttpResponse serve_artifact_download(const std::vector<StoredArtifact>& store) {
  for (const auto& a : store) {
    if (a.artifact_type != "archive") continue;
    HttpResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/octet-stream");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + a.filename + "\"");
    r.body = a.content;
    return r;
  }
  return text_response(404, "404 Not Found");
}

}  // namespace kexsim::fakes

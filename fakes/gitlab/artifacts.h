#pragma once
// The runner API's artifact endpoints (POST and GET /api/v4/jobs/:id/artifacts): the multipart
// upload the helper's artifacts-uploader sends, kept in memory per job, and the download of it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// One archive a job uploaded.
struct StoredArtifact {
  std::string filename;       ///< the multipart file name, e.g. "artifacts.zip"
  std::string artifact_type;  ///< ?artifact_type=, e.g. "archive"
  std::string artifact_format;
  std::string expire_in;
  std::string content;  ///< the archive's bytes
  TimePoint uploaded_at{};
};

/// The file part of a multipart/form-data body: its filename and bytes; nullopt when malformed.
struct MultipartFile {
  std::string field;
  std::string filename;
  std::string content;
};
std::optional<MultipartFile> parse_multipart_file(const std::string& content_type, const std::string& body);

/// Answers an upload for a running job whose token matched: stores the archive and says 201.
HttpResponse accept_artifact_upload(const HttpRequest& request, std::vector<StoredArtifact>& store, TimePoint now,
                                    int64_t job_id);

/// Answers a download of a job's archive: 200 with its bytes, or 404 when it has none.
HttpResponse serve_artifact_download(const std::vector<StoredArtifact>& store);

}  // namespace kexsim::fakes

#pragma once
// Git packfiles (version 2, no deltas) as upload-pack sends them: the format of
// Documentation/gitformat-pack.txt in git's sources.

#include <string>
#include <vector>

#include "base/result.h"
#include "fakes/gitlab/repository.h"

namespace kexsim::fakes {

/// A pack holding objects (40-hex ids of repo) in the given order: "PACK", version 2, the object
/// count, each object as a type-and-size header plus its zlib-deflated content, then the SHA-1 of
/// all that. Fails when an id is not in repo or zlib fails.
Result<std::string> write_pack(const GitRepository& repo, const std::vector<std::string>& objects);


}  // namespace kexsim::fakes

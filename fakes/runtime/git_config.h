#pragma once
// git's configuration files as the git model reads and writes them (the INI-like format of
// git-config(1)): `git config` on --system, --global, the repository's or a --file's config, and the
// http.* settings a fetch looks up, most specific URL first.

#include <string>
#include <utility>
#include <vector>

namespace kexsim::fakes::shell {

/// One setting: its canonical key ("http.sslverify", "http.https://gitlab.mylab.com.sslcainfo":
/// section and name lower-cased, subsection as written) and its value.
struct GitConfigEntry {
  std::string key;
  std::string value;
  std::string name;  ///< the variable name as written ("sslVerify"), kept when the file is rewritten
};

/// A key as written ("http.https://x.sslCAInfo") in canonical form; empty when it has no section or name.
std::string canonical_git_key(const std::string& key);

/// The entries of a config file's text, in order (later ones win).
std::vector<GitConfigEntry> parse_git_config(const std::string& text);

/// The file with key set to value (replacing its last occurrence, or added to its section).
std::string set_git_config(const std::string& text, const std::string& key, const std::string& value);

/// The file without any entry for key.
std::string unset_git_config(const std::string& text, const std::string& key);

/// url as git rewrites it with url.<base>.insteadOf: the longest matching prefix is replaced by its base.
std::string git_rewrite_url(const std::vector<GitConfigEntry>& entries, const std::string& url);

/// Whether a config value means false (false, no, off, 0; case-insensitive).
bool git_false(const std::string& value);

/// The value of http.<url>.<name> or http.<name> that applies to url, as git's urlmatch picks it
/// (the longest matching URL prefix wins, then the later entry); empty if none.
std::string git_http_setting(const std::vector<GitConfigEntry>& entries, const std::string& name,
                             const std::string& url);

}  // namespace kexsim::fakes::shell

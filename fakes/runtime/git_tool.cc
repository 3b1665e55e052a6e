// The git model: what GitLab Runner's get_sources stage runs (init, remote, fetch, checkout,
// clean, submodule, lfs) and clone. fetch and clone speak git's smart HTTP (protocol v0) to the
// fake GitLab over the pod's network, TLS verified by OpenSSL with the pod's trust: GET info/refs,
// then POST git-upload-pack, whose pack is unpacked into .git/objects (git_objects.h); checkout and
// clone write the commit's files into the work tree. Messages are git 2.45's.
//
// Virtual time: a transfer costs the connection attempt (ConnectOutcome::elapsed) plus
// kTransferCost when the remote answers; everything else is instant.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "base/base64.h"
#include "base/strings.h"
#include "fakes/runtime/git_config.h"
#include "fakes/runtime/git_log.h"
#include "fakes/runtime/git_objects.h"
#include "fakes/runtime/interpreter.h"
#include "fakes/runtime/tools.h"
#include "fakes/runtime/url.h"

namespace kexsim::fakes::shell {
namespace {

constexpr Duration kTransferCost = std::chrono::seconds(1);
constexpr const char* kVersion = "git version 2.45.2\n";
// `git lfs version` of git-lfs 3.5 (its own format: git-lfs/<version> (GitHub; <os> <arch>; go <version>)).
constexpr const char* kLfsVersion = "git-lfs/3.5.1 (GitHub; linux amd64; go 1.22.2)\n";
constexpr const char* kAgent = "agent=git/2.45.2";
constexpr const char* kUserAgent = "git/2.45.2";
constexpr const char* kReadRemoteHelp =
    "fatal: Could not read from remote repository.\n\n"
    "Please make sure you have the correct access rights\nand the repository exists.\n";

bool is_hex(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// How git shows a ref in fetch output: "main" for refs/heads/main, "origin/main" for remotes.
std::string short_ref(const std::string& ref) {
  for (const char* p : {"refs/heads/", "refs/tags/", "refs/remotes/"})
    if (starts_with(ref, p)) return ref.substr(std::string(p).size());
  return ref;
}

std::string pad_right(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

// The remote of one fetch or clone: its connection, what it advertised, and the request headers.
struct Remote {
  Url url;
  std::string base;  ///< the URL path without trailing slashes, "/root/mycicd.git"
  std::unique_ptr<Connection> connection;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string head;                         ///< what HEAD points at (symref), e.g. "refs/heads/master"
  std::map<std::string, std::string> refs;  ///< full ref name -> sha
};

// One git invocation: its working directory (-C) and the config overrides (-c) that matter.
struct Git {
  ToolContext& ctx;
  std::string dir;
  std::vector<GitConfigEntry> overrides;  ///< -c name=value, above every config file

  // The config files a command sees (system, global, the repository's at git_dir), then -c.
  std::vector<GitConfigEntry> effective_config(const std::string& git_dir) {
    std::vector<GitConfigEntry> out;
    for (const std::string& path : {std::string("/etc/gitconfig"), home() + "/.gitconfig",
                                    git_dir.empty() ? std::string() : git_dir + "/config"}) {
      if (!path.empty()) read_config_file(path, out, 0);
    }
    for (const auto& o : overrides) {
      out.push_back(o);
      // `git -c include.path=<file>` (how the runner hands submodule commands its external config).
      if (o.key == "include.path") read_config_file(FileSystem::resolve(dir, o.value), out, 1);
    }
    return out;
  }

  // One config file's entries, with each include.path's file read in its place (config.c
  // handle_path_include: a relative path is relative to the including file; 10 levels at most).
  void read_config_file(const std::string& path, std::vector<GitConfigEntry>& out, int depth) {
    const File* f = session().fs.file(path);
    if (!f || depth > 10) return;
    for (auto& e : parse_git_config(f->content)) {
      const bool include = e.key == "include.path";
      const std::string included = include ? FileSystem::resolve(FileSystem::parent(path), e.value) : std::string();
      out.push_back(std::move(e));
      if (include) read_config_file(included, out, depth + 1);
    }
  }

  std::string home() {
    const std::string* h = ctx.env.get("HOME");
    return h && !h->empty() ? *h : "/root";
  }

  Session& session() { return ctx.session; }

  // The work tree containing dir (git walks up to find .git), or nullptr.
  GitWorkTree* work_tree(std::string* root = nullptr) {
    std::string d = dir;
    while (true) {
      auto it = session().git.find(d);
      if (it != session().git.end()) {
        if (!session().fs.is_dir(d + "/.git")) {
          session().git.erase(it);  // the script removed it
        } else {
          if (root) *root = d;
          return &it->second;
        }
      }
      if (d == "/") return nullptr;
      d = FileSystem::parent(d);
    }
  }

  int not_a_repository() {
    ctx.err("fatal: not a git repository (or any of the parent directories): .git\n");
    return 128;
  }

  // Connects to the remote over the pod's network (TLS verified with the pod's trust) and reads
  // its ref advertisement (GET info/refs); on failure prints git's messages.
  int open_remote(const std::string& configured_url, Remote& remote, const std::string& git_dir) {
    const std::string url_text = git_rewrite_url(effective_config(git_dir), configured_url);
    auto url = parse_url(url_text);
    if (!url) {
      ctx.err("fatal: '" + configured_url + "' does not appear to be a git repository\n" + kReadRemoteHelp);
      return 128;
    }
    remote.url = *url;
    // http.c: http.sslVerify and http.sslCAInfo (per URL or not) from config, then the environment.
    const std::vector<GitConfigEntry> config = effective_config(git_dir);
    TlsOptions trust;
    const std::string verify_setting = git_http_setting(config, "sslVerify", url->display());
    trust.verify = verify_setting.empty() || !git_false(verify_setting);
    const std::string* no_verify = ctx.env.get("GIT_SSL_NO_VERIFY");
    if (no_verify && !no_verify->empty() && *no_verify != "false" && *no_verify != "0") trust.verify = false;
    std::string ca_file = git_http_setting(config, "sslCAInfo", url->display());
    if (const std::string* ca = ctx.env.get("GIT_SSL_CAINFO"); ca && !ca->empty()) ca_file = *ca;
    bool ca_missing = false;
    if (!ca_file.empty()) {
      auto pem = session().read_file(FileSystem::resolve(dir, ca_file));
      if (pem) trust.extra_pems.push_back(*pem);
      ca_missing = !pem;
    }
    Connected connected = session().world.open(url->host, url->port, url->tls() ? &trust : nullptr);
    session().now += connected.outcome.elapsed;
    using Kind = ConnectOutcome::Kind;
    const Kind kind = connected.outcome.kind;
    const bool tcp_failed =
        kind == Kind::kResolveFailed || kind == Kind::kRefused || kind == Kind::kUnreachable || kind == Kind::kTimeout;
    // libcurl loads the CA file while setting up TLS, after the TCP connect (lib/vtls/openssl.c).
    if (url->tls() && trust.verify && ca_missing && !tcp_failed) {
      ctx.err("fatal: unable to access '" + url->display() + "/': error setting certificate file: " + ca_file + "\n");
      return 128;
    }
    if (kind != Kind::kOk || !connected.connection) {
      ctx.err("fatal: unable to access '" + url->display() +
              "/': " + curl_error_text(connected.outcome, url->host, url->port) + "\n");
      return 128;
    }
    remote.connection = std::move(connected.connection);
    // http.c: http.userAgent (per URL too) over git's own; the runner sets it on every fetch.
    const std::string agent = git_http_setting(config, "userAgent", url->display());
    remote.headers.emplace_back("User-Agent", agent.empty() ? std::string(kUserAgent) : agent);
    remote.headers.emplace_back("Accept", "*/*");
    remote.headers.emplace_back("Pragma", "no-cache");
    remote.base = url->path;
    while (!remote.base.empty() && remote.base.back() == '/') remote.base.pop_back();
    // git 2.45 asks for protocol v2; a server that ignores the header answers v0, and git falls back.
    auto advertise = [&] {
      auto headers = remote.headers;
      headers.emplace_back("Git-Protocol", "version=2");
      return http_exchange(*remote.connection, "GET", *url, remote.base + "/info/refs?service=git-upload-pack", headers,
                           "");
    };
    auto reply = advertise();
    // libcurl sends the URL's credentials only when the server asks for them (401), so a public
    // project never sees them.
    if (reply && reply->status == 401 && url->has_credentials) {
      remote.headers.emplace_back("Authorization", "Basic " + base64_encode(url->user + ":" + url->password));
      reply = advertise();
    } else if (reply && reply->status == 401) {
      // No credentials and no helper: git asks the terminal (credential.c credential_getpass,
      // prompt.c git_prompt). GIT_TERMINAL_PROMPT=0 forbids it; a container has no terminal at all.
      const std::string* prompt = ctx.env.get("GIT_TERMINAL_PROMPT");
      const bool prompts = !prompt || !(git_false(*prompt));
      std::string described = url->scheme + "://" + url->host;
      if (url->explicit_port) described += ":" + std::to_string(url->port);
      ctx.err("fatal: could not read Username for '" + described +
              "': " + (prompts ? "No such device or address" : "terminal prompts disabled") + "\n");
      return 128;
    }
    if (!reply) {
      ctx.err("fatal: unable to access '" + url->display() + "/': " + reply.error().message + "\n");
      return 128;
    }
    if (reply->status != 200) return http_failure(*reply, *url);
    if (!parse_advertisement(reply->body, remote)) {
      ctx.err("fatal: protocol error: bad line length character: " + reply->body.substr(0, 4) + "\n");
      return 128;
    }
    session().now += kTransferCost;
    return 0;
  }

  // git's words for an HTTP error answer (http.c, remote-curl.c), with the body GitLab sent as "remote:" lines.
  int http_failure(const HttpReply& reply, const Url& url) {
    std::string remote_lines;
    for (const auto& line : split(reply.body, '\n'))
      if (!trim(line).empty()) remote_lines += "remote: " + line + "\n";
    if (reply.status == 404) {
      ctx.err(remote_lines + "fatal: repository '" + url.display() + "/' not found\n");
    } else if (reply.status == 401) {
      ctx.err(remote_lines + "fatal: Authentication failed for '" + url.display() + "/'\n");
    } else {
      ctx.err(remote_lines + "fatal: unable to access '" + url.display() +
              "/': The requested URL returned error: " + std::to_string(reply.status) + "\n");
    }
    return 128;
  }

  // Reads "# service=git-upload-pack", a flush, then "<sha> <ref>" lines (capabilities after a NUL on the first).
  static bool parse_advertisement(const std::string& body, Remote& remote) {
    size_t pos = 0;
    int flushes = 0;
    bool service_seen = false;
    while (pos + 4 <= body.size()) {
      const size_t length = std::strtoul(body.substr(pos, 4).c_str(), nullptr, 16);
      if (length == 0) {
        if (body.compare(pos, 4, "0000") != 0) return false;
        pos += 4;
        ++flushes;
        continue;
      }
      if (length < 4 || pos + length > body.size()) return false;
      std::string line = body.substr(pos + 4, length - 4);
      pos += length;
      if (!line.empty() && line.back() == '\n') line.pop_back();
      if (!service_seen) {
        if (line != "# service=git-upload-pack") return false;
        service_seen = true;
        continue;
      }
      const size_t nul = line.find('\0');
      if (nul != std::string::npos) {
        for (const auto& cap : split(line.substr(nul + 1), ' '))
          if (starts_with(cap, "symref=HEAD:")) remote.head = cap.substr(12);
        line.resize(nul);
      }
      if (line.size() < 42 || line[40] != ' ') return false;
      const std::string sha = line.substr(0, 40), name = line.substr(41);
      if (name != "HEAD" && name != "capabilities^{}") remote.refs[name] = sha;
    }
    return service_seen && flushes >= 2 && pos == body.size();
  }

  // Asks for wants (POST git-upload-pack) and unpacks the pack that comes back into git_dir.
  int download(Remote& remote, std::vector<std::string> wants, int depth, const std::string& git_dir) {
    std::sort(wants.begin(), wants.end());
    wants.erase(std::unique(wants.begin(), wants.end()), wants.end());
    if (wants.empty()) return 0;
    std::string request;
    for (size_t i = 0; i < wants.size(); ++i)
      request += pkt("want " + wants[i] + (i == 0 ? std::string(" no-progress shallow ") + kAgent : "") + "\n");
    if (depth > 0) request += pkt("deepen " + std::to_string(depth) + "\n");
    request += "0000" + pkt("done\n");
    auto headers = remote.headers;
    headers.emplace_back("Content-Type", "application/x-git-upload-pack-request");
    headers.emplace_back("Accept", "application/x-git-upload-pack-result");
    auto reply =
        http_exchange(*remote.connection, "POST", remote.url, remote.base + "/git-upload-pack", headers, request);
    if (!reply) {
      ctx.err("error: RPC failed; " + reply.error().message + "\nfatal: expected flush after ref listing\n");
      return 128;
    }
    if (reply->status != 200) return http_failure(*reply, remote.url);
    const std::string& body = reply->body;
    size_t pos = 0;
    // The shallow-update section (only when deepen was asked) ends with a flush; then NAK or ACK.
    bool acknowledged = false;
    std::string shallow;
    for (int lines = 0; pos + 4 <= body.size() && !acknowledged && lines < 10000; ++lines) {
      const size_t length = std::strtoul(body.substr(pos, 4).c_str(), nullptr, 16);
      if (length == 0) {
        pos += 4;
        continue;
      }
      if (length < 4 || pos + length > body.size()) break;
      const std::string line = body.substr(pos + 4, length - 4);
      pos += length;
      if (starts_with(line, "ERR ")) {
        ctx.err("fatal: remote error: " + trim(line.substr(4)) + "\n");
        return 128;
      }
      if (starts_with(line, "shallow ")) shallow += line.substr(8);
      acknowledged = line == "NAK\n" || starts_with(line, "ACK ");
    }
    // Like git, record where history was cut.
    if (!shallow.empty()) session().fs.write(git_dir + "/shallow", shallow, true);
    if (!acknowledged) {
      ctx.err("fatal: git fetch-pack: expected ACK/NAK, got a flush packet\n");
      return 128;
    }
    if (const int killed = receive_pack(remote, body.substr(pos)); killed != 0) return killed;
    auto unpacked = unpack_objects(session().fs, git_dir, body.substr(pos));
    if (!unpacked) {
      ctx.err(unpacked.error().message + "\n");
      return 128;
    }
    return 0;
  }

  // The processes a fetch over HTTP runs (protocol v0): git fetch, git-remote-https and
  // `git fetch-pack --stateless-rpc --lock-pack` (remote-curl.c fetch_git), which hands the pack to
  // index-pack when it holds fetch.unpackLimit (100) objects or more, else to unpack-objects
  // (fetch-pack.c get_pack). The unpacker holds the pack: over the container's limit the kernel
  // kills it. Returns 0, or git's status when the OOM killer stopped the fetch.
  int receive_pack(const Remote& remote, const std::string& pack) {
    MemoryCgroup* memory = session().memory;
    if (!memory) return 0;
    const uint64_t pack_bytes = pack.size() + session().world.pack_bytes(remote.base);
    uint32_t objects = 0;
    if (pack.size() >= 12)
      for (int i = 8; i < 12; ++i) objects = (objects << 8) | static_cast<unsigned char>(pack[i]);
    const bool index_pack = objects >= 100;
    std::vector<int> chain;
    for (const char* name : {"git", "git-remote-https", "git"}) {
      chain.push_back(memory->start(name));
      memory->grow(chain.back(), footprint::kGit);
    }
    // Every git program's comm is "git": they run as `git <subcommand>`.
    const OomVerdict oom = session().charge("git", pack_bytes + footprint::kPackOverhead);
    for (int id : chain) memory->exit(id);
    if (oom.kind == OomVerdict::Kind::kContainerDied) return shell::kKilledStatus;
    if (oom.kind != OomVerdict::Kind::kGrowerKilled) return 0;
    // index-pack's output is read first (pack-write.c index_pack_lockfile): a killed index-pack
    // leaves it empty. unpack-objects is only waited for (run-command.c wait_or_whine).
    if (index_pack)
      ctx.err("fatal: fetch-pack: invalid index-pack output\n");
    else
      ctx.err("error: unpack-objects died of signal 9\nfatal: unpack-objects failed\n");
    return 128;
  }

  static std::string pkt(const std::string& payload) {
    char length[5];
    std::snprintf(length, sizeof length, "%04zx", payload.size() + 4);
    return std::string(length, 4) + payload;
  }

  // Resolves a branch, tag, remote-tracking name or (abbreviated) sha against fetched refs.
  std::string resolve(const GitWorkTree& tree, const std::string& name) {
    if (name == "HEAD") return tree.head;
    if (name.size() >= 4 && name.size() <= 40 && is_hex(name)) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (starts_with(tree.head, lower)) return tree.head;
      for (const auto& [ref, sha] : tree.refs)
        if (starts_with(sha, lower)) return sha;
    }
    for (const std::string& candidate :
         {name, "refs/heads/" + name, "refs/tags/" + name, "refs/remotes/" + name, "refs/remotes/origin/" + name}) {
      auto it = tree.refs.find(candidate);
      if (it != tree.refs.end()) return it->second;
    }
    return "";
  }

  int init(const std::vector<std::string>& args);
  int remote(const std::vector<std::string>& args);
  int fetch(const std::vector<std::string>& args);
  int clone(const std::vector<std::string>& args);
  int checkout(const std::vector<std::string>& args);
  int rev_parse(const std::vector<std::string>& args);
  int log(const std::vector<std::string>& args);
  int config(const std::vector<std::string>& args);
  int submodule(const std::vector<std::string>& args);
  int lfs(const std::vector<std::string>& args);
  int run(const std::vector<std::string>& args);

  // One submodule of the work tree: .gitmodules' name, path and url, and the commit its gitlink pins.
  struct Submodule {
    std::string name, path, url, commit;
  };
  std::vector<Submodule> submodules_of(const std::string& root, const GitWorkTree& tree);
  std::string submodule_url(const std::string& root, const GitWorkTree& tree, const std::string& url);
  int submodule_update(const std::string& root, const std::vector<Submodule>& selected, bool recursive, int depth,
                       const std::string& prefix);
  int submodule_foreach(const std::string& root, const GitWorkTree& tree, const std::vector<std::string>& command,
                        bool recursive, const std::string& prefix);
  void submodule_init(const std::string& root, const GitWorkTree& tree, const std::vector<Submodule>& selected,
                      const std::string& prefix, bool quiet);
};

int Git::init(const std::vector<std::string>& args) {
  bool quiet = false;
  std::string target_arg, template_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet")
      quiet = true;
    else if (a == "--template" && i + 1 < args.size())
      template_dir = args[++i];
    else if (starts_with(a, "--template="))
      template_dir = a.substr(11);
    else if ((a == "-b" || a == "--initial-branch" || a == "--separate-git-dir" || a == "--object-format") &&
             i + 1 < args.size())
      ++i;
    else if (!a.empty() && a[0] == '-')
      continue;
    else if (target_arg.empty())
      target_arg = a;
  }
  const std::string target = target_arg.empty() ? dir : FileSystem::resolve(dir, target_arg);
  if (session().fs.is_file(target)) {
    ctx.err("fatal: cannot mkdir " + target_arg + ": File exists\n");
    return 128;
  }
  const bool existing = session().git.count(target) && session().fs.is_dir(target + "/.git");
  session().fs.make_dir(target);
  session().fs.make_dir(target + "/.git");
  // The template's files are copied in, its config too (how GitLab Runner hands git its settings).
  if (!template_dir.empty() && !existing) {
    const File* config = session().fs.file(FileSystem::resolve(dir, template_dir) + "/config");
    if (config && !session().fs.file(target + "/.git/config"))
      session().fs.write(target + "/.git/config", config->content, false);
  }
  if (!existing) {
    // builtin/init-db.c create_default_files: the core settings after whatever the template gave.
    const File* config = session().fs.file(target + "/.git/config");
    std::string text = config ? config->content : std::string();
    for (const auto& [key, value] : {std::pair<const char*, const char*>{"core.repositoryformatversion", "0"},
                                     {"core.filemode", "true"},
                                     {"core.bare", "false"},
                                     {"core.logallrefupdates", "true"}})
      text = set_git_config(text, key, value);
    session().fs.write(target + "/.git/config", text, false);
  }
  session().git[target];
  if (!quiet)
    ctx.out(std::string(existing ? "Reinitialized existing" : "Initialized empty") + " Git repository in " +
            (target == "/" ? "" : target) + "/.git/\n");
  return 0;
}

int Git::remote(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  // The remotes live in .git/config as git keeps them ([remote "origin"] url, fetch).
  const std::string config_path = root + "/.git/config";
  const auto edit_config = [&](const std::string& name, const std::string* url) {
    const File* f = session().fs.file(config_path);
    std::string text = f ? f->content : std::string();
    if (url) {
      const bool added = !tree->remotes.count(name);
      text = set_git_config(text, "remote." + name + ".url", *url);
      if (added) text = set_git_config(text, "remote." + name + ".fetch", "+refs/heads/*:refs/remotes/" + name + "/*");
    } else {
      text = unset_git_config(unset_git_config(text, "remote." + name + ".url"), "remote." + name + ".fetch");
    }
    session().fs.write(config_path, text, false);
  };
  std::vector<std::string> operands;
  bool verbose = false;
  for (const auto& a : args) {
    if (a == "-v" || a == "--verbose")
      verbose = true;
    else if (!a.empty() && a[0] == '-')
      continue;
    else
      operands.push_back(a);
  }
  if (operands.empty()) {
    std::string out;
    for (const auto& [name, url] : tree->remotes)
      out += verbose ? name + "\t" + url + " (fetch)\n" + name + "\t" + url + " (push)\n" : name + "\n";
    ctx.out(out);
    return 0;
  }
  const std::string& sub = operands[0];
  const std::string name = operands.size() > 1 ? operands[1] : "";
  const bool exists = tree->remotes.count(name) > 0;
  if (sub == "add" && operands.size() >= 3) {
    if (exists) {
      ctx.err("error: remote " + name + " already exists.\n");
      return 3;
    }
    edit_config(name, &operands[2]);
    tree->remotes[name] = operands[2];
    return 0;
  }
  if ((sub == "set-url" && operands.size() >= 3) || sub == "get-url" || sub == "remove" || sub == "rm") {
    if (!exists) {
      ctx.err("error: No such remote '" + name + "'\n");
      return 2;
    }
    if (sub == "set-url") {
      edit_config(name, &operands[2]);
      tree->remotes[name] = operands[2];
    }
    if (sub == "get-url") ctx.out(tree->remotes[name] + "\n");
    if (sub == "remove" || sub == "rm") {
      edit_config(name, nullptr);
      tree->remotes.erase(name);
    }
    return 0;
  }
  return 0;
}

int Git::fetch(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  bool quiet = false;
  int depth = 0;
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet")
      quiet = true;
    else if (a == "--depth" && i + 1 < args.size())
      depth = std::atoi(args[++i].c_str());
    else if (starts_with(a, "--depth="))
      depth = std::atoi(a.c_str() + 8);
    else if ((a == "--deepen" || a == "--shallow-since" || a == "-j" || a == "--jobs") && i + 1 < args.size())
      ++i;
    else if (a.size() > 1 && a[0] == '-')
      continue;
    else
      operands.push_back(a);
  }
  const std::string remote = operands.empty() ? "origin" : operands[0];
  std::string url_text;
  if (remote.find("://") != std::string::npos) {
    url_text = remote;
  } else if (auto it = tree->remotes.find(remote); it != tree->remotes.end()) {
    url_text = it->second;
  } else {
    ctx.err("fatal: '" + remote + "' does not appear to be a git repository\n" + kReadRemoteHelp);
    return 128;
  }
  Remote repo;
  if (const int failed = open_remote(url_text, repo, root + "/.git")) return failed;
  const Url* url = &repo.url;

  std::vector<std::string> refspecs(operands.size() > 1 ? operands.begin() + 1 : operands.end(), operands.end());
  const bool named_remote = remote.find("://") == std::string::npos;
  if (refspecs.empty()) refspecs.push_back("+refs/heads/*:refs/remotes/" + (named_remote ? remote : "origin") + "/*");

  struct Update {
    std::string src, dst, sha;
  };
  std::vector<Update> updates;
  for (std::string spec : refspecs) {
    if (!spec.empty() && spec[0] == '+') spec.erase(0, 1);
    const size_t colon = spec.find(':');
    const std::string src = spec.substr(0, colon);
    const std::string dst = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (!src.empty() && src.back() == '*') {
      const std::string prefix = src.substr(0, src.size() - 1);
      const std::string dst_prefix = dst.empty() ? "" : dst.substr(0, dst.size() - 1);
      for (const auto& [full, sha] : repo.refs) {
        if (starts_with(full, prefix))
          updates.push_back({full, dst.empty() ? "" : dst_prefix + full.substr(prefix.size()), sha});
      }
      continue;
    }
    const std::string* sha = nullptr;
    std::string full;
    for (const auto& [f, value] : repo.refs) {
      if (f == src || f == "refs/heads/" + src || f == "refs/tags/" + src) {
        sha = &value;
        full = starts_with(src, "refs/") ? src : f;
        break;
      }
    }
    if (!sha) {
      ctx.err("fatal: couldn't find remote ref " + src + "\n");
      return 128;
    }
    updates.push_back({full, dst, *sha});
  }
  std::vector<std::string> wants;
  for (const auto& u : updates) wants.push_back(u.sha);
  if (const int failed = download(repo, wants, depth, root + "/.git")) return failed;

  std::string report;
  for (const auto& u : updates) {
    tree->refs["FETCH_HEAD"] = u.sha;
    if (u.dst.empty()) continue;
    auto it = tree->refs.find(u.dst);
    const bool fresh = it == tree->refs.end();
    if (!fresh && it->second == u.sha) continue;
    std::string summary;
    if (fresh) {
      summary = starts_with(u.src, "refs/tags/")    ? "[new tag]"
                : starts_with(u.src, "refs/heads/") ? "[new branch]"
                                                    : "[new ref]";
      summary = " * " + pad_right(summary, 17);
    } else {
      summary = " + " + pad_right(it->second.substr(0, 7) + "..." + u.sha.substr(0, 7), 17);
    }
    report += summary + " " + pad_right(short_ref(u.src), 10) + " -> " + short_ref(u.dst) +
              (fresh ? "" : "  (forced update)") + "\n";
    tree->refs[u.dst] = u.sha;
  }
  if (!quiet && !report.empty()) {
    std::string from = url->display();
    if (from.size() > 4 && from.compare(from.size() - 4, 4, ".git") == 0) from.resize(from.size() - 4);
    ctx.err("From " + from + "\n" + report);
  }
  return 0;
}

int Git::clone(const std::vector<std::string>& args) {
  bool quiet = false, no_checkout = false;
  int depth = 0;
  std::string branch, origin = "origin";
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet")
      quiet = true;
    else if (a == "-n" || a == "--no-checkout")
      no_checkout = true;
    else if ((a == "-b" || a == "--branch") && i + 1 < args.size())
      branch = args[++i];
    else if ((a == "-o" || a == "--origin") && i + 1 < args.size())
      origin = args[++i];
    else if (a == "--depth" && i + 1 < args.size())
      depth = std::atoi(args[++i].c_str());
    else if (starts_with(a, "--depth="))
      depth = std::atoi(a.c_str() + 8);
    else if ((a == "--reference" || a == "-c" || a == "--config" || a == "--template" || a == "-j" || a == "--jobs" ||
              a == "--shallow-since") &&
             i + 1 < args.size())
      ++i;
    else if (a.size() > 1 && a[0] == '-')
      continue;
    else
      operands.push_back(a);
  }
  if (operands.empty()) {
    ctx.err("fatal: You must specify a repository to clone.\n");
    return 129;
  }
  const std::string& url_text = operands[0];
  std::string dir_arg = operands.size() > 1 ? operands[1] : "";
  if (dir_arg.empty()) {
    std::string p = url_text;
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (p.size() > 4 && p.compare(p.size() - 4, 4, ".git") == 0) p.resize(p.size() - 4);
    dir_arg = p.substr(p.find_last_of("/:") + 1);
  }
  const std::string target = FileSystem::resolve(dir, dir_arg);
  auto& fs = session().fs;
  if (fs.is_file(target) || (fs.is_dir(target) && fs.has_children(target))) {
    ctx.err("fatal: destination path '" + dir_arg + "' already exists and is not an empty directory.\n");
    return 128;
  }
  // git builtin/clone.c cmd_clone: "Cloning into '%s'...\n".
  if (!quiet) ctx.err("Cloning into '" + dir_arg + "'...\n");
  Remote repo;
  if (const int failed = open_remote(url_text, repo, "")) return failed;
  if (branch.empty()) branch = short_ref(repo.head);
  std::string head;
  for (const auto& [full, sha] : repo.refs)
    if (full == "refs/heads/" + branch || full == "refs/tags/" + branch) head = sha;
  if (head.empty() && !branch.empty() && !repo.refs.empty()) {
    ctx.err("warning: Could not find remote branch " + branch + " to clone.\nfatal: Remote branch " + branch +
            " not found in upstream " + origin + "\n");
    return 128;
  }
  // A clone takes branches and tags (with --depth: only the branch it checks out).
  std::vector<std::string> wants;
  for (const auto& [full, sha] : repo.refs)
    if (depth > 0 ? sha == head : starts_with(full, "refs/heads/") || starts_with(full, "refs/tags/"))
      wants.push_back(sha);
  const bool existed = fs.is_dir(target);
  if (const int failed = download(repo, wants, depth, target + "/.git")) {
    if (!existed) fs.remove(target);  // git removes what a failed clone made
    return failed;
  }
  fs.make_dir(target);
  fs.make_dir(target + "/.git");
  GitWorkTree& tree = session().git[target];
  tree = GitWorkTree{};
  tree.remotes[origin] = url_text;
  {
    std::string text;
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"core.repositoryformatversion", "0"},
                                     {"core.filemode", "true"},
                                     {"core.bare", "false"},
                                     {"core.logallrefupdates", "true"},
                                     {"remote." + origin + ".url", url_text},
                                     {"remote." + origin + ".fetch", "+refs/heads/*:refs/remotes/" + origin + "/*"}})
      text = set_git_config(text, key, value);
    fs.write(target + "/.git/config", text, false);
  }
  for (const auto& [full, sha] : repo.refs) {
    if (depth > 0 && full != "refs/heads/" + branch && full != "refs/tags/" + branch) continue;
    if (starts_with(full, "refs/heads/"))
      tree.refs["refs/remotes/" + origin + "/" + short_ref(full)] = sha;
    else if (starts_with(full, "refs/tags/"))
      tree.refs[full] = sha;
  }
  if (!head.empty()) {
    tree.refs["refs/heads/" + branch] = head;
    if (!no_checkout) {
      if (auto st = checkout_commit(fs, target + "/.git", head, target); !st) {
        ctx.err(st.error().message + "\n");
        return 128;
      }
      tree.head = head;
    }
  }
  return 0;
}

int Git::checkout(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  std::string new_branch, target;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-b" || a == "-B") && i + 1 < args.size())
      new_branch = args[++i];
    else if (a == "--")
      break;
    else if (a.size() > 1 && a[0] == '-')
      continue;
    else if (target.empty())
      target = a;
  }
  if (target.empty()) target = "HEAD";
  const std::string sha = resolve(*tree, target);
  if (sha.empty()) {
    if (target.size() == 40 && is_hex(target)) {
      ctx.err("fatal: reference is not a tree: " + target + "\n");
      return 128;
    }
    ctx.err("error: pathspec '" + target + "' did not match any file(s) known to git\n");
    return 1;
  }
  if (auto st = checkout_commit(session().fs, root + "/.git", sha, root); !st) {
    ctx.err(st.error().message + "\n");
    return 128;
  }
  tree->head = sha;
  if (!new_branch.empty()) tree->refs["refs/heads/" + new_branch] = sha;
  return 0;
}

int Git::rev_parse(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  bool short_form = false;
  std::string out;
  for (const auto& a : args) {
    if (a == "--short")
      short_form = true;
    else if (a == "--show-toplevel")
      out += root + "\n";
    else if (a == "--is-inside-work-tree")
      out += "true\n";
    else if (a == "--git-dir")
      out += (dir == root ? std::string(".git") : root + "/.git") + "\n";
    else if (!a.empty() && a[0] == '-')
      continue;
    else {
      const std::string sha = resolve(*tree, a);
      if (sha.empty()) {
        ctx.out(out + a + "\n");
        ctx.err("fatal: ambiguous argument '" + a +
                "': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, "
                "like this:\n'git <command> [<revision>...] -- [<file>...]'\n");
        return 128;
      }
      out += (short_form ? sha.substr(0, 7) : sha) + "\n";
    }
  }
  ctx.out(out);
  return 0;
}

int Git::log(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  auto options = parse_git_log_args(args);
  if (!options) {
    ctx.err("fatal: " + options.error().message + "\nhint: " + options.error().hint + "\n");
    return 128;
  }
  const std::string sha = resolve(*tree, options->revision);
  if (sha.empty()) {
    if (!options->revision_given) {
      // No checkout yet (GIT_CHECKOUT=false). The model keeps no unborn branch name: git's default.
      ctx.err("fatal: your current branch 'master' does not have any commits yet\n");
      return 128;
    }
    ctx.err("fatal: ambiguous argument '" + options->revision +
            "': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, "
            "like this:\n'git <command> [<revision>...] -- [<file>...]'\n");
    return 128;
  }
  ctx.out(format_git_log(session().fs, root + "/.git", sha, *options));
  return 0;
}

int Git::config(const std::vector<std::string>& args) {
  enum class Mode { kSet, kGet, kGetAll, kUnset, kList } mode = Mode::kSet;
  std::string file;
  bool located = false;
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--global") {
      file = home() + "/.gitconfig";
      located = true;
    } else if (a == "--system") {
      file = "/etc/gitconfig";
      located = true;
    } else if ((a == "-f" || a == "--file") && i + 1 < args.size()) {
      file = FileSystem::resolve(dir, args[++i]);
      located = true;
    } else if (a == "--get") {
      mode = Mode::kGet;
    } else if (a == "--get-all") {
      mode = Mode::kGetAll;
    } else if (a == "--unset" || a == "--unset-all") {
      mode = Mode::kUnset;
    } else if (a == "-l" || a == "--list") {
      mode = Mode::kList;
    } else if (a.size() > 1 && a[0] == '-') {
      continue;  // --local, --add, --replace-all, --bool ...
    } else {
      operands.push_back(a);
    }
  }
  std::string root;
  const bool in_repository = work_tree(&root) != nullptr;
  if (!located && in_repository) file = root + "/.git/config";
  auto& fs = session().fs;
  // One file with a location option; otherwise every file git reads, as git config does.
  auto selected = [&] {
    if (!located) return effective_config(in_repository ? root + "/.git" : "");
    return parse_git_config(fs.file(file) ? fs.file(file)->content : "");
  };
  if (mode == Mode::kList) {
    const auto entries = selected();
    std::string out;
    for (const auto& e : entries) out += e.key + "=" + e.value + "\n";
    ctx.out(out);
    return 0;
  }
  if (operands.empty()) {
    ctx.err("error: wrong number of arguments, should be 1\n");
    return 129;
  }
  const std::string key = canonical_git_key(operands[0]);
  if (key.empty()) {
    ctx.err("error: key does not contain a section: " + operands[0] + "\n");
    return operands.size() > 1 ? 1 : 2;
  }
  if (mode == Mode::kSet && operands.size() < 2) mode = Mode::kGet;
  if (mode == Mode::kGet || mode == Mode::kGetAll) {
    const auto entries = selected();
    std::string out;
    for (const auto& e : entries)
      if (e.key == key) out = mode == Mode::kGetAll ? out + e.value + "\n" : e.value + "\n";
    if (out.empty()) return 1;
    ctx.out(out);
    return 0;
  }
  if (file.empty()) {
    ctx.err("fatal: not in a git directory\n");
    return 128;
  }
  const std::string text = fs.file(file) ? fs.file(file)->content : "";
  if (mode == Mode::kUnset) {
    const std::string changed = unset_git_config(text, key);
    if (parse_git_config(changed).size() == parse_git_config(text).size()) return 5;  // nothing to unset
    fs.write(file, changed, false);
    return 0;
  }
  fs.write(file, set_git_config(text, operands[0], operands[1]), false);
  return 0;
}

// git submodule: init, sync, update [--init] [--recursive] [--depth N], foreach, status; each over
// the gitlinks of the checked-out commit that .gitmodules names (builtin/submodule--helper.c). A
// submodule is a repository of its own in its directory (the older layout without .git/modules).
std::vector<Git::Submodule> Git::submodules_of(const std::string& root, const GitWorkTree& tree) {
  std::vector<Submodule> out;
  const File* modules = session().fs.file(root + "/.gitmodules");
  if (!modules || tree.head.empty()) return out;
  const std::map<std::string, std::string> links = gitlinks(session().fs, root + "/.git", tree.head);
  std::map<std::string, Submodule> by_name;
  std::vector<std::string> order;
  for (const auto& e : parse_git_config(modules->content)) {
    if (!starts_with(e.key, "submodule.")) continue;
    const size_t last = e.key.rfind('.');
    if (last <= 10) continue;
    const std::string name = e.key.substr(10, last - 10), field = e.key.substr(last + 1);
    if (!by_name.count(name)) order.push_back(name);
    Submodule& sub = by_name[name];
    sub.name = name;
    if (field == "path") sub.path = e.value;
    if (field == "url") sub.url = e.value;
  }
  for (const auto& name : order) {
    Submodule sub = by_name[name];
    auto link = links.find(sub.path);
    if (sub.path.empty() || link == links.end()) continue;  // git works from the index's gitlinks
    sub.commit = link->second;
    out.push_back(std::move(sub));
  }
  // The index's order: by path.
  std::sort(out.begin(), out.end(), [](const Submodule& a, const Submodule& b) { return a.path < b.path; });
  return out;
}

// A .gitmodules url as git resolves it (submodule--helper.c relative_url): "./" and "../" are
// relative to the superproject's origin URL, each "../" dropping one of its path components.
std::string Git::submodule_url(const std::string& root, const GitWorkTree& tree, const std::string& url) {
  if (!starts_with(url, "./") && !starts_with(url, "../")) return url;
  auto origin = tree.remotes.find("origin");
  std::string base = origin == tree.remotes.end() ? root : origin->second;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string rest = url;
  while (true) {
    if (starts_with(rest, "./")) {
      rest.erase(0, 2);
    } else if (starts_with(rest, "../")) {
      rest.erase(0, 3);
      const size_t cut = base.find_last_of("/:");
      if (cut != std::string::npos && cut > base.find("://") + 2) base.resize(cut);
    } else {
      break;
    }
  }
  return base + "/" + rest;
}

int Git::submodule_update(const std::string& root, const std::vector<Submodule>& selected, bool recursive, int depth,
                          const std::string& prefix) {
  auto& fs = session().fs;
  const std::string config_path = root + "/.git/config";
  const auto configured_url = [&](const Submodule& sub) {
    const File* f = fs.file(config_path);
    std::string url;
    for (const auto& e : parse_git_config(f ? f->content : ""))
      if (e.key == canonical_git_key("submodule." + sub.name + ".url")) url = e.value;
    return url;
  };
  // Clones first (two tries each, as update_clone does), then the checkouts.
  std::vector<const Submodule*> failed;
  const auto try_clone = [&](const Submodule& sub) {
    const std::string target = root + "/" + sub.path;
    const std::string url = configured_url(sub);
    ctx.err("Cloning into '" + target + "'...\n");
    Git child{ctx, root, overrides};
    std::vector<std::string> args = {"--no-checkout", "-q"};
    if (depth > 0) args.insert(args.end(), {"--depth", std::to_string(depth)});
    args.insert(args.end(), {url, target});
    if (child.clone(args) == 0) return true;
    // git builtin/submodule--helper.c clone_submodule: "clone of '%s' into submodule path '%s' failed" (die),
    // and update_submodules: "Failed to clone '%s'. Retry scheduled" / "... a second time, aborting".
    ctx.err("fatal: clone of '" + url + "' into submodule path '" + target + "' failed\n");
    return false;
  };
  for (const Submodule& sub : selected) {
    if (fs.is_dir(root + "/" + sub.path + "/.git") || configured_url(sub).empty()) continue;
    if (!try_clone(sub)) {
      ctx.err("Failed to clone '" + prefix + sub.path + "'. Retry scheduled\n");
      failed.push_back(&sub);
    }
  }
  for (const Submodule* sub : failed) {
    fs.remove(root + "/" + sub->path);
    fs.make_dir(root + "/" + sub->path);
    if (!try_clone(*sub)) {
      // git builtin/submodule--helper.c update_clone_task_finished: "Failed to clone '%s' a second time, aborting".
      ctx.err("Failed to clone '" + prefix + sub->path + "' a second time, aborting\n");
      return 1;
    }
  }
  int status = 0;
  for (const Submodule& sub : selected) {
    const std::string dir_path = root + "/" + sub.path;
    if (configured_url(sub).empty()) continue;  // not initialized: update leaves it alone
    auto it = session().git.find(dir_path);
    if (it == session().git.end()) continue;
    GitWorkTree& child_tree = it->second;
    if (child_tree.head != sub.commit) {
      if (!read_object(fs, dir_path + "/.git", sub.commit)) {
        ctx.err("fatal: remote error: upload-pack: not our ref " + sub.commit + "\nfatal: Fetched in submodule path '" +
                prefix + sub.path + "', but it did not contain " + sub.commit +
                ". Direct fetching of that commit failed.\n");
        status = 1;
        continue;
      }
      if (auto st = checkout_commit(fs, dir_path + "/.git", sub.commit, dir_path); !st) {
        ctx.err(st.error().message + "\n");
        status = 1;
        continue;
      }
      child_tree.head = sub.commit;
      ctx.out("Submodule path '" + prefix + sub.path + "': checked out '" + sub.commit + "'\n");
    }
    if (!recursive) continue;
    // The nested ones: init and update inside the submodule (update --init --recursive).
    Git child{ctx, dir_path, overrides};
    std::vector<Submodule> nested = child.submodules_of(dir_path, child_tree);
    if (nested.empty()) continue;
    const std::string nested_prefix = prefix + sub.path + "/";
    child.submodule_init(dir_path, child_tree, nested, nested_prefix, false);
    if (child.submodule_update(dir_path, nested, true, depth, nested_prefix) != 0) {
      ctx.err("fatal: Failed to recurse into submodule path '" + prefix + sub.path + "'\n");
      return 1;
    }
  }
  return status;
}

int Git::submodule_foreach(const std::string& root, const GitWorkTree& tree, const std::vector<std::string>& command,
                           bool recursive, const std::string& prefix) {
  std::string text;
  for (const auto& word : command) text += (text.empty() ? "" : " ") + word;
  for (const Submodule& sub : submodules_of(root, tree)) {
    const std::string dir_path = root + "/" + sub.path;
    auto it = session().git.find(dir_path);
    if (it == session().git.end() || !session().fs.is_dir(dir_path + "/.git")) continue;  // not populated
    // git builtin/submodule--helper.c runcommand_in_submodule_cb (foreach): "Entering '%s'\n".
    ctx.out("Entering '" + prefix + sub.path + "'\n");
    if (!text.empty()) {
      // git runs the command with sh in the submodule, with $name, $sm_path, $displaypath, $sha1, $toplevel.
      ShellEnv child = ctx.env;
      child.cwd = dir_path;
      child.xtrace = false;
      child.exiting = child.returning = false;
      for (const auto& [key, value] : {std::pair<std::string, std::string>{"name", sub.name},
                                       {"sm_path", sub.path},
                                       {"path", sub.path},
                                       {"displaypath", prefix + sub.path},
                                       {"sha1", sub.commit},
                                       {"toplevel", root}})
        child.vars[key] = value;
      Interpreter sh(session(), child);
      int status = sh.finish(sh.run_script(text, ctx.io), ctx.io);
      if (child.exiting) status = child.exit_code;
      if (status != 0) {
        ctx.err("fatal: run_command returned non-zero status for " + prefix + sub.path + "\n.\n");
        return 128;
      }
    }
    if (recursive) {
      Git child_git{ctx, dir_path, overrides};
      if (const int st = child_git.submodule_foreach(dir_path, it->second, command, true, prefix + sub.path + "/"))
        return st;
    }
  }
  return 0;
}

void Git::submodule_init(const std::string& root, const GitWorkTree& tree, const std::vector<Submodule>& selected,
                         const std::string& prefix, bool quiet) {
  auto& fs = session().fs;
  const std::string config_path = root + "/.git/config";
  for (const Submodule& sub : selected) {
    const File* f = fs.file(config_path);
    std::string text = f ? f->content : std::string();
    bool known = false;
    for (const auto& e : parse_git_config(text))
      if (e.key == canonical_git_key("submodule." + sub.name + ".url")) known = true;
    if (known) continue;
    const std::string url = submodule_url(root, tree, sub.url);
    text = set_git_config(text, "submodule." + sub.name + ".active", "true");
    text = set_git_config(text, "submodule." + sub.name + ".url", url);
    fs.write(config_path, text, false);
    // git builtin/submodule--helper.c init_submodule: "Submodule '%s' (%s) registered for path '%s'\n".
    if (!quiet) ctx.err("Submodule '" + sub.name + "' (" + url + ") registered for path '" + prefix + sub.path + "'\n");
  }
}

int Git::submodule(const std::vector<std::string>& args) {
  std::string root;
  GitWorkTree* tree = work_tree(&root);
  if (!tree) return not_a_repository();
  std::string sub = "status";
  size_t i = 0;
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') sub = args[i++];
  bool recursive = false, init = false, quiet = false;
  int depth = 0;
  std::vector<std::string> paths, command;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (sub == "foreach" && command.empty() && a != "--recursive" && a != "-q" && a != "--quiet") {
      command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (a == "--recursive")
      recursive = true;
    else if (a == "--init")
      init = true;
    else if (a == "-q" || a == "--quiet")
      quiet = true;
    else if (a == "--depth" && i + 1 < args.size())
      depth = std::atoi(args[++i].c_str());
    else if (starts_with(a, "--depth="))
      depth = std::atoi(a.c_str() + 8);
    else if (a == "--")
      continue;
    else if (a.size() > 1 && a[0] == '-')
      continue;  // --remote, --jobs, --force ...
    else
      paths.push_back(a);
  }
  std::vector<Submodule> selected;
  for (auto& s : submodules_of(root, *tree)) {
    bool wanted = paths.empty();
    for (const auto& p : paths) {
      std::string q = p;
      while (!q.empty() && q.back() == '/') q.pop_back();
      wanted = wanted || q == s.path;
    }
    if (wanted) selected.push_back(std::move(s));
  }
  if (sub == "foreach") return submodule_foreach(root, *tree, command, recursive, "");
  if (sub == "init") {
    submodule_init(root, *tree, selected, "", quiet);
    return 0;
  }
  if (sub == "sync") {
    // Only initialized submodules: the url in .git/config follows .gitmodules, and a cloned one's origin too.
    auto& fs = session().fs;
    const std::string config_path = root + "/.git/config";
    for (const Submodule& s : selected) {
      const File* f = fs.file(config_path);
      std::string text = f ? f->content : std::string();
      bool known = false;
      for (const auto& e : parse_git_config(text))
        if (e.key == canonical_git_key("submodule." + s.name + ".url")) known = true;
      if (!known) continue;
      if (!quiet) ctx.out("Synchronizing submodule url for '" + s.path + "'\n");
      const std::string url = submodule_url(root, *tree, s.url);
      fs.write(config_path, set_git_config(text, "submodule." + s.name + ".url", url), false);
      auto child = session().git.find(root + "/" + s.path);
      if (child != session().git.end()) {
        const std::string child_config = root + "/" + s.path + "/.git/config";
        const File* cf = fs.file(child_config);
        fs.write(child_config, set_git_config(cf ? cf->content : "", "remote.origin.url", url), false);
        child->second.remotes["origin"] = url;
      }
      if (recursive && child != session().git.end()) {
        Git nested{ctx, root + "/" + s.path, overrides};
        std::vector<std::string> nested_args = {"sync", "--recursive"};
        if (quiet) nested_args.push_back("--quiet");
        nested.submodule(nested_args);
      }
    }
    return 0;
  }
  if (sub == "update") {
    if (init) submodule_init(root, *tree, selected, "", quiet);
    return submodule_update(root, selected, recursive, depth, "");
  }
  if (sub == "status") {
    std::string out;
    for (const Submodule& s : selected) {
      auto child = session().git.find(root + "/" + s.path);
      if (child == session().git.end() || child->second.head.empty()) {
        out += "-" + s.commit + " " + s.path + "\n";
        continue;
      }
      const std::string& head = child->second.head;
      std::string name;  // compute_rev_name: describe --all --always, a branch or remote branch here
      for (const auto& [ref, sha] : child->second.refs)
        if (sha == head && name.empty() && starts_with(ref, "refs/")) name = ref.substr(5);
      out += std::string(head == s.commit ? " " : "+") + head + " " + s.path + (name.empty() ? "" : " (" + name + ")") +
             "\n";
    }
    ctx.out(out);
    return 0;
  }
  ctx.err("usage: git submodule [--quiet] [--cached]\n");
  return 1;
}

int Git::lfs(const std::vector<std::string>& args) {
  // The helper image carries git-lfs; the runner asks `git lfs version` (output discarded) before
  // `git lfs pull`. The projects here hold no LFS pointers, so a pull in a work tree has nothing to do.
  if (args.empty() || args[0] == "version" || args[0] == "--version") {
    ctx.out(kLfsVersion);
    return 0;
  }
  if (args[0] == "pull") return work_tree() ? 0 : not_a_repository();
  return 0;
}

int Git::run(const std::vector<std::string>& args) {
  size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-C" && i + 1 < args.size()) {
      dir = FileSystem::resolve(dir, args[++i]);
    } else if (a == "-c" && i + 1 < args.size()) {
      const std::string& setting = args[++i];
      const size_t eq = setting.find('=');
      const std::string key = canonical_git_key(setting.substr(0, eq));
      // "-c name" without a value means true (git(1)).
      if (!key.empty()) overrides.push_back({key, eq == std::string::npos ? "true" : setting.substr(eq + 1)});
    } else if (a == "--version" || a == "version") {
      ctx.out(kVersion);
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      continue;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    ctx.out("usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>] <command> [<args>]\n");
    return 1;
  }
  const std::string& command = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (command == "init") return init(rest);
  if (command == "remote") return remote(rest);
  if (command == "fetch") return fetch(rest);
  if (command == "clone") return clone(rest);
  if (command == "checkout") return checkout(rest);
  if (command == "rev-parse") return rev_parse(rest);
  if (command == "log") return log(rest);
  if (command == "config") return config(rest);
  if (command == "submodule") return submodule(rest);
  if (command == "clean" || command == "reset" || command == "rm") return work_tree() ? 0 : not_a_repository();
  if (command == "lfs") return lfs(rest);
  // everything else: accepted silently.
  return 0;
}

int tool_git(ToolContext& ctx) {
  Git git{ctx, ctx.env.cwd};
  return git.run(ctx.args);
}

}  // namespace

void add_git_tool(ToolTable& table) { table["git"] = {tool_git, ToolTier::kModel}; }

}  // namespace kexsim::fakes::shell

// The git model: what GitLab Runner's get_sources stage runs (init, remote, fetch, checkout,
// clean, submodule, lfs) and clone, against the repositories the fake GitLab serves, reached
// through the pod's network view. Messages are git 2.45's.
//
// Virtual time: a transfer costs the connection attempt (ConnectOutcome::elapsed) plus
// kTransferCost when it succeeds; everything else is instant.

#include <cctype>

#include "fakes/runtime/tools.h"
#include "fakes/runtime/url.h"

namespace kexsim::fakes::shell {
namespace {

constexpr Duration kTransferCost = std::chrono::seconds(1);
constexpr const char* kVersion = "git version 2.45.2\n";
constexpr const char* kReadRemoteHelp =
    "fatal: Could not read from remote repository.\n\n"
    "Please make sure you have the correct access rights\nand the repository exists.\n";

bool is_hex(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::string strip_prefix(const std::string& s, const std::string& prefix) {
  return starts_with(s, prefix) ? s.substr(prefix.size()) : s;
}

// A served ref's full name: keys are branch names unless written as refs/...
std::string full_ref(const std::string& key) { return starts_with(key, "refs/") ? key : "refs/heads/" + key; }

// How git shows a ref in fetch output: "main" for refs/heads/main, "origin/main" for remotes.
std::string short_ref(const std::string& ref) {
  for (const char* p : {"refs/heads/", "refs/tags/", "refs/remotes/"})
    if (starts_with(ref, p)) return ref.substr(std::string(p).size());
  return ref;
}

// The repository path the fake GitLab knows: "/root/mycicd.git" -> "root/mycicd".
std::string repository_path(const std::string& url_path) {
  std::string p = url_path;
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.size() > 4 && p.compare(p.size() - 4, 4, ".git") == 0) p.resize(p.size() - 4);
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  return p;
}

std::string pad_right(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

// One git invocation: its working directory (-C) and the config overrides (-c) that matter.
struct Git {
  ToolContext& ctx;
  std::string dir;
  bool ssl_verify = true;

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

  // Connects to the remote and finds the repository; on failure prints git's messages.
  int open_remote(const std::string& url_text, const Url*& url_out, Url& url_storage, GitRepository& repo) {
    auto url = parse_url(url_text);
    if (!url) {
      ctx.err("fatal: '" + url_text + "' does not appear to be a git repository\n" + kReadRemoteHelp);
      return 128;
    }
    url_storage = *url;
    url_out = &url_storage;
    const ConnectOutcome outcome = session().world.connect(url->host, url->port, url->tls());
    session().now += outcome.elapsed;
    ConnectOutcome::Kind kind = outcome.kind;
    if (!ssl_verify && (kind == ConnectOutcome::Kind::kTlsUntrusted || kind == ConnectOutcome::Kind::kTlsWrongName))
      kind = ConnectOutcome::Kind::kOk;
    if (kind != ConnectOutcome::Kind::kOk) {
      ctx.err("fatal: unable to access '" + url->display() + "/': " +
              curl_error_text(outcome, url->host, url->port) + "\n");
      return 128;
    }
    auto found = session().world.repository(url->host, repository_path(url->path));
    if (!found) {
      ctx.err(
          "remote: The project you were looking for could not be found or you don't have permission to view "
          "it.\nfatal: repository '" +
          url->display() + "/' not found\n");
      return 128;
    }
    session().now += kTransferCost;
    repo = std::move(*found);
    return 0;
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
  int run(const std::vector<std::string>& args);
};

int Git::init(const std::vector<std::string>& args) {
  bool quiet = false;
  std::string target_arg;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet") quiet = true;
    else if ((a == "--template" || a == "-b" || a == "--initial-branch" || a == "--separate-git-dir" ||
              a == "--object-format") && i + 1 < args.size())
      ++i;
    else if (!a.empty() && a[0] == '-') continue;
    else if (target_arg.empty()) target_arg = a;
  }
  const std::string target = target_arg.empty() ? dir : FileSystem::resolve(dir, target_arg);
  if (session().fs.is_file(target)) {
    ctx.err("fatal: cannot mkdir " + target_arg + ": File exists\n");
    return 128;
  }
  const bool existing = session().git.count(target) && session().fs.is_dir(target + "/.git");
  session().fs.make_dir(target);
  session().fs.make_dir(target + "/.git");
  session().git[target];
  if (!quiet)
    ctx.out(std::string(existing ? "Reinitialized existing" : "Initialized empty") + " Git repository in " +
            (target == "/" ? "" : target) + "/.git/\n");
  return 0;
}

int Git::remote(const std::vector<std::string>& args) {
  GitWorkTree* tree = work_tree();
  if (!tree) return not_a_repository();
  std::vector<std::string> operands;
  bool verbose = false;
  for (const auto& a : args) {
    if (a == "-v" || a == "--verbose") verbose = true;
    else if (!a.empty() && a[0] == '-') continue;
    else operands.push_back(a);
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
    tree->remotes[name] = operands[2];
    return 0;
  }
  if ((sub == "set-url" && operands.size() >= 3) || sub == "get-url" || sub == "remove" || sub == "rm") {
    if (!exists) {
      ctx.err("error: No such remote '" + name + "'\n");
      return 2;
    }
    if (sub == "set-url") tree->remotes[name] = operands[2];
    if (sub == "get-url") ctx.out(tree->remotes[name] + "\n");
    if (sub == "remove" || sub == "rm") tree->remotes.erase(name);
    return 0;
  }
  return 0;
}

int Git::fetch(const std::vector<std::string>& args) {
  GitWorkTree* tree = work_tree();
  if (!tree) return not_a_repository();
  bool quiet = false;
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet") quiet = true;
    else if ((a == "--depth" || a == "--deepen" || a == "--shallow-since" || a == "-j" || a == "--jobs") &&
             i + 1 < args.size())
      ++i;
    else if (a.size() > 1 && a[0] == '-') continue;
    else operands.push_back(a);
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
  Url storage;
  const Url* url = nullptr;
  GitRepository repo;
  if (const int failed = open_remote(url_text, url, storage, repo)) return failed;

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
      for (const auto& [key, sha] : repo.refs) {
        const std::string full = full_ref(key);
        if (starts_with(full, prefix))
          updates.push_back({full, dst.empty() ? "" : dst_prefix + full.substr(prefix.size()), sha});
      }
      continue;
    }
    const std::string* sha = nullptr;
    std::string full;
    for (const auto& [key, value] : repo.refs) {
      const std::string f = full_ref(key);
      if (f == src || f == "refs/heads/" + src || key == strip_prefix(strip_prefix(src, "refs/heads/"), "refs/tags/")) {
        sha = &value;
        full = starts_with(src, "refs/") ? src : f;
        break;
      }
    }
    if (!sha) {
      // GitLab keeps a refs/pipelines/<id> ref for every pipeline; the model assumes it exists.
      if (starts_with(src, "refs/pipelines/") || starts_with(src, "refs/merge-requests/")) continue;
      ctx.err("fatal: couldn't find remote ref " + src + "\n");
      return 128;
    }
    updates.push_back({full, dst, *sha});
  }

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
  std::string branch, origin = "origin";
  std::vector<std::string> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-q" || a == "--quiet") quiet = true;
    else if (a == "-n" || a == "--no-checkout") no_checkout = true;
    else if ((a == "-b" || a == "--branch") && i + 1 < args.size()) branch = args[++i];
    else if ((a == "-o" || a == "--origin") && i + 1 < args.size()) origin = args[++i];
    else if ((a == "--depth" || a == "--reference" || a == "-c" || a == "--config" || a == "--template" ||
              a == "-j" || a == "--jobs" || a == "--shallow-since") && i + 1 < args.size())
      ++i;
    else if (a.size() > 1 && a[0] == '-') continue;
    else operands.push_back(a);
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
  if (!quiet) ctx.err("Cloning into '" + dir_arg + "'...\n");
  Url storage;
  const Url* url = nullptr;
  GitRepository repo;
  if (const int failed = open_remote(url_text, url, storage, repo)) return failed;
  if (branch.empty()) branch = repo.default_branch;
  std::string head;
  for (const auto& [key, sha] : repo.refs)
    if (key == branch || full_ref(key) == "refs/heads/" + branch || full_ref(key) == "refs/tags/" + branch) head = sha;
  if (head.empty() && !branch.empty() && !repo.refs.empty()) {
    ctx.err("warning: Could not find remote branch " + branch + " to clone.\nfatal: Remote branch " + branch +
            " not found in upstream " + origin + "\n");
    return 128;
  }
  fs.make_dir(target);
  fs.make_dir(target + "/.git");
  GitWorkTree& tree = session().git[target];
  tree = GitWorkTree{};
  tree.remotes[origin] = url_text;
  for (const auto& [key, sha] : repo.refs) {
    const std::string full = full_ref(key);
    if (starts_with(full, "refs/heads/")) tree.refs["refs/remotes/" + origin + "/" + short_ref(full)] = sha;
    else tree.refs[full] = sha;
  }
  if (!head.empty()) {
    tree.refs["refs/heads/" + branch] = head;
    if (!no_checkout) tree.head = head;
  }
  return 0;
}

int Git::checkout(const std::vector<std::string>& args) {
  GitWorkTree* tree = work_tree();
  if (!tree) return not_a_repository();
  std::string new_branch, target;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-b" || a == "-B") && i + 1 < args.size()) new_branch = args[++i];
    else if (a == "--") break;
    else if (a.size() > 1 && a[0] == '-') continue;
    else if (target.empty()) target = a;
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
    if (a == "--short") short_form = true;
    else if (a == "--show-toplevel") out += root + "\n";
    else if (a == "--is-inside-work-tree") out += "true\n";
    else if (a == "--git-dir") out += (dir == root ? std::string(".git") : root + "/.git") + "\n";
    else if (!a.empty() && a[0] == '-') continue;
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

int Git::run(const std::vector<std::string>& args) {
  size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-C" && i + 1 < args.size()) {
      dir = FileSystem::resolve(dir, args[++i]);
    } else if (a == "-c" && i + 1 < args.size()) {
      std::string setting = args[++i];
      for (char& c : setting) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (setting == "http.sslverify=false" || setting == "http.sslverify=0") ssl_verify = false;
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
  const std::string* no_verify = ctx.env.get("GIT_SSL_NO_VERIFY");
  if (no_verify && !no_verify->empty() && *no_verify != "false" && *no_verify != "0") ssl_verify = false;
  const std::string& command = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (command == "init") return init(rest);
  if (command == "remote") return remote(rest);
  if (command == "fetch") return fetch(rest);
  if (command == "clone") return clone(rest);
  if (command == "checkout") return checkout(rest);
  if (command == "rev-parse") return rev_parse(rest);
  if (command == "clean" || command == "reset" || command == "submodule") return work_tree() ? 0 : not_a_repository();
  // config, lfs and everything else: accepted silently.
  return 0;
}

int tool_git(ToolContext& ctx) {
  Git git{ctx, ctx.env.cwd};
  return git.run(ctx.args);
}

}  // namespace

void add_git_tool(ToolTable& table) { table["git"] = {tool_git, ToolTier::kModel}; }

}  // namespace kexsim::fakes::shell

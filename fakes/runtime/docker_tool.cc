// The docker CLI model (docker_tool.h). Strings are docker/cli v24.0.6's unless noted; each names
// its file. The daemon is the dind model of the pod's service containers (service_daemon.h).

#include "fakes/runtime/docker_tool.h"

#include <algorithm>

#include "base/hash.h"
#include "base/strings.h"
#include "fakes/runtime/shell.h"
#include "fakes/runtime/tools.h"

namespace kexsim::fakes::docker {

Invocation parse_invocation(const std::vector<std::string>& args) {
  Invocation inv;
  size_t i = 0;
  auto value = [&](const std::string& a, const std::string& name, std::string& out) {
    if (a == name) {
      if (i + 1 < args.size()) out = args[++i];
      return true;
    }
    if (starts_with(a, name + "=")) {
      out = a.substr(name.size() + 1);
      return true;
    }
    return false;
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string v, ignored;
    if (value(a, "-H", v) || value(a, "--host", v)) {
      inv.hosts.push_back(v);
    } else if (a == "--tls") {
      inv.tls = true;
    } else if (a == "--tlsverify") {
      inv.tlsverify = true;
    } else if (value(a, "--tlscacert", inv.tlscacert) || value(a, "--tlscert", inv.tlscert) ||
               value(a, "--tlskey", inv.tlskey) || value(a, "--config", ignored) || value(a, "--context", ignored) ||
               value(a, "-c", ignored) || value(a, "-l", ignored) || value(a, "--log-level", ignored) || a == "-D" ||
               a == "--debug") {
    } else {
      break;
    }
  }
  inv.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(std::min(i, args.size())), args.end());
  return inv;
}

Result<Endpoint> resolve_endpoint(const Invocation& inv, const std::map<std::string, std::string>& env) {
  auto get = [&](const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  Endpoint ep;
  // cli/flags/options.go: DOCKER_TLS and DOCKER_TLS_VERIFY count when non-empty; --tlsverify implies --tls.
  ep.verify = inv.tlsverify || !get("DOCKER_TLS_VERIFY").empty();
  ep.tls = ep.verify || inv.tls || !get("DOCKER_TLS").empty();
  std::string cert_path = get("DOCKER_CERT_PATH");
  if (cert_path.empty()) cert_path = (get("HOME").empty() ? std::string("/root") : get("HOME")) + "/.docker";
  ep.ca_file = inv.tlscacert.empty() ? cert_path + "/ca.pem" : inv.tlscacert;
  ep.cert_file = inv.tlscert.empty() ? cert_path + "/cert.pem" : inv.tlscert;
  ep.key_file = inv.tlskey.empty() ? cert_path + "/key.pem" : inv.tlskey;
  std::string host = inv.hosts.empty() ? get("DOCKER_HOST") : inv.hosts.back();
  if (host.empty()) host = "unix:///var/run/docker.sock";
  // opts/hosts.go ParseHost / parseDockerDaemonHost: no scheme means tcp; tcp gets 2375, or 2376 with TLS.
  std::string scheme = "tcp", rest = host;
  if (const size_t sep = host.find("://"); sep != std::string::npos) {
    scheme = host.substr(0, sep);
    rest = host.substr(sep + 3);
  }
  if (scheme == "unix") {
    ep.unix_socket = true;
    ep.host = "unix://" + (rest.empty() ? std::string("/var/run/docker.sock") : rest);
    return ep;
  }
  if (scheme != "tcp")
    return make_error("Invalid bind address format: " + host, "write DOCKER_HOST as tcp://docker:2375");
  if (const size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  const size_t colon = rest.rfind(':');
  ep.address = colon == std::string::npos ? rest : rest.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : rest.substr(colon + 1);
  ep.port = port.empty() ? (ep.tls ? 2376 : 2375) : std::atoi(port.c_str());
  if (ep.address.empty()) ep.address = "localhost";
  ep.host = "tcp://" + ep.address + ":" + std::to_string(ep.port);
  return ep;
}

}  // namespace kexsim::fakes::docker

namespace kexsim::fakes::shell {
namespace {

using docker::Endpoint;

// Where the model keeps each daemon's images (name -> id), on the pod's volumes.
std::string images_path(const ServiceDaemon& d) { return "/var/lib/docker/image/kexsim-" + d.container; }

// A modelled sha256 digest (64 hex digits), fixed per seed.
std::string sha256_of(const std::string& seed) {
  uint64_t h = fnv1a(seed);
  std::string out;
  for (int i = 0; i < 4; ++i) out += hex64(splitmix64(h));
  return out;
}

// docker.io/library/alpine:3.18 -> {"docker.io/library/alpine", "3.18", "alpine:3.18"}
// (reference.ParseNormalizedNamed).
struct ImageRef {
  std::string full_repo, tag, familiar;
};

ImageRef normalize(const std::string& image) {
  std::string name = image, tag = "latest";
  const size_t slash = name.rfind('/');
  const size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = name.substr(colon + 1);
    name.resize(colon);
  }
  std::string full = name;
  const size_t first = name.find('/');
  const std::string domain = first == std::string::npos ? "" : name.substr(0, first);
  const bool has_domain =
      first != std::string::npos &&
      (domain.find('.') != std::string::npos || domain.find(':') != std::string::npos || domain == "localhost");
  if (!has_domain) full = "docker.io/" + (first == std::string::npos ? "library/" + name : name);
  std::string familiar = full;
  if (starts_with(familiar, "docker.io/library/"))
    familiar = familiar.substr(18);
  else if (starts_with(familiar, "docker.io/"))
    familiar = familiar.substr(10);
  return {full, tag, familiar + ":" + tag};
}

class DockerCli {
 public:
  explicit DockerCli(ToolContext& ctx) : ctx_(ctx), services_(ctx.session.world.services()) {}

  int run() {
    const docker::Invocation inv = docker::parse_invocation({ctx_.args.begin() + 1, ctx_.args.end()});
    if (inv.rest.empty()) {
      ctx_.out("\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n");
      return 0;
    }
    const std::string& command = inv.rest[0];
    args_.assign(inv.rest.begin() + 1, inv.rest.end());
    if (command == "-v" || command == "--version") {
      // cmd/docker/docker.go: "Docker version %s, build %s".
      ctx_.out("Docker version " + client_version() + ", build " + git_commit(client_version(), false) + "\n");
      return 0;
    }
    std::map<std::string, std::string> env;
    for (const auto& name : ctx_.env.exported)
      if (const std::string* v = ctx_.env.get(name)) env[name] = *v;
    auto ep = docker::resolve_endpoint(inv, env);
    if (!ep.ok()) {
      ctx_.err(ep.error().message + "\n");
      return 1;
    }
    ep_ = ep.value();
    if (command == "info") return info();
    if (command == "version") return version();
    if (command == "build" || (command == "image" && !args_.empty() && args_[0] == "build")) return build();
    if (command == "push" || (command == "image" && !args_.empty() && args_[0] == "push")) return push();
    if (command == "pull" || (command == "image" && !args_.empty() && args_[0] == "pull")) return pull_command();
    if (command == "run" || (command == "container" && !args_.empty() && args_[0] == "run")) return run_container();
    if (command == "login") return login();
    if (command == "ps")
      return listing("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n", "/containers/json");
    if (command == "images") return images();
    // cmd/docker/docker.go: an unknown command.
    ctx_.err("docker: '" + command + "' is not a docker command.\nSee 'docker --help'\n");
    return 1;
  }

 private:
  std::string client_version() const { return services_ ? services_->client_version : kDefaultDockerVersion; }

  // The short commits of the model's releases (the static binaries' `docker version`); others: a stand-in.
  static std::string git_commit(const std::string& version, bool engine) {
    if (version == "24.0.6") return engine ? "1a79695" : "ed223bc";
    return hex64(fnv1a(version + (engine ? "engine" : "cli"))).substr(0, 7);
  }

  // The client's TLS files, read as the CLI reads them before any request (cli/context/tlsdata.go
  // TLSDataFromFiles: os.ReadFile's error as is; cli/command/cli.go wraps it, and Client() prints
  // "Failed to initialize: %s" and exits 1). The client certificate is optional when absent (cli/flags).
  bool load_tls() {
    if (!ep_.tls) return true;
    if (ep_.verify) {
      auto ca = ctx_.session.read_file(ep_.ca_file);
      if (!ca.ok()) {
        ctx_.err("Failed to initialize: unable to resolve docker endpoint: open " + ep_.ca_file +
                 ": no such file or directory\n");
        return false;
      }
      ca_ = ca.value();
    }
    return true;
  }

  // Go's url.Error text for a request ("Get \"http://docker:2375/v1.24/info\""): before API
  // negotiation succeeds the client falls back to 1.24 (moby client.go negotiateAPIVersionPing).
  std::string request_text(const std::string& method, const std::string& path) const {
    return method + " \"" + std::string(ep_.tls ? "https" : "http") + "://" + ep_.address + ":" +
           std::to_string(ep_.port) + "/v1.24" + path + "\"";
  }
  // moby client/errors.go errConnectionFailed.
  std::string connection_failed() const {
    return "Cannot connect to the Docker daemon at " + ep_.host + ". Is the docker daemon running?";
  }

  // Reaches the daemon for one request; on failure error_ holds the CLI's text and null is returned.
  const ServiceDaemon* reach(const std::string& method, const std::string& path) {
    error_.clear();
    if (ep_.unix_socket) {  // the daemon's socket is in the dind container, not in this one
      error_ = connection_failed();
      return nullptr;
    }
    std::string address = ep_.address;
    if (!is_ip_literal(address)) {
      std::optional<std::string> resolved = ctx_.session.world.resolve(address);
      if (!resolved && address == "localhost") resolved = "127.0.0.1";
      if (!resolved) {
        // Go's resolver through the pod's nameserver (kube-dns); moby client/request.go "error during connect".
        error_ = "error during connect: " + request_text(method, path) + ": dial tcp: lookup " + address +
                 " on 10.96.0.10:53: no such host";
        return nullptr;
      }
      address = *resolved;
    }
    const ServiceDaemon* daemon = nullptr;
    if (is_loopback_address(address)) {
      if (services_) daemon = services_->listening(ep_.port, ctx_.session.start + ctx_.session.now);
    } else {
      const ConnectOutcome o = ctx_.session.world.connect(address, ep_.port, false);
      ctx_.session.now += o.elapsed;
      if (o.kind == ConnectOutcome::Kind::kUnreachable) {
        error_ = "error during connect: " + request_text(method, path) + ": dial tcp " + address + ":" +
                 std::to_string(ep_.port) + ": connect: no route to host";
        return nullptr;
      }
    }
    if (!daemon || !daemon->dind) {  // refused or timed out: client/request.go maps both to errConnectionFailed
      error_ = connection_failed();
      return nullptr;
    }
    const DindDaemon& d = *daemon->dind;
    if (!ep_.tls && d.tls) {
      // Go's net/http server answers a plain request on a TLS port with a 400 and this body; the client
      // quotes it (client/request.go checkResponseErr).
      error_ = "Error response from daemon: Client sent an HTTP request to an HTTPS server.";
      return nullptr;
    }
    if (ep_.tls && !d.tls) {  // Go's net/http transport
      error_ =
          "error during connect: " + request_text(method, path) + ": http: server gave HTTP response to HTTPS client";
      return nullptr;
    }
    if (ep_.tls && ep_.verify) {
      const auto files = dind_client_files(d, daemon->container + "/" + daemon->image);
      auto ca = files.find(d.certdir + "/client/ca.pem");
      // crypto/x509 (Go 1.20, which built 24.0.x) behind crypto/tls's "tls: failed to verify certificate: ".
      if (ca == files.end() || ca->second != ca_) {
        error_ = "error during connect: " + request_text(method, path) +
                 ": tls: failed to verify certificate: x509: certificate signed by unknown authority";
        return nullptr;
      }
      // The server certificate's SANs (dockerd-entrypoint.sh _tls_san): docker, localhost, the pod's
      // host name, its addresses.
      std::vector<std::string> names = {"docker", "localhost", ctx_.session.world.hostname()};
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      if (!is_ip_literal(ep_.address) && std::find(names.begin(), names.end(), ep_.address) == names.end()) {
        error_ = "error during connect: " + request_text(method, path) +
                 ": tls: failed to verify certificate: x509: certificate is valid for " + join(names, ", ") + ", not " +
                 ep_.address;
        return nullptr;
      }
    }
    return daemon;
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
  }

  // The daemon's images: "familiar-name:tag id" lines.
  std::map<std::string, std::string> load_images(const ServiceDaemon& d) {
    std::map<std::string, std::string> out;
    if (const File* f = ctx_.session.fs.file(images_path(d)))
      for (const auto& line : split(f->content, '\n')) {
        const size_t sp = line.find(' ');
        if (sp != std::string::npos) out[line.substr(0, sp)] = line.substr(sp + 1);
      }
    return out;
  }
  void save_images(const ServiceDaemon& d, const std::map<std::string, std::string>& images) {
    std::string text;
    for (const auto& [name, id] : images) text += name + " " + id + "\n";
    ctx_.session.fs.make_dir(FileSystem::parent(images_path(d)));
    ctx_.session.fs.write(images_path(d), text, false);
  }

  // Prints an error the way the CLI's main does (cmd/docker/docker.go: Fprintln to stderr, exit 1).
  int fail() {
    ctx_.err(error_ + "\n");
    return 1;
  }

  // cli/command/system/info.go prettyPrintInfo: the client section, then the server's or the error.
  int info() {
    if (!load_tls()) return 1;
    const ServiceDaemon* d = reach("Get", "/info");
    ctx_.out("Client:\n Version:    " + client_version() + "\n Context:    default\n Debug Mode: false\n\nServer:\n");
    if (!d) {
      ctx_.err("ERROR: " + error_ + "\nerrors pretty printing info\n");
      return 1;
    }
    const size_t images = load_images(*d).size();
    const DindDaemon& dd = *d->dind;
    std::string s;
    s += " Containers: 0\n  Running: 0\n  Paused: 0\n  Stopped: 0\n";
    s += " Images: " + std::to_string(images) + "\n";
    s += " Server Version: " + dd.version + "\n";
    s += " Storage Driver: overlay2\n  Backing Filesystem: extfs\n  Supports d_type: true\n"
         "  Using metacopy: false\n  Native Overlay Diff: true\n  userxattr: false\n";
    s += " Logging Driver: json-file\n Cgroup Driver: cgroupfs\n Cgroup Version: 2\n";
    s += " Plugins:\n  Volume: local\n  Network: bridge host ipvlan macvlan null overlay\n"
         "  Log: awslogs fluentd gcplogs gelf journald json-file local logentries splunk syslog\n";
    s += " Swarm: inactive\n Runtimes: io.containerd.runc.v2 runc\n Default Runtime: runc\n Init Binary: docker-init\n";
    s += " containerd version: 7880925980b188f4c97b462f709d0db8e8962aff\n runc version: v1.1.9-0-gccaecfc\n"
         " init version: de40ad0\n Security Options:\n  seccomp\n   Profile: builtin\n";
    s += " Kernel Version: 5.15.0-1057-aws\n Operating System: Alpine Linux v3.18 (containerized)\n OSType: linux\n"
         " Architecture: x86_64\n CPUs: 2\n Total Memory: 7.629GiB\n";
    const std::string id = sha256_of("daemon/" + d->container + "/" + ctx_.session.world.hostname());
    s += " Name: " + ctx_.session.world.hostname() + "\n ID: " + id.substr(0, 8) + "-" + id.substr(8, 4) + "-" +
         id.substr(12, 4) + "-" + id.substr(16, 4) + "-" + id.substr(20, 12) +
         "\n Docker Root Dir: /var/lib/docker\n Debug Mode: false\n";
    s += " Experimental: false\n Insecure Registries:\n  127.0.0.0/8\n Live Restore Enabled: false\n";
    s += " Product License: Community Engine\n\n";
    ctx_.out(s);
    return 0;
  }

  // cli/command/system/version.go defaultVersionTemplate, through a tabwriter (minwidth 20, padding 1).
  int version() {
    if (!load_tls()) return 1;
    auto row = [](const std::string& label, const std::string& value) {
      std::string cell = label;
      cell.resize(std::max<size_t>(20, label.size() + 1), ' ');
      return cell + value + "\n";
    };
    const std::string v = client_version();
    std::string out = "Client:\n";
    out += row(" Version:", v) + row(" API version:", docker_api_version(v)) + row(" Go version:", "go1.20.7") +
           row(" Git commit:", git_commit(v, false)) + row(" Built:", "Mon Sep  4 12:30:51 2023") +
           row(" OS/Arch:", "linux/amd64") + row(" Context:", "default");
    const ServiceDaemon* d = reach("Get", "/version");
    if (!d) {
      ctx_.out(out + "\n");
      return fail();
    }
    const std::string sv = d->dind->version;
    out += "\nServer:\n Engine:\n";
    out += row("  Version:", sv) + row("  API version:", docker_api_version(sv) + " (minimum version 1.12)") +
           row("  Go version:", "go1.20.7") + row("  Git commit:", git_commit(sv, true)) +
           row("  Built:", "Mon Sep  4 12:32:16 2023") + row("  OS/Arch:", "linux/amd64") +
           row("  Experimental:", "false");
    out += " containerd:\n" + row("  Version:", "v1.7.3") +
           row("  GitCommit:", "7880925980b188f4c97b462f709d0db8e8962aff");
    out += " runc:\n" + row("  Version:", "1.1.9") + row("  GitCommit:", "v1.1.9-0-gccaecfc");
    out += " docker-init:\n" + row("  Version:", "0.19.0") + row("  GitCommit:", "de40ad0");
    ctx_.out(out + "\n");
    return 0;
  }

  // Runs a command line in a fresh container of the modelled image (the shell model), replaying its
  // output with its timing; returns its exit status.
  int run_in_container(const std::vector<std::string>& command, const std::map<std::string, std::string>& env,
                       const Sink& out, const Sink& err, const std::string& prefix = {}) {
    std::string script;
    if (command.size() >= 3 && (command[0] == "sh" || command[0] == "/bin/sh" || command[0] == "bash") &&
        command[1] == "-c") {
      script = command[2];
    } else {
      for (const auto& word : command) {
        std::string quoted = "'";
        for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        script += (script.empty() ? "" : " ") + quoted + "'";
      }
    }
    ShellOptions options;
    options.env = env;
    options.env.emplace("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    options.env.emplace("HOME", "/root");
    options.start = ctx_.session.start + ctx_.session.now;
    options.tools = &ctx_.session.tools;
    const ShellResult result = interpret(script, options, ctx_.session.world);
    const Duration base = ctx_.session.now;
    for (const auto& chunk : result.output) {
      std::string data = chunk.data;
      if (!prefix.empty()) {
        std::string prefixed;
        for (const auto& line : split(data, '\n'))
          if (!line.empty()) prefixed += prefix + line + "\n";
        data = prefixed;
      }
      ctx_.session.write_at(chunk.stream == 2 ? err : out, data, base + chunk.at);
    }
    ctx_.session.now = base + result.duration;
    return result.exit_code;
  }

  // The pull progress the daemon streams (non-TTY: one line per status change), and the image recorded.
  void pull_image(const ServiceDaemon& d, const ImageRef& ref, const Sink& sink) {
    const std::string layer = hex64(fnv1a(ref.full_repo + ":" + ref.tag)).substr(0, 12);
    std::string repo_path = ref.full_repo.substr(ref.full_repo.find('/') + 1);
    ctx_.session.write(sink, ref.tag + ": Pulling from " + repo_path + "\n" + layer + ": Pulling fs layer\n");
    ctx_.session.now += std::chrono::seconds(2);
    ctx_.session.write(sink, layer + ": Verifying Checksum\n" + layer + ": Download complete\n" + layer +
                                 ": Pull complete\nDigest: sha256:" + sha256_of(ref.full_repo + "@" + ref.tag) +
                                 "\nStatus: Downloaded newer image for " + ref.familiar + "\n");
    auto images = load_images(d);
    images[ref.familiar] = sha256_of("image/" + ref.familiar).substr(0, 12);
    save_images(d, images);
  }

  int pull_command() {
    std::vector<std::string> rest = args_;
    if (!rest.empty() && rest[0] == "pull") rest.erase(rest.begin());
    std::vector<std::string> positional;
    for (const auto& a : rest)
      if (a.empty() || a[0] != '-') positional.push_back(a);
    if (positional.empty()) {
      ctx_.err(
          "\"docker pull\" requires exactly 1 argument.\nSee 'docker pull --help'.\n\nUsage:  docker pull "
          "[OPTIONS] NAME[:TAG|@DIGEST]\n\nDownload an image from a registry\n");
      return 1;
    }
    if (!load_tls()) return 1;
    const ImageRef ref = normalize(positional[0]);
    const ServiceDaemon* d = reach("Post", "/images/create?fromImage=" + ref.full_repo + "&tag=" + ref.tag);
    if (!d) return fail();
    pull_image(*d, ref, ctx_.io.out);
    ctx_.out(ref.full_repo + ":" + ref.tag + "\n");
    return 0;
  }

  // cli/command/container/run.go: options, then IMAGE [COMMAND] [ARG...]; failures to create are
  // reported as "docker: <err>.\nSee 'docker run --help'." with status 125 (reportError).
  int run_container() {
    std::vector<std::string> rest = args_;
    if (!rest.empty() && rest[0] == "run") rest.erase(rest.begin());
    static const std::vector<std::string> kWithValue = {
        "-e",        "--env",        "-v", "--volume", "--name",     "-p",     "--publish", "-w",      "--workdir",
        "--network", "--entrypoint", "-u", "--user",   "--platform", "--pull", "-m",        "--memory"};
    std::map<std::string, std::string> env;
    std::string entrypoint;
    size_t i = 0;
    for (; i < rest.size() && !rest[i].empty() && rest[i][0] == '-'; ++i) {
      const std::string& a = rest[i];
      if (std::find(kWithValue.begin(), kWithValue.end(), a) != kWithValue.end() && i + 1 < rest.size()) {
        const std::string& v = rest[++i];
        if (a == "-e" || a == "--env") {
          const size_t eq = v.find('=');
          if (eq != std::string::npos) {
            env[v.substr(0, eq)] = v.substr(eq + 1);
          } else if (const std::string* value = ctx_.env.get(v)) {
            env[v] = *value;
          }
        } else if (a == "--entrypoint") {
          entrypoint = v;
        }
      }
    }
    if (i >= rest.size()) {
      ctx_.err(
          "docker: 'docker run' requires at least 1 argument.\nSee 'docker run --help'.\n\nUsage:  docker run "
          "[OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n");
      return 125;
    }
    const ImageRef ref = normalize(rest[i]);
    std::vector<std::string> command(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end());
    if (!entrypoint.empty()) command.insert(command.begin(), entrypoint);
    if (!load_tls()) return 1;
    const ServiceDaemon* d = reach("Post", "/containers/create");
    if (!d) {
      // run.go reportError: a trailing "." is added (after trimming one), then the help line.
      std::string text = error_;
      if (ends_with(text, ".")) text.pop_back();
      ctx_.err("docker: " + text + ".\nSee 'docker run --help'.\n");
      return 125;
    }
    if (!load_images(*d).count(ref.familiar)) {
      // create.go: "Unable to find image '%s' locally", then the pull's progress, all on stderr.
      ctx_.err("Unable to find image '" + ref.familiar + "' locally\n");
      pull_image(*d, ref, ctx_.io.err);
    }
    if (command.empty()) return 0;  // the image's default command is not modelled
    return run_in_container(command, env, ctx_.io.out, ctx_.io.err);
  }

  // The BuildKit build (buildx, the docker image's default builder) with plain progress on stderr.
  int build() {
    std::vector<std::string> rest = args_;
    if (!rest.empty() && rest[0] == "build") rest.erase(rest.begin());
    std::vector<std::string> tags;
    std::string file, context;
    static const std::vector<std::string> kWithValue = {"--build-arg",  "--target", "--platform", "--progress",
                                                        "--cache-from", "--label",  "--network",  "--secret",
                                                        "--iidfile",    "--ssh"};
    for (size_t i = 0; i < rest.size(); ++i) {
      const std::string& a = rest[i];
      if ((a == "-t" || a == "--tag") && i + 1 < rest.size()) {
        tags.push_back(rest[++i]);
      } else if (starts_with(a, "--tag=")) {
        tags.push_back(a.substr(6));
      } else if ((a == "-f" || a == "--file") && i + 1 < rest.size()) {
        file = rest[++i];
      } else if (std::find(kWithValue.begin(), kWithValue.end(), a) != kWithValue.end()) {
        ++i;
      } else if (!a.empty() && a[0] != '-') {
        context = a;
      }
    }
    if (context.empty()) {
      ctx_.err(
          "ERROR: \"docker buildx build\" requires exactly 1 argument.\nSee 'docker buildx build --help'.\n\n"
          "Usage:  docker buildx build [OPTIONS] PATH | URL | -\n\nStart a build\n");
      return 1;
    }
    if (!load_tls()) return 1;
    const ServiceDaemon* d = reach("Get", "/_ping");
    if (!d) {  // buildx's main prints "ERROR: %v"
      ctx_.err("ERROR: " + error_ + "\n");
      return 1;
    }
    const std::string context_dir = ctx_.path(context);
    const std::string dockerfile = file.empty() ? FileSystem::resolve(context_dir, "Dockerfile") : ctx_.path(file);
    const File* df = ctx_.session.fs.file(dockerfile);
    std::string progress = "#0 building with \"default\" instance using docker driver\n\n";
    progress += "#1 [internal] load build definition from " + (file.empty() ? std::string("Dockerfile") : file) + "\n";
    if (!df) {
      ctx_.err(progress +
               "#1 transferring dockerfile: 2B done\n#1 DONE 0.0s\nERROR: failed to solve: failed to read "
               "dockerfile: open Dockerfile: no such file or directory\n");
      return 1;
    }
    progress += "#1 transferring dockerfile: " + std::to_string(df->content.size()) + "B done\n#1 DONE 0.0s\n\n";
    progress += "#2 [internal] load .dockerignore\n#2 transferring context: 2B done\n#2 DONE 0.0s\n\n";
    std::vector<std::string> instructions;
    std::string base;
    for (auto line : split(df->content, '\n')) {
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      std::string keyword = line.substr(0, line.find(' '));
      std::transform(keyword.begin(), keyword.end(), keyword.begin(), ::toupper);
      if (keyword == "FROM" && base.empty()) base = trim(line.substr(4));
      if (keyword == "FROM" || keyword == "RUN" || keyword == "COPY" || keyword == "ADD" || keyword == "WORKDIR")
        instructions.push_back(line);
    }
    if (base.empty()) {
      ctx_.err(progress + "ERROR: failed to solve: dockerfile parse error: no build stage in current context\n");
      return 1;
    }
    const ImageRef from = normalize(base.substr(0, base.find(' ')));
    ctx_.err(progress + "#3 [internal] load metadata for " + from.full_repo + ":" + from.tag + "\n");
    ctx_.session.now += std::chrono::seconds(1);
    ctx_.err("#3 DONE 1.0s\n\n");
    int step = 4;
    const size_t total = instructions.size();
    for (size_t n = 0; n < total; ++n, ++step) {
      const std::string& line = instructions[n];
      const std::string label = "#" + std::to_string(step);
      const std::string counter = "[" + std::to_string(n + 1) + "/" + std::to_string(total) + "] ";
      std::string keyword = line.substr(0, line.find(' '));
      std::transform(keyword.begin(), keyword.end(), keyword.begin(), ::toupper);
      const std::string args = trim(line.substr(keyword.size()));
      if (keyword == "FROM") {
        const std::string digest = from.full_repo + ":" + from.tag + "@sha256:" + sha256_of(from.full_repo + from.tag);
        ctx_.err(label + " " + counter + "FROM " + digest + "\n" + label + " resolve " + digest + " done\n");
        ctx_.session.now += std::chrono::milliseconds(500);
        ctx_.err(label + " DONE 0.5s\n\n");
      } else if (keyword == "RUN") {
        ctx_.err(label + " " + counter + "RUN " + args + "\n");
        const Duration started = ctx_.session.now;
        const int status = run_in_container({"sh", "-c", args}, {}, ctx_.io.err, ctx_.io.err, label + " 0.100 ");
        const int64_t tenths = (ctx_.session.now - started).count() / 100000;
        if (status != 0) {
          const std::string why =
              "process \"/bin/sh -c " + args + "\" did not complete successfully: exit code: " + std::to_string(status);
          ctx_.err(label + " ERROR: " + why + "\n------\n > " + counter + "RUN " + args + ":\n------\n" +
                   "ERROR: failed to solve: " + why + "\n");
          return 1;
        }
        ctx_.err(label + " DONE " + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s\n\n");
      } else {
        ctx_.err(label + " " + counter + keyword + " " + args + "\n" + label + " DONE 0.0s\n\n");
      }
    }
    const std::string id = sha256_of("build/" + dockerfile + "/" + df->content);
    std::string exporting = "#" + std::to_string(step) + " exporting to image\n";
    const std::string label = "#" + std::to_string(step);
    exporting += label + " exporting layers 0.1s done\n" + label + " writing image sha256:" + id + " done\n";
    auto images = load_images(*d);
    for (const auto& tag : tags) {
      const ImageRef ref = normalize(tag);
      // moby builder/builder-next/exporter/wrapper.go processNamed: progress.OneOff(ctx, fmt.Sprintf("naming to %s", newTag)).
      exporting += label + " naming to " + ref.full_repo + ":" + ref.tag + " done\n";
      images[ref.familiar] = id.substr(0, 12);
    }
    save_images(*d, images);
    ctx_.session.now += std::chrono::milliseconds(100);
    ctx_.err(exporting + label + " DONE 0.1s\n");
    return 0;
  }

  // The push stream (distribution's progress, non-TTY) for one tag.
  int push() {
    std::vector<std::string> rest = args_;
    if (!rest.empty() && rest[0] == "push") rest.erase(rest.begin());
    std::string name;
    for (const auto& a : rest)
      if (!a.empty() && a[0] != '-') name = a;
    if (name.empty()) {
      ctx_.err(
          "\"docker push\" requires exactly 1 argument.\nSee 'docker push --help'.\n\nUsage:  docker push "
          "[OPTIONS] NAME[:TAG]\n\nUpload an image to a registry\n");
      return 1;
    }
    if (!load_tls()) return 1;
    const ImageRef ref = normalize(name);
    const ServiceDaemon* d = reach("Post", "/images/" + ref.full_repo + "/push?tag=" + ref.tag);
    if (!d) return fail();
    const auto images = load_images(*d);
    auto it = images.find(ref.familiar);
    if (it == images.end()) {
      // The daemon's answer (e2e/image/push_test.go TestPushQuietErrors).
      ctx_.err("An image does not exist locally with the tag: " + ref.familiar.substr(0, ref.familiar.rfind(':')) +
               "\n");
      return 1;
    }
    const std::string& repo = ref.full_repo;
    const std::string layer = hex64(fnv1a(it->second)).substr(0, 12);
    ctx_.out("The push refers to repository [" + repo + "]\n" + layer + ": Preparing\n");
    ctx_.session.now += std::chrono::seconds(1);
    ctx_.out(layer + ": Pushed\n" + ref.tag + ": digest: sha256:" + sha256_of("push/" + it->second) + " size: 528\n");
    return 0;
  }

  // cli/command/registry/login.go with -p: the warning, then the daemon's "Login Succeeded".
  int login() {
    bool password = false, stdin_password = false;
    for (const auto& a : args_) {
      if (a == "-p" || a == "--password" || starts_with(a, "--password=")) password = true;
      if (a == "--password-stdin") stdin_password = true;
    }
    if (password && !stdin_password)
      ctx_.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    if (!load_tls()) return 1;
    const ServiceDaemon* d = reach("Post", "/auth");
    if (!d) return fail();
    ctx_.err(
        "WARNING! Your password will be stored unencrypted in /root/.docker/config.json.\n"
        "Configure a credential helper to remove this warning. See\n"
        "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n");
    ctx_.out("Login Succeeded\n");
    return 0;
  }

  int listing(const std::string& header, const std::string& path) {
    if (!load_tls()) return 1;
    if (!reach("Get", path)) return fail();
    ctx_.out(header);
    return 0;
  }

  int images() {
    if (!load_tls()) return 1;
    const ServiceDaemon* d = reach("Get", "/images/json");
    if (!d) return fail();
    std::string out = "REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\n";
    for (const auto& [name, id] : load_images(*d)) {
      const size_t colon = name.rfind(':');
      out += name.substr(0, colon) + "   " + name.substr(colon + 1) + "   " + id + "   About a minute ago   7.33MB\n";
    }
    ctx_.out(out);
    return 0;
  }

  ToolContext& ctx_;
  const PodServices* services_;
  Endpoint ep_;
  std::vector<std::string> args_;
  std::string ca_;
  std::string error_;
};

int tool_docker(ToolContext& ctx) { return DockerCli(ctx).run(); }

}  // namespace

void add_docker_tool(ToolTable& table) { table["docker"] = {tool_docker, ToolTier::kModel}; }

}  // namespace kexsim::fakes::shell

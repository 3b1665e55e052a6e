// Network tool models: curl, wget (busybox), getent hosts, nslookup. They connect through the
// pod's view of the simulated network; no HTTP exchange is modelled beyond the connection.

#include <set>

#include "fakes/runtime/tools.h"
#include "fakes/runtime/url.h"

namespace kexsim::fakes::shell {
namespace {

// The cluster DNS service address nslookup reports (kube-dns's usual ClusterIP).
constexpr const char* kClusterDns = "10.96.0.10";

// curl prints this after every certificate failure (exit 60).
constexpr const char* kCurlCertHelp =
    "More details here: https://curl.se/docs/sslcerts.html\n\n"
    "curl failed to verify the legitimacy of the server and therefore could not\n"
    "establish a secure connection to it. To learn more about this situation and\n"
    "how to fix it, please visit the web page mentioned above.\n";

std::optional<Url> url_with_default_scheme(const std::string& text) {
  return parse_url(text.find("://") == std::string::npos ? "http://" + text : text);
}

// Writes an empty download target, as a transfer without a modelled body would leave it.
bool create_output(ToolContext& ctx, const std::string& name) {
  const std::string path = ctx.path(name);
  if (ctx.session.fs.is_dir(path) || !ctx.session.fs.is_dir(FileSystem::parent(path))) return false;
  ctx.session.fs.write(path, "", false);
  return true;
}

int tool_curl(ToolContext& ctx) {
  static const std::set<std::string> kWithValue = {"-o",
                                                   "-X",
                                                   "-H",
                                                   "-d",
                                                   "-u",
                                                   "-w",
                                                   "-m",
                                                   "-A",
                                                   "-e",
                                                   "-T",
                                                   "-F",
                                                   "-x",
                                                   "-b",
                                                   "-c",
                                                   "-E",
                                                   "-K",
                                                   "-r",
                                                   "-y",
                                                   "-Y",
                                                   "-z",
                                                   "-C",
                                                   "--output",
                                                   "--request",
                                                   "--header",
                                                   "--data",
                                                   "--data-raw",
                                                   "--data-binary",
                                                   "--data-urlencode",
                                                   "--user",
                                                   "--write-out",
                                                   "--max-time",
                                                   "--connect-timeout",
                                                   "--retry",
                                                   "--retry-delay",
                                                   "--retry-max-time",
                                                   "--cacert",
                                                   "--capath",
                                                   "--cert",
                                                   "--key",
                                                   "--user-agent",
                                                   "--referer",
                                                   "--upload-file",
                                                   "--form",
                                                   "--proxy",
                                                   "--cookie",
                                                   "--cookie-jar",
                                                   "--resolve",
                                                   "--url",
                                                   "--config",
                                                   "--unix-socket",
                                                   "--interface",
                                                   "--max-filesize",
                                                   "--limit-rate"};
  bool silent = false, show_error = false, insecure = false, remote_name = false;
  std::string url_text, output, write_out;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      const bool value = kWithValue.count(a) && i + 1 < ctx.args.size();
      const std::string v = value ? ctx.args[++i] : "";
      if (a == "--silent")
        silent = true;
      else if (a == "--show-error")
        show_error = true;
      else if (a == "--insecure")
        insecure = true;
      else if (a == "--remote-name")
        remote_name = true;
      else if (a == "--output")
        output = v;
      else if (a == "--write-out")
        write_out = v;
      else if (a == "--url")
        url_text = v;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        const std::string flag = std::string("-") + a[k];
        if (kWithValue.count(flag)) {
          std::string v = k + 1 < a.size() ? a.substr(k + 1) : (i + 1 < ctx.args.size() ? ctx.args[++i] : "");
          if (a[k] == 'o') output = v;
          if (a[k] == 'w') write_out = v;
          break;
        }
        if (a[k] == 's') silent = true;
        if (a[k] == 'S') show_error = true;
        if (a[k] == 'k') insecure = true;
        if (a[k] == 'O') remote_name = true;
      }
      continue;
    }
    if (url_text.empty()) url_text = a;
  }
  const bool report = !silent || show_error;
  if (url_text.empty()) {
    ctx.err("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const auto url = url_with_default_scheme(url_text);
  if (!url) {
    if (report) ctx.err("curl: (3) URL using bad/illegal format or missing URL\n");
    return 3;
  }
  const ConnectOutcome outcome = connect_with_services(ctx.session.world, url->host, url->port, url->tls(),
                                                      ctx.session.start + ctx.session.now);
  ctx.session.now += outcome.elapsed;
  ConnectOutcome::Kind kind = outcome.kind;
  if (insecure && (kind == ConnectOutcome::Kind::kTlsUntrusted || kind == ConnectOutcome::Kind::kTlsWrongName))
    kind = ConnectOutcome::Kind::kOk;
  if (kind != ConnectOutcome::Kind::kOk) {
    const int code = curl_exit_code(kind);
    if (report) {
      // curl src/tool_operate.c post_per_transfer: fprintf(global->errors, "curl: (%d) %s\n", result, ...).
      ctx.err("curl: (" + std::to_string(code) + ") " + curl_error_text(outcome, url->host, url->port) + "\n");
      if (code == 60) ctx.err(kCurlCertHelp);
    }
    return code;
  }
  if (remote_name && output.empty()) {
    const size_t slash = url->path.rfind('/');
    output = slash == std::string::npos ? "" : url->path.substr(slash + 1);
  }
  if (!output.empty() && output != "-" && !create_output(ctx, output)) {
    if (report) ctx.err("curl: (23) Failure writing output to destination\n");
    return 23;
  }
  if (!write_out.empty()) {
    std::string text;
    for (size_t k = 0; k < write_out.size(); ++k) {
      if (write_out.compare(k, 12, "%{http_code}") == 0) {
        text += "200";  // the model has no HTTP exchange; a reachable server is taken to answer 200
        k += 11;
      } else if (write_out[k] == '\\' && k + 1 < write_out.size() && write_out[k + 1] == 'n') {
        text += "\n";
        ++k;
      } else {
        text.push_back(write_out[k]);
      }
    }
    ctx.out(text);
  }
  return 0;
}

int tool_wget(ToolContext& ctx) {
  bool quiet = false;
  std::string url_text, output;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a == "-q" || a == "--quiet")
      quiet = true;
    else if ((a == "-O" || a == "--output-document") && i + 1 < ctx.args.size())
      output = ctx.args[++i];
    else if (a.size() > 2 && a.compare(0, 2, "-O") == 0)
      output = a.substr(2);
    else if ((a == "-T" || a == "-t" || a == "-U" || a == "--header" || a == "-P") && i + 1 < ctx.args.size())
      ++i;
    else if (a.size() > 1 && a[0] == '-')
      continue;
    else if (url_text.empty())
      url_text = a;
  }
  if (url_text.empty()) {
    ctx.err("wget: missing URL\n");
    return 1;
  }
  const auto url = url_with_default_scheme(url_text);
  if (!url) {
    ctx.err("wget: not an http or ftp url: " + url_text + "\n");
    return 1;
  }
  const ConnectOutcome outcome = connect_with_services(ctx.session.world, url->host, url->port, url->tls(),
                                                      ctx.session.start + ctx.session.now);
  ctx.session.now += outcome.elapsed;
  using Kind = ConnectOutcome::Kind;
  if (outcome.kind == Kind::kResolveFailed) {
    ctx.err("wget: bad address '" + url->host + "'\n");
    return 1;
  }
  if (!quiet) ctx.err("Connecting to " + url->host + " (" + outcome.address + ":" + std::to_string(url->port) + ")\n");
  switch (outcome.kind) {
    case Kind::kRefused:
    case Kind::kUnreachable:
    case Kind::kTimeout: {
      const char* why = outcome.kind == Kind::kRefused       ? "Connection refused"
                        : outcome.kind == Kind::kUnreachable ? "Host is unreachable"
                                                             : "Connection timed out";
      ctx.err("wget: can't connect to remote host (" + outcome.address + "): " + why + "\n");
      return 1;
    }
    case Kind::kTlsReset: ctx.err("wget: error getting response: Connection reset by peer\n"); return 1;
    case Kind::kTlsUntrusted:
    case Kind::kTlsWrongName:
      // busybox's own TLS code does not check certificates.
      ctx.err("wget: note: TLS certificate validation not implemented\n");
      break;
    default: break;
  }
  if (output == "-") {
    if (!quiet) ctx.err("writing to stdout\nwritten to stdout\n");
    return 0;
  }
  if (output.empty()) {
    const size_t slash = url->path.rfind('/');
    output = slash == std::string::npos || slash + 1 == url->path.size() ? "index.html" : url->path.substr(slash + 1);
  }
  if (!create_output(ctx, output)) {
    ctx.err("wget: can't open '" + output + "': No such file or directory\n");
    return 1;
  }
  if (!quiet) ctx.err("saving to '" + output + "'\n'" + output + "' saved\n");
  return 0;
}

int tool_getent(ToolContext& ctx) {
  if (ctx.args.size() < 2) {
    ctx.err("getent: missing database\n");
    return 1;
  }
  const std::string& db = ctx.args[1];
  if (db != "hosts" && db != "ahosts" && db != "ahostsv4") return 2;
  int status = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const ConnectOutcome outcome = ctx.session.world.connect(ctx.args[i], 0, false);
    if (outcome.kind == ConnectOutcome::Kind::kResolveFailed || outcome.address.empty()) {
      status = 2;
      continue;
    }
    std::string address = outcome.address;
    if (address.size() < 15) address.resize(15, ' ');
    ctx.out(address + " " + ctx.args[i] + "\n");
  }
  return status;
}

int tool_nslookup(ToolContext& ctx) {
  std::string name;
  for (size_t i = 1; i < ctx.args.size() && name.empty(); ++i)
    if (ctx.args[i].empty() || ctx.args[i][0] != '-') name = ctx.args[i];
  if (name.empty()) {
    ctx.err("nslookup: missing host name\n");
    return 1;
  }
  std::string out = std::string("Server:\t\t") + kClusterDns + "\nAddress:\t" + kClusterDns + ":53\n\n";
  const ConnectOutcome outcome = ctx.session.world.connect(name, 0, false);
  if (outcome.kind == ConnectOutcome::Kind::kResolveFailed || outcome.address.empty()) {
    ctx.out(out + "** server can't find " + name + ": NXDOMAIN\n\n");
    return 1;
  }
  ctx.out(out + "Non-authoritative answer:\nName:\t" + name + "\nAddress: " + outcome.address + "\n\n");
  return 0;
}

}  // namespace

void add_net_tools(ToolTable& table) {
  table["curl"] = {tool_curl, ToolTier::kModel};
  table["wget"] = {tool_wget, ToolTier::kModel};
  table["getent"] = {tool_getent, ToolTier::kModel};
  table["nslookup"] = {tool_nslookup, ToolTier::kModel};
}

}  // namespace kexsim::fakes::shell

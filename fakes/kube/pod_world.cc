#include "fakes/kube/pod_world.h"

#include <openssl/x509_vfy.h>

#include <cctype>
#include <utility>

#include "base/strings.h"
#include "fakes/kube/pod_services.h"

namespace kexsim::fakes {
namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 412: return "Precondition Failed";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

std::string query_unescape(const std::string& s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The server end of a pod's connection: parses HTTP/1.1 requests as they complete and answers
// each with the fake behind the listener (none: 404).
class ServerEnd {
 public:
  ServerEnd(HttpHandler* handler, std::string listener) : handler_(handler), listener_(std::move(listener)) {}

  // Feeds request bytes; returns the responses to every request they completed.
  std::string feed(const std::string& bytes) {
    buffer_ += bytes;
    std::string out;
    while (true) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) break;
      HttpRequest request;
      const std::vector<std::string> lines = split(buffer_.substr(0, end), '\n');
      if (lines.empty()) break;
      const std::vector<std::string> start = split(trim(lines[0]), ' ');
      if (start.size() < 2) {
        buffer_.clear();
        return out + "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      }
      request.method = start[0];
      request.target = start[1];
      for (size_t i = 1; i < lines.size(); ++i) {
        const std::string line = trim(lines[i]);
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers[name] = trim(line.substr(colon + 1));
      }
      const size_t length = static_cast<size_t>(std::atoll(request.header("content-length").c_str()));
      if (buffer_.size() < end + 4 + length) break;
      request.body = buffer_.substr(end + 4, length);
      buffer_.erase(0, end + 4 + length);
      const size_t q = request.target.find('?');
      request.path = query_unescape(request.target.substr(0, q), false);
      if (q != std::string::npos)
        for (const auto& pair : split(request.target.substr(q + 1), '&')) {
          if (pair.empty()) continue;
          const size_t eq = pair.find('=');
          request.query.emplace_back(query_unescape(pair.substr(0, eq), true),
                                     eq == std::string::npos ? "" : query_unescape(pair.substr(eq + 1), true));
        }
      request.listener = listener_;
      HttpResponse response;
      if (handler_) {
        response = handler_->handle(request);
      } else {
        response.status = 404;
      }
      out += "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
      for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
      out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n" + response.body;
    }
    return out;
  }

 private:
  HttpHandler* handler_;
  std::string listener_;
  std::string buffer_;
};

class PlainConnection : public Connection {
 public:
  explicit PlainConnection(ServerEnd server) : server_(std::move(server)) {}
  Status write(const std::string& bytes) override {
    inbox_ += server_.feed(bytes);
    return {};
  }
  std::string read() override { return std::exchange(inbox_, {}); }

 private:
  ServerEnd server_;
  std::string inbox_;
};

class TlsConnection : public Connection {
 public:
  TlsConnection(std::unique_ptr<TlsPipe> pipe, ServerEnd server) : pipe_(std::move(pipe)), server_(std::move(server)) {}
  Status write(const std::string& bytes) override {
    if (auto st = pipe_->client_write(bytes); !st) return st;
    const std::string answer = server_.feed(pipe_->server_read());
    if (answer.empty()) return {};
    return pipe_->server_write(answer);
  }
  std::string read() override { return pipe_->client_read(); }

 private:
  std::unique_ptr<TlsPipe> pipe_;
  ServerEnd server_;
};

}  // namespace

std::unique_ptr<Connection> in_memory_http(HttpHandler* handler, std::string listener) {
  return std::make_unique<PlainConnection>(ServerEnd(handler, std::move(listener)));
}

Connected PodContainerWorld::open(const std::string& host, int port, const TlsOptions* tls) {
  Connected result;
  ConnectOutcome& out = result.outcome;
  const nlohmann::json aliases =
      pod_.contains("spec") ? pod_["spec"].value("hostAliases", nlohmann::json::array()) : nlohmann::json::array();
  auto address = net_.network.resolve_from_pod(host, aliases);
  if (!address) {
    out.kind = ConnectOutcome::Kind::kResolveFailed;
    return result;
  }
  out.address = *address;
  const Reach reach = net_.network.reach_from_pod(*address, port);
  out.elapsed = connect_cost(reach);
  switch (reach) {
    case Reach::kRefused: out.kind = ConnectOutcome::Kind::kRefused; return result;
    case Reach::kUnreachable: out.kind = ConnectOutcome::Kind::kUnreachable; return result;
    case Reach::kTimeout: out.kind = ConnectOutcome::Kind::kTimeout; return result;
    case Reach::kReachable: break;
  }
  const HostEntry* entry = net_.network.host_at(*address, port);
  HttpHandler* gitlab = net_.gitlab_handler ? net_.gitlab_handler : static_cast<HttpHandler*>(&net_.gitlab);
  HttpHandler* handler = entry && entry->serves == "gitlab" ? gitlab : nullptr;
  ServerEnd server(handler, entry ? entry->name : host);
  if (!tls) {
    result.connection = std::make_unique<PlainConnection>(std::move(server));
    return result;
  }
  auto identity = net_.identities.find(*address + ":" + std::to_string(port));
  // A listener without a certificate (plain HTTP, or nothing known) hangs up on a ClientHello.
  const TlsPipeServer closed{"", "", true};
  const TlsPipeServer& server_tls =
      identity == net_.identities.end() || (entry && entry->tls == TlsBehaviour::kNone) ? closed : identity->second;
  TlsPipeClient client;
  client.host = host;
  client.verify = tls->verify;
  client.trusted_pems.push_back(net_.trusted_pem);
  for (const auto& pem : tls->extra_pems) client.trusted_pems.push_back(pem);
  client.verify_time = unix_seconds(net_.clock.now());
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(server_tls, client, verdict);
  switch (verdict.kind) {
    case TlsVerdict::Kind::kOk:
      result.connection = std::make_unique<TlsConnection>(std::move(pipe), std::move(server));
      break;
    case TlsVerdict::Kind::kVerifyFailed:
      // libcurl checks the name itself and words it its own way; every other reason is OpenSSL's text.
      if (verdict.verify_result == X509_V_ERR_HOSTNAME_MISMATCH ||
          verdict.verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        out.kind = ConnectOutcome::Kind::kTlsWrongName;
      } else {
        out.kind = ConnectOutcome::Kind::kTlsUntrusted;
        out.tls_detail = verdict.verify_text;
      }
      break;
    // In the field the reset is a TCP RST (SSL_ERROR_SYSCALL); in memory the peer just closes.
    case TlsVerdict::Kind::kPeerClosed:
    case TlsVerdict::Kind::kFailed: out.kind = ConnectOutcome::Kind::kTlsReset; break;
  }
  return result;
}

std::string PodContainerWorld::etc_hosts() {
  // The kubelet-managed file: fixed header, the pod's own address, then the HostAliases section.
  std::string out =
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  const auto status = pod_.value("status", nlohmann::json::object());
  out += status.value("podIP", std::string("10.244.0.2")) + "\t" + hostname() + "\n";
  const auto aliases = pod_["spec"].value("hostAliases", nlohmann::json::array());
  if (!aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& a : aliases) {
      out += a.value("ip", std::string());
      for (const auto& hn : a.value("hostnames", nlohmann::json::array())) out += "\t" + hn.get<std::string>();
      out += "\n";
    }
  }
  return out;
}

std::string PodContainerWorld::hostname() { return pod_["metadata"].value("name", std::string()); }

std::string PodContainerWorld::image() {
  const nlohmann::json* containers = nullptr;
  if (auto spec = pod_.find("spec"); spec != pod_.end() && spec->is_object())
    if (auto list = spec->find("containers"); list != spec->end() && list->is_array()) containers = &*list;
  if (!containers) return {};
  for (const auto& c : *containers)
    if (c.is_object() && (container_.empty() || c.value("name", std::string()) == container_))
      return c.value("image", std::string());
  return {};
}

ProcessIds PodContainerWorld::ids() {
  const auto spec = pod_.find("spec");
  if (spec == pod_.end() || !spec->is_object()) return {};
  const auto id_in = [](const nlohmann::json& owner, const char* key) -> std::optional<int64_t> {
    auto sc = owner.find("securityContext");
    if (sc == owner.end() || !sc->is_object()) return std::nullopt;
    auto v = sc->find(key);
    if (v == sc->end() || !v->is_number_integer()) return std::nullopt;
    return v->get<int64_t>();
  };
  const nlohmann::json* own = nullptr;
  for (const char* list : {"containers", "initContainers"}) {
    auto l = spec->find(list);
    if (l == spec->end() || !l->is_array()) continue;
    for (const auto& c : *l)
      if (!own && c.is_object() && c.value("name", std::string()) == container_) own = &c;
  }
  // The kubelet's effective context (DetermineEffectiveSecurityContext): the container's ids over the pod's.
  ProcessIds out;
  for (const auto& [key, field] : {std::pair{"runAsUser", &out.uid}, std::pair{"runAsGroup", &out.gid}}) {
    std::optional<int64_t> v = own ? id_in(*own, key) : std::nullopt;
    if (!v) v = id_in(*spec, key);
    if (v) *field = *v;
  }
  return out;
}

const CommandSpec* PodContainerWorld::command(const std::string& name) {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : &it->second;
}

uint64_t PodContainerWorld::pack_bytes(const std::string& repository_path) {
  // "/root/app.git" (or without .git, or with a trailing slash) names project root/app.
  std::string project = repository_path;
  while (!project.empty() && project.back() == '/') project.pop_back();
  if (ends_with(project, ".git")) project.resize(project.size() - 4);
  while (!project.empty() && project.front() == '/') project.erase(0, 1);
  auto it = net_.pack_sizes.find(project);
  return it == net_.pack_sizes.end() ? 0 : it->second;
}

std::optional<std::string> PodContainerWorld::resolve(const std::string& host) {
  const nlohmann::json aliases =
      pod_.contains("spec") ? pod_["spec"].value("hostAliases", nlohmann::json::array()) : nlohmann::json::array();
  return net_.network.resolve_from_pod(host, aliases);
}

const PodServices* PodContainerWorld::services() {
  if (!services_) services_ = pod_services(pod_, container_, net_.services);
  return &*services_;
}

std::unique_ptr<ContainerWorld> PodWorldFactory::world_for(const nlohmann::json& pod, const std::string& container) {
  return std::make_unique<PodContainerWorld>(net_, pod, commands_, container);
}

}  // namespace kexsim::fakes

#pragma once
// The Kubernetes exec channel protocols as client-go speaks them. SPDY/3.1 (remotecommand's SPDY
// executor, which GitLab Runner uses): a POST upgrade, one SPDY stream per channel (error, stdin,
// stdout, stderr), the final Status on the error stream. WebSocket (kubectl 1.30+'s default, kept for
// tests and kubectl-like clients): offer v5.channel.k8s.io then v4, stdin on channel 0 (v5 closes it
// with 0xFF 0x00), output on 1 and 2, the final Status on 3.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "executor/http/client.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// The end of an exec session: the channel protocol used and the error-channel (3) or error-stream
/// Status JSON (empty when the server sent none, which v4/v5 clients read as success).
struct ExecStreamResult {
  std::string protocol;
  std::string status_json;
};

/// Runs one exec session on a fresh connection of http: sends stdin_data on channel 0 (then v5's
/// stdin close), passes channel 1/2 output to on_output, and returns at the server's close. A
/// refused upgrade returns the Status message (or the body) as error. Parameters are values: the
/// coroutine starts after the caller's temporaries go.
asio::awaitable<Result<ExecStreamResult>> run_exec_stream(
    HttpClient& http, std::string url, std::vector<std::pair<std::string, std::string>> headers, std::string stdin_data,
    std::function<void(int stream, std::string_view data)> on_output);

/// The channel protocols client-go's SPDY executor offers, newest first (tools/remotecommand/spdy.go):
/// v5 arrived with client-go 0.29, which GitLab Runner took in 18.7 (0.32.10); 13.12 vendors a 2019
/// client-go that offers v4 down to channel.k8s.io.
std::vector<std::string> spdy_exec_protocols(Profile profile);

/// Runs one exec session over SPDY/3.1 on a fresh connection of http, as client-go's SPDY executor:
/// POST with the protocol offers, then the error, stdin, stdout and stderr streams (those the URL's
/// stdin/stdout/stderr flags ask for), each after the SYN_REPLY of the one before; stdin_data as DATA
/// then FIN; output to on_output until stdout and stderr end; the error stream's Status. A refused
/// upgrade returns the Status message (else `unable to upgrade connection: <body>`) as error. A
/// connection lost after the streams are set up ends the session like EOF on every stream, as
/// spdystream does: the result then holds whatever Status arrived (often none). waiting (optional)
/// is told true once the connection is open and the upgrade goes out, false once its answer came:
/// http is not touched in between or after, so a caller may stop waiting then (HttpClient::abort).
asio::awaitable<Result<ExecStreamResult>> run_spdy_exec_stream(
    HttpClient& http, std::string url, std::vector<std::pair<std::string, std::string>> headers, std::string stdin_data,
    std::function<void(int stream, std::string_view data)> on_output, std::vector<std::string> protocols,
    std::function<void(bool)> waiting = {});

}  // namespace kexsim::executor

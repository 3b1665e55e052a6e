#pragma once
// The Kubernetes exec channel protocol over WebSocket, as client-go speaks it: offer
// v5.channel.k8s.io then v4, stdin on channel 0 (v5 closes it with 0xFF 0x00), output on 1 and 2,
// the final Status on 3.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "executor/http/client.h"

namespace kexsim::executor {

/// The end of an exec session: the subprotocol used and the error-channel (3) Status JSON
/// (empty when the server sent none, which v4/v5 clients read as success).
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

}  // namespace kexsim::executor

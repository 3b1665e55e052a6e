#pragma once
// What the exec channel clients (WebSocket in kube_exec_stream.cc, SPDY in kube_exec_spdy.cc) share: the
// channel protocol names both offer, the stdin chunk size and the bound on the error stream's Status.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/beast/core/string.hpp>

namespace kexsim::executor::exec_channels {

inline constexpr std::string_view kV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kV4 = "v4.channel.k8s.io";
/// How much of stdin one frame carries.
inline constexpr size_t kStdinChunk = 32 * 1024;
/// The error stream carries one small Status; a peer that streams more cannot grow memory without bound
/// (executor-gaps.md W4). Bytes past this are dropped, so the JSON then fails to parse.
inline constexpr size_t kMaxStatusBytes = 64 * 1024;

/// Appends error-stream bytes to the Status text, up to kMaxStatusBytes.
inline void append_status(std::string& to, std::string_view bytes) {
  if (to.size() < kMaxStatusBytes) to.append(bytes.substr(0, kMaxStatusBytes - to.size()));
}

/// Beast's string_view as a std::string_view.
inline std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace kexsim::executor::exec_channels

#include "fakes/http/spdy_exec.h"

namespace kexsim::fakes::spdy {

ExecConnection::ExecConnection(ExecStreamsWanted wanted) : wanted_(wanted) {}

ExecConnection::Received ExecConnection::receive(std::string_view bytes) {
  Received out;
  buffer_ += bytes;
  while (std::optional<Frame> frame = take_frame(buffer_)) {
    ++out.frames;
    if (!failed_) handle(*frame, out);
  }
  return out;
}

void ExecConnection::fail(Received& out) {
  failed_ = true;
  out.replies.push_back(goaway_frame(last_stream_id_, GoAwayStatus::kProtocolError));
}

void ExecConnection::handle(const Frame& frame, Received& out) {
  if (frame.control) {
    handle_control(frame, out);
    return;
  }
  if (frame.stream_id == 0) return fail(out);
  auto it = streams_.find(frame.stream_id);
  if (it == streams_.end()) {
    out.replies.push_back(rst_stream_frame(frame.stream_id, RstStatus::kInvalidStream));
    return;
  }
  Stream& stream = it->second;
  if (stream.reset) return;
  if (stream.remote_fin) {
    stream.reset = true;
    out.replies.push_back(rst_stream_frame(frame.stream_id, RstStatus::kStreamAlreadyClosed));
    return;
  }
  if (stream.type == "stdin") stdin_ += frame.payload;  // resize messages carry no meaning for the model
  if (frame.flags & kFlagFin) stream.remote_fin = true;
}

void ExecConnection::handle_control(const Frame& frame, Received& out) {
  if (frame.version != kVersion) return fail(out);
  const std::string_view data = frame.payload;
  switch (static_cast<ControlType>(frame.type)) {
    case ControlType::kSynStream: {
      if (data.size() < 10) return fail(out);
      const uint32_t id = read_u32(data, 0) & 0x7fffffffu;
      auto headers = decompressor_.decompress(data.substr(10));  // always: the zlib stream must stay in step
      // Client streams are odd and increasing (SPDY/3 section 2.3.2); anything else is a session error.
      if (!headers || id == 0 || id % 2 == 0 || id <= last_stream_id_) return fail(out);
      last_stream_id_ = id;
      // The header is StreamType ("streamType", lower-cased on the wire) with the values StreamTypeError,
      // StreamTypeStdin, ... of k8s.io/api core/v1 types.go.
      std::string type;
      for (const auto& [name, value] : *headers)
        if (name == "streamtype") type = value;
      const bool known = type == "error" || type == "stdin" || type == "stdout" || type == "stderr" || type == "resize";
      if (!known || by_type_.count(type)) {
        out.replies.push_back(rst_stream_frame(id, RstStatus::kRefusedStream));
        return;
      }
      Stream stream;
      stream.type = type;
      stream.remote_fin = (frame.flags & (kFlagFin | kFlagUnidirectional)) != 0;
      streams_[id] = stream;
      by_type_[type] = id;
      const Headers none;
      out.replies.push_back(syn_reply_frame(id, 0, compressor_.compress(none)));
      return;
    }
    case ControlType::kSynReply:
    case ControlType::kHeaders: {
      if (data.size() < 4 || !decompressor_.decompress(data.substr(4))) return fail(out);
      return;  // the server opens no streams, and extra headers mean nothing here
    }
    case ControlType::kRstStream: {
      if (data.size() != 8) return fail(out);
      auto it = streams_.find(read_u32(data, 0) & 0x7fffffffu);
      if (it != streams_.end()) it->second.reset = true;
      return;
    }
    case ControlType::kPing: {
      if (data.size() != 4) return fail(out);
      const uint32_t id = read_u32(data, 0);
      if (id % 2 == 1) out.replies.push_back(ping_frame(id));  // the client's: echo; even ids would be ours
      return;
    }
    case ControlType::kGoAway:
      if (data.size() != 8) return fail(out);
      peer_going_away_ = true;
      return;
    case ControlType::kWindowUpdate:
      if (data.size() != 8) return fail(out);
      return;  // spdystream keeps no flow-control windows, so neither does the fake
    case ControlType::kSettings: return;
  }
  // Unknown control types are ignored (SPDY/3 section 2.2.1).
}

std::optional<uint32_t> ExecConnection::stream_of(const std::string& type) const {
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return std::nullopt;
  return it->second;
}

bool ExecConnection::ready() const {
  if (failed_) return false;
  if (!stream_of("error")) return false;
  if (wanted_.out && !stream_of("stdout")) return false;
  if (wanted_.err && !wanted_.tty && !stream_of("stderr")) return false;
  if (wanted_.tty && !stream_of("resize")) return false;
  if (wanted_.in) {
    const auto id = stream_of("stdin");
    if (!id) return false;
    const Stream& stream = streams_.at(*id);
    if (!stream.remote_fin && !stream.reset) return false;
  }
  return true;
}

std::vector<std::string> ExecConnection::output(int channel, std::string_view data) const {
  std::vector<std::string> frames;
  if (channel != 1 && channel != 2) return frames;
  const auto id = stream_of(channel == 1 || wanted_.tty ? "stdout" : "stderr");
  if (!id || streams_.at(*id).reset) return frames;
  while (!data.empty()) {
    const std::string_view piece = data.substr(0, kMaxFrameLength);
    frames.push_back(data_frame(*id, 0, piece));
    data.remove_prefix(piece.size());
  }
  return frames;
}

std::vector<std::string> ExecConnection::finish(std::string_view status_json) {
  std::vector<std::string> frames;
  for (const char* type : {"stdout", "stderr", "error"}) {
    const auto id = stream_of(type);
    if (!id || streams_.at(*id).reset) continue;
    frames.push_back(data_frame(*id, kFlagFin, std::string_view(type) == "error" ? status_json : std::string_view()));
  }
  return frames;
}

std::string ExecConnection::goaway() const { return goaway_frame(last_stream_id_, GoAwayStatus::kOk); }

}  // namespace kexsim::fakes::spdy

#include "executor/timestamper.h"

#include <chrono>

namespace kexsim::executor {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

void put_digits(std::string& to, int64_t value, int width) {
  std::string digits(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10) {
    digits[static_cast<size_t>(i)] = char('0' + value % 10);
  }
  to += digits;
}

}  // namespace

std::string timestamp_header(TimePoint t, TraceStream stream, bool continuation) {
  // Always UTC with six fractional digits, left-padded (timestamper.go writeHeader; 18.4+ pads
  // correctly, 16.11-18.3 did not).
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  std::string out;
  out.reserve(32);
  put_digits(out, int(ymd.year()), 4);
  out += '-';
  put_digits(out, unsigned(ymd.month()), 2);
  out += '-';
  put_digits(out, unsigned(ymd.day()), 2);
  out += 'T';
  put_digits(out, hms.hours().count(), 2);
  out += ':';
  put_digits(out, hms.minutes().count(), 2);
  out += ':';
  put_digits(out, hms.seconds().count(), 2);
  out += '.';
  put_digits(out, duration_cast<microseconds>(hms.subseconds()).count(), 6);
  out += "Z ";
  out += kHex[stream.id >> 4];
  out += kHex[stream.id & 0x0f];
  out += stream.type;
  out += continuation ? '+' : ' ';
  return out;
}

void Timestamper::header(std::string& to) {
  to += timestamp_header(clock_.now(), stream_, continuation_);
  continuation_ = false;
}

void Timestamper::write(std::string_view p, std::string& out) {
  // Complete lines: the first one finishes a held partial line (whose header is already held).
  size_t nl = p.find('\n');
  if (nl != std::string_view::npos) {
    if (!held_.empty()) {
      out += held_;
      held_.clear();
      out += p.substr(0, nl + 1);
      p.remove_prefix(nl + 1);
      nl = p.find('\n');
    }
    while (nl != std::string_view::npos) {
      header(out);
      out += p.substr(0, nl + 1);
      p.remove_prefix(nl + 1);
      nl = p.find('\n');
    }
  }
  if (p.empty()) return;
  // The rest has no "\n". With a "\r" (a progress bar, a section marker) it is emitted at once,
  // whole, and the next line continues it.
  if (p.find('\r') != std::string_view::npos) {
    if (!held_.empty()) {
      out += held_;
      held_.clear();
    } else {
      header(out);
    }
    out += p;
    out += '\n';
    continuation_ = true;
    return;
  }
  // A partial line: held, unless it would outgrow the buffer.
  if (p.size() + held_.size() > kBufferSize) {
    if (held_.empty()) header(out);
    out += held_;
    held_.clear();
    continuation_ = true;
    out += p;
    out += '\n';
    return;
  }
  if (held_.empty()) header(held_);
  held_ += p;
}

void Timestamper::close(std::string& out) {
  continuation_ = false;  // the runner opens a new writer for the next exec
  if (held_.empty()) return;
  out += held_;
  out += '\n';
  held_.clear();
}

}  // namespace kexsim::executor

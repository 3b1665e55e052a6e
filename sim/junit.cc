#include "sim/junit.h"

#include <cstdio>

namespace kexsim::sim {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 forbids most control characters (ANSI escapes included).
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') break;
        out += static_cast<char>(c);
    }
  }
  return out;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::string render_junit(const std::string& suite, const std::vector<JunitCase>& cases) {
  int failures = 0;
  for (const auto& c : cases) failures += !c.failure.empty();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out += "  <testsuite name=\"" + escape(suite) + "\" tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
         std::to_string(failures) + "\">\n";
  for (const auto& c : cases) {
    out += "    <testcase classname=\"" + escape(c.classname) + "\" name=\"" + escape(c.name) + "\" file=\"" +
           escape(c.file) + "\" time=\"" + fixed(c.wall_seconds) + "\">\n";
    out += "      <properties><property name=\"virtual_seconds\" value=\"" + fixed(c.virtual_seconds) +
           "\"/></properties>\n";
    if (!c.failure.empty()) {
      const std::string first = c.failure.substr(0, c.failure.find('\n'));
      out += "      <failure message=\"" + escape(first) + "\">" + escape(c.failure) + "</failure>\n";
    }
    if (!c.system_out.empty()) out += "      <system-out>" + escape(c.system_out) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace kexsim::sim

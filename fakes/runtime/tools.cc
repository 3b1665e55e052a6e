#include "fakes/runtime/tools.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace kexsim::fakes::shell {
namespace {

int tool_true(ToolContext&) { return 0; }
int tool_false(ToolContext&) { return 1; }

int tool_hostname(ToolContext& ctx) {
  ctx.out(ctx.session.world.hostname() + "\n");
  return 0;
}

// `id -u` / `id -g`: the container's runAsUser / runAsGroup (ContainerWorld::ids). Names and the
// full `id` line depend on the image's /etc/passwd, which is not modelled.
int tool_id(ToolContext& ctx) {
  const ProcessIds ids = ctx.session.world.ids();
  if (ctx.args.size() == 2 && ctx.args[1] == "-u") {
    ctx.out(std::to_string(ids.uid) + "\n");
    return 0;
  }
  if (ctx.args.size() == 2 && ctx.args[1] == "-g") {
    ctx.out(std::to_string(ids.gid) + "\n");
    return 0;
  }
  ctx.err("id: kexsim models only `id -u` and `id -g` (define the command in the scenario for more)\n");
  return 1;
}

// Virtual time: the script's clock moves, the host's does not.
int tool_sleep(ToolContext& ctx) {
  if (ctx.args.size() < 2) {
    ctx.err("sleep: missing operand\n");
    return 1;
  }
  Duration total{0};
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    Duration d{0};
    if (!parse_sleep_seconds(ctx.args[i], d)) {
      ctx.err("sleep: invalid number '" + ctx.args[i] + "'\n");
      return 1;
    }
    total += d;
  }
  ctx.session.now += total;
  return 0;
}

int tool_printenv(ToolContext& ctx) {
  if (ctx.args.size() == 1) {
    std::string listing;
    for (const auto& name : ctx.env.exported)
      if (const std::string* v = ctx.env.get(name)) listing += name + "=" + *v + "\n";
    ctx.out(listing);
    return 0;
  }
  int status = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string* v = ctx.env.exported.count(ctx.args[i]) ? ctx.env.get(ctx.args[i]) : nullptr;
    if (v)
      ctx.out(*v + "\n");
    else
      status = 1;
  }
  return status;
}

int tool_which(ToolContext& ctx) {
  int status = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& name = ctx.args[i];
    if (name == "sh" || name == "bash" || name == "ash") {
      ctx.out("/bin/" + name + "\n");
    } else if (ctx.session.tool(name) || name == "env" || ctx.session.world.command(name)) {
      ctx.out("/usr/bin/" + name + "\n");
    } else {
      status = 1;
    }
  }
  return status;
}

// Containers run in UTC; the time is the exec's start plus the script's virtual time so far.
int tool_date(ToolContext& ctx) {
  std::string format = "%a %b %e %H:%M:%S UTC %Y";
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (!a.empty() && a[0] == '+')
      format = a.substr(1);
    else if (a == "-R")
      format = "%a, %d %b %Y %H:%M:%S +0000";
    else if (a == "-I")
      format = "%Y-%m-%d";
  }
  const TimePoint now = ctx.session.start + ctx.session.now;
  const int64_t seconds = unix_seconds(now);
  const int64_t micros = (now.time_since_epoch() - std::chrono::seconds(seconds)).count();
  // %s and %N are GNU extensions strftime does not do portably: fill them in first.
  std::string expanded;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == 's') {
      expanded += std::to_string(seconds);
      ++i;
    } else if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == 'N') {
      std::string ns = std::to_string(micros * 1000);
      expanded += std::string(9 - std::min<size_t>(9, ns.size()), '0') + ns;
      ++i;
    } else {
      expanded.push_back(format[i]);
      if (format[i] == '%' && i + 1 < format.size()) expanded.push_back(format[++i]);
    }
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[512];
  const size_t n = expanded.empty() ? 0 : std::strftime(buf, sizeof buf, expanded.c_str(), &tm);
  ctx.out(std::string(buf, n) + "\n");
  return 0;
}

ToolTable build_table() {
  ToolTable table;
  table[":"] = {tool_true, ToolTier::kSpecial};
  table["true"] = {tool_true, ToolTier::kBuiltin};
  table["false"] = {tool_false, ToolTier::kBuiltin};
  table["hostname"] = {tool_hostname, ToolTier::kModel};
  table["id"] = {tool_id, ToolTier::kModel};
  table["sleep"] = {tool_sleep, ToolTier::kModel};
  table["printenv"] = {tool_printenv, ToolTier::kModel};
  table["which"] = {tool_which, ToolTier::kModel};
  table["date"] = {tool_date, ToolTier::kModel};
  add_shell_builtins(table);
  add_text_tools(table);
  add_test_tool(table);
  add_file_tools(table);
  add_net_tools(table);
  add_git_tool(table);
  add_helper_tool(table);
  add_docker_tool(table);
  return table;
}

}  // namespace

const ToolTable& default_tools() {
  static const ToolTable table = build_table();
  return table;
}

bool parse_sleep_seconds(const std::string& text, Duration& out) {
  // Decimal seconds with an optional unit, parsed exactly (no floating point): 1.5 -> 1500000 us.
  size_t i = 0;
  int64_t whole = 0;
  int64_t micros = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > 100000000) return false;
    digits = true;
    ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    int64_t scale = 100000;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      micros += (text[i] - '0') * scale;
      scale /= 10;
      digits = true;
      ++i;
    }
  }
  if (!digits) return false;
  int64_t unit = 1;
  if (i < text.size()) {
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return false;
    }
    if (++i != text.size()) return false;
  }
  out = Duration{(whole * 1000000 + micros) * unit};
  return true;
}

}  // namespace kexsim::fakes::shell

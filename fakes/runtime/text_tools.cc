// Text tools: echo, printf, and the filters scripts pipe into (cat, tee, grep, head, tail, wc).

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "fakes/runtime/escapes.h"
#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {
namespace {

int tool_echo(ToolContext& ctx) {
  bool newline = true, escapes = false;
  size_t i = 1;
  for (; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a.size() < 2 || a[0] != '-' || a.find_first_not_of("neE", 1) != std::string::npos) break;
    for (size_t k = 1; k < a.size(); ++k) {
      if (a[k] == 'n') newline = false;
      if (a[k] == 'e') escapes = true;
      if (a[k] == 'E') escapes = false;
    }
  }
  std::string text;
  for (size_t k = i; k < ctx.args.size(); ++k) text += (k > i ? " " : "") + ctx.args[k];
  std::string out;
  if (escapes) {
    if (!unescape_backslash(text, out, EscapeDialect::kEcho)) newline = false;
  } else {
    out = std::move(text);
  }
  if (newline) out.push_back('\n');
  ctx.out(out);
  return 0;
}

// Parses a printf numeric operand: decimal, 0x hex, 0 octal, or 'c for a character code.
bool parse_number(const std::string& s, long long& out) {
  if (s.empty()) {
    out = 0;
    return true;
  }
  if (s[0] == '\'' || s[0] == '"') {
    out = s.size() > 1 ? static_cast<unsigned char>(s[1]) : 0;
    return true;
  }
  const char* begin = s.c_str();
  char* end = nullptr;
  out = std::strtoll(begin, &end, 0);
  return end && *end == '\0' && end != begin;
}

struct PrintfState {
  const std::vector<std::string>& args;
  size_t next = 2;
  int status = 0;
  bool stop = false;
  const std::string* take() { return next < args.size() ? &args[next++] : nullptr; }
};

void pad(std::string& text, const std::string& flags, int width) {
  if (width <= 0 || static_cast<int>(text.size()) >= width) return;
  const size_t fill = static_cast<size_t>(width) - text.size();
  if (flags.find('-') != std::string::npos)
    text.append(fill, ' ');
  else
    text.insert(0, fill, ' ');
}

// Formats one pass over the format string, taking operands from st as conversions need them.
std::string printf_pass(ToolContext& ctx, const std::string& fmt, PrintfState& st) {
  std::string out;
  for (size_t i = 0; i < fmt.size() && !st.stop; ++i) {
    const char c = fmt[i];
    if (c == '\\') {
      bool stopped = false;  // \c means nothing special in a format
      i += unescape_one(std::string_view(fmt).substr(i), out, EscapeDialect::kPrintfFormat, stopped) - 1;
      continue;
    }
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
      out.push_back('%');
      ++i;
      continue;
    }
    size_t j = i + 1;
    std::string flags;
    while (j < fmt.size() && std::string("-+ #0").find(fmt[j]) != std::string::npos) flags.push_back(fmt[j++]);
    auto read_int = [&](int& value) {
      if (j < fmt.size() && fmt[j] == '*') {
        ++j;
        long long v = 0;
        const std::string* a = st.take();
        if (a) parse_number(*a, v);
        value = static_cast<int>(std::clamp(v, -100000LL, 100000LL));
        return;
      }
      while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j])))
        value = std::min(value * 10 + (fmt[j++] - '0'), 100000);
    };
    int width = 0, precision = -1;
    read_int(width);
    if (j < fmt.size() && fmt[j] == '.') {
      ++j;
      precision = 0;
      read_int(precision);
    }
    if (j >= fmt.size()) {
      ctx.err("printf: %" + fmt.substr(i + 1) + ": invalid format\n");
      st.status = 1;
      st.stop = true;
      break;
    }
    const char conv = fmt[j];
    i = j;
    const std::string* arg = st.take();
    const std::string value = arg ? *arg : "";
    std::string piece;
    switch (conv) {
      case 's':
        piece = precision >= 0 ? value.substr(0, static_cast<size_t>(precision)) : value;
        pad(piece, flags, width);
        break;
      case 'b':
        if (!unescape_backslash(value, piece, EscapeDialect::kEcho)) st.stop = true;
        pad(piece, flags, width);
        break;
      case 'c':
        piece = value.empty() ? "" : value.substr(0, 1);
        pad(piece, flags, width);
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'o':
      case 'x':
      case 'X': {
        long long n = 0;
        if (!parse_number(value, n)) {
          ctx.err("printf: invalid number '" + value + "'\n");
          st.status = 1;
        }
        std::string spec = "%" + flags + (width ? std::to_string(width) : "") +
                           (precision >= 0 ? "." + std::to_string(precision) : "") + "ll" + (conv == 'i' ? 'd' : conv);
        char buf[256];
        std::snprintf(buf, sizeof buf, spec.c_str(), n);
        piece = buf;
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        const double d = value.empty() ? 0.0 : std::strtod(value.c_str(), nullptr);
        std::string spec = "%" + flags + (width ? std::to_string(width) : "") +
                           (precision >= 0 ? "." + std::to_string(precision) : "") + conv;
        char buf[512];
        std::snprintf(buf, sizeof buf, spec.c_str(), d);
        piece = buf;
        break;
      }
      default:
        ctx.err(std::string("printf: %") + conv + ": invalid format\n");
        st.status = 1;
        st.stop = true;
        break;
    }
    out += piece;
  }
  return out;
}

int tool_printf(ToolContext& ctx) {
  if (ctx.args.size() < 2) {
    ctx.err("printf: usage: printf format [arg ...]\n");
    return 2;
  }
  PrintfState st{ctx.args};
  std::string out;
  // The format is reused while operands remain (and it consumed some).
  do {
    const size_t before = st.next;
    out += printf_pass(ctx, ctx.args[1], st);
    if (st.next == before) break;
  } while (st.next < ctx.args.size() && !st.stop);
  ctx.out(out);
  return st.status;
}

// Operands that are not options ("-" alone means standard input).
std::vector<std::string> operands(const std::vector<std::string>& args, size_t from = 1) {
  std::vector<std::string> out;
  for (size_t i = from; i < args.size(); ++i)
    if (args[i] == "-" || args[i].empty() || args[i][0] != '-') out.push_back(args[i]);
  return out;
}

// The chunks a filter reads: its operands' contents (now), or standard input with its timing.
bool read_inputs(ToolContext& ctx, const std::vector<std::string>& files, std::vector<OutputChunk>& out) {
  bool ok = true;
  if (files.empty()) {
    out = ctx.io.in->take_all();
    return true;
  }
  for (const auto& f : files) {
    if (f == "-") {
      for (auto& c : ctx.io.in->take_all()) out.push_back(std::move(c));
      continue;
    }
    auto content = ctx.session.read_file(ctx.path(f));
    if (!content.ok()) {
      ctx.err(ctx.args[0] + ": can't open '" + f + "': " + content.error().message + "\n");
      ok = false;
      continue;
    }
    out.push_back(OutputChunk{ctx.session.now, 1, content.value()});
  }
  return ok;
}

// Writes input pieces through, each no earlier than now and no earlier than it arrived.
void pass_through(ToolContext& ctx, const std::vector<OutputChunk>& chunks) {
  for (const auto& c : chunks) ctx.session.write_at(ctx.io.out, c.data, std::max(ctx.session.now, c.at));
}

struct Line {
  std::string text;
  Duration at;
};

std::vector<Line> split_lines(const std::vector<OutputChunk>& chunks) {
  std::vector<Line> lines;
  std::string current;
  Duration at{0};
  for (const auto& c : chunks) {
    for (char ch : c.data) {
      if (ch == '\n') {
        lines.push_back({current, c.at});
        current.clear();
      } else {
        current.push_back(ch);
      }
    }
    at = c.at;
  }
  if (!current.empty()) lines.push_back({current, at});
  return lines;
}

int tool_cat(ToolContext& ctx) {
  std::vector<OutputChunk> chunks;
  const bool ok = read_inputs(ctx, operands(ctx.args), chunks);
  pass_through(ctx, chunks);
  return ok ? 0 : 1;
}

int tool_tee(ToolContext& ctx) {
  bool append = false;
  std::vector<std::string> paths;
  int status = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a == "-a") {
      append = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') continue;
    const std::string path = ctx.path(a);
    if (a == "/dev/null" || a == "/dev/stdout" || a == "/dev/stderr") {
      paths.push_back(a);
      continue;
    }
    if (ctx.session.fs.is_dir(path) || !ctx.session.fs.is_dir(FileSystem::parent(path))) {
      ctx.err("tee: can't open '" + a +
              "': " + (ctx.session.fs.is_dir(path) ? "Is a directory" : "No such file or directory") + "\n");
      status = 1;
      continue;
    }
    ctx.session.fs.write(path, "", append);
    paths.push_back(path);
  }
  const auto chunks = ctx.io.in->take_all();
  for (const auto& c : chunks) {
    const Duration at = std::max(ctx.session.now, c.at);
    ctx.session.write_at(ctx.io.out, c.data, at);
    for (const auto& p : paths) {
      if (p == "/dev/null") continue;
      if (p == "/dev/stdout")
        ctx.session.write_at(ctx.io.out, c.data, at);
      else if (p == "/dev/stderr")
        ctx.session.write_at(ctx.io.err, c.data, at);
      else
        ctx.session.append_file(p, c.data, at);
    }
  }
  return status;
}

int tool_grep(ToolContext& ctx) {
  bool quiet = false, invert = false, icase = false, count = false, fixed = false, extended = false, whole = false;
  std::vector<std::string> patterns, files;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a == "-e" && i + 1 < ctx.args.size()) {
      patterns.push_back(ctx.args[++i]);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      for (size_t k = 1; k < a.size(); ++k) {
        switch (a[k]) {
          case 'q': quiet = true; break;
          case 'v': invert = true; break;
          case 'i': icase = true; break;
          case 'c': count = true; break;
          case 'F': fixed = true; break;
          case 'E': extended = true; break;
          case 'x': whole = true; break;
          default: break;
        }
      }
    } else if (patterns.empty()) {
      patterns.push_back(a);
    } else {
      files.push_back(a);
    }
  }
  if (patterns.empty()) {
    ctx.err("grep: no pattern\n");
    return 2;
  }
  std::vector<std::regex> regexes;
  if (!fixed) {
    auto flags = extended ? std::regex::extended : std::regex::basic;
    if (icase) flags |= std::regex::icase;
    for (const auto& p : patterns) {
      try {
        regexes.emplace_back(whole ? (extended ? "^(" + p + ")$" : "^" + p + "$") : p, flags);
      } catch (const std::regex_error&) {
        ctx.err("grep: bad regex '" + p + "'\n");
        return 2;
      }
    }
  }
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto matches = [&](const std::string& line) {
    for (size_t k = 0; k < patterns.size(); ++k) {
      if (fixed) {
        const std::string l = icase ? lower(line) : line, p = icase ? lower(patterns[k]) : patterns[k];
        if (whole ? l == p : l.find(p) != std::string::npos) return true;
      } else if (std::regex_search(line, regexes[k])) {
        return true;
      }
    }
    return false;
  };
  std::vector<OutputChunk> chunks;
  const bool ok = read_inputs(ctx, files, chunks);
  size_t selected = 0;
  for (const Line& line : split_lines(chunks)) {
    if (matches(line.text) == invert) continue;
    ++selected;
    if (!quiet && !count) ctx.session.write_at(ctx.io.out, line.text + "\n", std::max(ctx.session.now, line.at));
  }
  if (count && !quiet) ctx.out(std::to_string(selected) + "\n");
  if (!ok) return 2;
  return selected > 0 ? 0 : 1;
}

// head and tail: -n N, -N, and tail's -n +N (from line N).
int tool_head_tail(ToolContext& ctx) {
  const bool head = ctx.args[0] == "head";
  long long n = 10;
  bool from_start = false;
  std::vector<std::string> files;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string a = ctx.args[i];
    if (a == "-n" && i + 1 < ctx.args.size())
      a = ctx.args[++i];
    else if (a.size() > 1 && a[0] == '-' && std::isdigit(static_cast<unsigned char>(a[1])))
      a = a.substr(1);
    else if (a.size() > 2 && a.compare(0, 2, "-n") == 0)
      a = a.substr(2);
    else if (a.size() > 1 && a[0] == '-')
      continue;
    else {
      files.push_back(a);
      continue;
    }
    if (!a.empty() && a[0] == '+') {
      from_start = true;
      a = a.substr(1);
    }
    if (!parse_number(a, n) || n < 0) {
      ctx.err(ctx.args[0] + ": invalid number '" + a + "'\n");
      return 1;
    }
  }
  std::vector<OutputChunk> chunks;
  const bool ok = read_inputs(ctx, files, chunks);
  const auto lines = split_lines(chunks);
  size_t begin = 0, end = lines.size();
  if (head)
    end = std::min(lines.size(), static_cast<size_t>(n));
  else if (from_start)
    begin = std::min(lines.size(), static_cast<size_t>(std::max(1LL, n) - 1));
  else
    begin = lines.size() > static_cast<size_t>(n) ? lines.size() - static_cast<size_t>(n) : 0;
  for (size_t k = begin; k < end; ++k)
    ctx.session.write_at(ctx.io.out, lines[k].text + "\n", std::max(ctx.session.now, lines[k].at));
  return ok ? 0 : 1;
}

int tool_wc(ToolContext& ctx) {
  bool lines = false, words = false, bytes = false;
  std::vector<std::string> files;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& a = ctx.args[i];
    if (a.size() > 1 && a[0] == '-') {
      lines |= a.find('l') != std::string::npos;
      words |= a.find('w') != std::string::npos;
      bytes |= a.find('c') != std::string::npos || a.find('m') != std::string::npos;
    } else {
      files.push_back(a);
    }
  }
  if (!lines && !words && !bytes) lines = words = bytes = true;
  std::vector<OutputChunk> chunks;
  const bool ok = read_inputs(ctx, files, chunks);
  size_t nl = 0, nw = 0, nc = 0;
  bool in_word = false;
  for (const auto& c : chunks) {
    nc += c.data.size();
    for (char ch : c.data) {
      if (ch == '\n') ++nl;
      const bool space = std::isspace(static_cast<unsigned char>(ch));
      if (!space && !in_word) ++nw;
      in_word = !space;
    }
  }
  std::vector<size_t> counts;
  if (lines) counts.push_back(nl);
  if (words) counts.push_back(nw);
  if (bytes) counts.push_back(nc);
  std::string out;
  for (size_t k = 0; k < counts.size(); ++k) {
    std::string n = std::to_string(counts[k]);
    if (counts.size() > 1) n.insert(0, n.size() < 7 ? 7 - n.size() : 0, ' ');
    out += (k ? " " : "") + n;
  }
  ctx.out(out + "\n");
  return ok ? 0 : 1;
}

}  // namespace

void add_text_tools(ToolTable& table) {
  table["echo"] = {tool_echo, ToolTier::kBuiltin};
  table["printf"] = {tool_printf, ToolTier::kBuiltin};
  table["cat"] = {tool_cat, ToolTier::kModel};
  table["tee"] = {tool_tee, ToolTier::kModel};
  table["grep"] = {tool_grep, ToolTier::kModel};
  table["head"] = {tool_head_tail, ToolTier::kModel};
  table["tail"] = {tool_head_tail, ToolTier::kModel};
  table["wc"] = {tool_wc, ToolTier::kModel};
}

}  // namespace kexsim::fakes::shell

#include "fakes/runtime/git_log.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "fakes/runtime/git_objects.h"

namespace kexsim::fakes::shell {
namespace {

// One "author"/"committer" header: "Name <email> 1767225600 +0000".
struct Signature {
  std::string name, email, tz = "+0000";
  int64_t seconds = 0;
};

struct Commit {
  std::string id, tree;
  std::vector<std::string> parents;
  Signature author, committer;
  std::string message;  ///< everything after the headers' blank line
};

Signature parse_signature(const std::string& text) {
  Signature s;
  const size_t lt = text.find(" <"), gt = text.find("> ");
  if (lt == std::string::npos || gt == std::string::npos || gt < lt) return s;
  s.name = text.substr(0, lt);
  s.email = text.substr(lt + 2, gt - lt - 2);
  const std::string rest = text.substr(gt + 2);
  const size_t space = rest.find(' ');
  s.seconds = std::strtoll(rest.c_str(), nullptr, 10);
  if (space != std::string::npos) s.tz = rest.substr(space + 1);
  return s;
}

std::optional<Commit> read_commit(const FileSystem& fs, const std::string& git_dir, const std::string& id) {
  const auto object = read_object(fs, git_dir, id);
  if (!object || object->type != "commit") return std::nullopt;
  Commit c;
  c.id = id;
  const std::string& d = object->data;
  size_t pos = 0;
  while (pos < d.size()) {
    const size_t end = d.find('\n', pos);
    const std::string line = d.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? d.size() : end + 1;
    if (line.empty()) break;  // the message follows
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "tree") c.tree = value;
    if (key == "parent") c.parents.push_back(value);
    if (key == "author") c.author = parse_signature(value);
    if (key == "committer") c.committer = parse_signature(value);
  }
  c.message = d.substr(pos);
  return c;
}

// The offset as seconds east of UTC ("+0130" -> 5400).
int64_t tz_seconds(const std::string& tz) {
  if (tz.size() != 5) return 0;
  const int64_t hours = std::atoi(tz.substr(1, 2).c_str()), minutes = std::atoi(tz.substr(3, 2).c_str());
  return (tz[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

std::tm local_tm(const Signature& s) {
  const std::time_t t = static_cast<std::time_t>(s.seconds + tz_seconds(s.tz));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// date.c show_date, DATE_NORMAL: "Thu Jan 1 00:00:00 2026 +0000" (the day unpadded).
std::string normal_date(const Signature& s) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = local_tm(s);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %d %02d:%02d:%02d %d %s", kDays[tm.tm_wday], kMonths[tm.tm_mon], tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900, s.tz.c_str());
  return buf;
}

// DATE_ISO8601 ("2026-01-01 00:00:00 +0000") and DATE_ISO8601_STRICT ("2026-01-01T00:00:00+00:00").
std::string iso_date(const Signature& s, bool strict) {
  const std::tm tm = local_tm(s);
  char buf[64];
  if (strict) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec,
                  s.tz.size() == 5 ? (s.tz.substr(0, 3) + ":" + s.tz.substr(3)).c_str() : "+00:00");
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, s.tz.c_str());
  }
  return buf;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    out.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// pretty.c: the subject is the first paragraph joined with spaces; the body is what follows it.
std::pair<std::string, std::string> subject_and_body(const std::string& message) {
  const std::vector<std::string> lines = lines_of(message);
  size_t i = 0;
  while (i < lines.size() && lines[i].empty()) ++i;
  std::string subject;
  for (; i < lines.size() && !lines[i].empty(); ++i) subject += (subject.empty() ? "" : " ") + lines[i];
  while (i < lines.size() && lines[i].empty()) ++i;
  std::string body;
  for (; i < lines.size(); ++i) body += lines[i] + "\n";
  return {subject, body};
}

std::string abbrev(const std::string& id) { return id.substr(0, 7); }

std::string expand_format(const std::string& format, const Commit& c) {
  const auto [subject, body] = subject_and_body(c.message);
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    const char a = format[i + 1];
    const char b = i + 2 < format.size() ? format[i + 2] : '\0';
    std::string parents_full, parents_short;
    for (const auto& p : c.parents) {
      parents_full += (parents_full.empty() ? "" : " ") + p;
      parents_short += (parents_short.empty() ? "" : " ") + abbrev(p);
    }
    std::optional<std::string> one;
    switch (a) {
      case 'H': one = c.id; break;
      case 'h': one = abbrev(c.id); break;
      case 'T': one = c.tree; break;
      case 't': one = abbrev(c.tree); break;
      case 'P': one = parents_full; break;
      case 'p': one = parents_short; break;
      case 's': one = subject; break;
      case 'b': one = body; break;
      case 'B': one = c.message; break;
      case 'n': one = "\n"; break;
      case '%': one = "%"; break;
      default: break;
    }
    if (one) {
      out += *one;
      ++i;
      continue;
    }
    if ((a == 'a' || a == 'c') && b != '\0') {
      const Signature& s = a == 'a' ? c.author : c.committer;
      std::optional<std::string> two;
      switch (b) {
        case 'n': two = s.name; break;
        case 'e': two = s.email; break;
        case 'd': two = normal_date(s); break;
        case 't': two = std::to_string(s.seconds); break;
        case 'i': two = iso_date(s, false); break;
        case 'I': two = iso_date(s, true); break;
        default: break;
      }
      if (two) {
        out += *two;
        i += 2;
        continue;
      }
    }
    out += '%';  // git prints a placeholder it does not know as it stands
  }
  return out;
}

// pretty.c CMIT_FMT_MEDIUM: header lines, a blank line, the message indented by four.
std::string medium(const Commit& c) {
  std::string out = "commit " + c.id + "\n";
  if (c.parents.size() > 1) {
    out += "Merge:";
    for (const auto& p : c.parents) out += " " + abbrev(p);
    out += "\n";
  }
  out += "Author: " + c.author.name + " <" + c.author.email + ">\n";
  out += "Date:   " + normal_date(c.author) + "\n\n";
  std::vector<std::string> lines = lines_of(c.message);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  for (size_t i = first; i < lines.size(); ++i) out += "    " + lines[i] + "\n";
  return out;
}

bool parse_log_count(const std::string& text, int& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > 1000000) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

Result<GitLogOptions> parse_git_log_args(const std::vector<std::string>& args) {
  GitLogOptions o;
  const std::string hint =
      "kexsim's git model knows log's -n, --max-count, --oneline, --format, --pretty "
      "(oneline, medium, format:, tformat:), --first-parent, --no-merges and one revision";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    int count = 0;
    if (a == "-n" && i + 1 < args.size()) {
      if (!parse_log_count(args[++i], count)) return make_error("'" + args[i] + "': not an integer", hint);
      o.max_count = count;
    } else if (a.rfind("--max-count=", 0) == 0) {
      if (!parse_log_count(a.substr(12), count)) return make_error("'" + a.substr(12) + "': not an integer", hint);
      o.max_count = count;
    } else if (a.size() > 1 && a[0] == '-' && parse_log_count(a.substr(1), count)) {
      o.max_count = count;  // -1, -5
    } else if (a.rfind("-n", 0) == 0 && parse_log_count(a.substr(2), count)) {
      o.max_count = count;  // -n5
    } else if (a == "--oneline") {
      o.style = GitLogOptions::Style::kOneline;
    } else if (a == "--pretty" || a == "--pretty=medium" || a == "--format=medium") {
      o.style = GitLogOptions::Style::kMedium;
    } else if (a.rfind("--pretty=", 0) == 0 || a.rfind("--format=", 0) == 0) {
      std::string f = a.substr(a.find('=') + 1);
      if (f == "oneline") {
        o.style = GitLogOptions::Style::kFormat;  // the full id, unlike --oneline
        o.format = "%H %s";
      } else if (f.rfind("format:", 0) == 0) {
        o.style = GitLogOptions::Style::kFormat;
        o.format = f.substr(7);
        o.separator = true;
      } else if (f.rfind("tformat:", 0) == 0) {
        o.style = GitLogOptions::Style::kFormat;
        o.format = f.substr(8);
      } else if (f.find('%') != std::string::npos) {
        o.style = GitLogOptions::Style::kFormat;  // a format with a placeholder is tformat:
        o.format = f;
      } else {
        return make_error("the git model has no pretty format " + f, hint);
      }
    } else if (a == "--first-parent") {
      o.first_parent = true;
    } else if (a == "--no-merges") {
      o.no_merges = true;
    } else if (a == "--no-decorate" || a == "--decorate=no" || a == "--no-color" || a == "--color=never" ||
               a == "--abbrev-commit" || a == "--no-abbrev-commit") {
      continue;  // nothing to decorate or colour without a terminal
    } else if (a == "--") {
      if (i + 1 < args.size()) return make_error("the git model's log takes no paths", hint);
    } else if (!a.empty() && a[0] == '-') {
      return make_error("unrecognized argument: " + a, hint);
    } else if (!o.revision_given) {
      o.revision = a;
      o.revision_given = true;
    } else {
      return make_error("the git model's log takes one revision, got " + o.revision + " and " + a, hint);
    }
  }
  return o;
}

std::string format_git_log(const FileSystem& fs, const std::string& git_dir, const std::string& commit,
                           const GitLogOptions& options) {
  // revision.c: newest first by committer date; the fake's commits share one date, so parents
  // follow their children as a depth-first walk of first parents, then the others, gives them.
  std::vector<Commit> shown;
  std::vector<std::string> todo{commit};
  std::set<std::string> seen;
  while (!todo.empty() && (!options.max_count || static_cast<int>(shown.size()) < *options.max_count)) {
    const std::string id = todo.front();
    todo.erase(todo.begin());
    if (!seen.insert(id).second) continue;
    auto c = read_commit(fs, git_dir, id);
    if (!c) continue;  // beyond a shallow boundary
    const size_t parents = options.first_parent ? std::min<size_t>(1, c->parents.size()) : c->parents.size();
    todo.insert(todo.begin(), c->parents.begin(), c->parents.begin() + static_cast<std::ptrdiff_t>(parents));
    if (options.no_merges && c->parents.size() > 1) continue;
    shown.push_back(std::move(*c));
  }
  std::string out;
  for (size_t i = 0; i < shown.size(); ++i) {
    const Commit& c = shown[i];
    switch (options.style) {
      case GitLogOptions::Style::kMedium:
        if (i > 0) out += "\n";
        out += medium(c);
        break;
      case GitLogOptions::Style::kOneline: out += abbrev(c.id) + " " + subject_and_body(c.message).first + "\n"; break;
      case GitLogOptions::Style::kFormat:
        if (options.separator && i > 0) out += "\n";
        out += expand_format(options.format, c);
        if (!options.separator) out += "\n";
        break;
    }
  }
  return out;  // format: ends without a newline, as git's does when not on a terminal
}

}  // namespace kexsim::fakes::shell

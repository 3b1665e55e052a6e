// File tools on the in-memory file system: mkdir, rm, chmod, touch, ls, cp, mv (busybox wording).

#include <cctype>
#include <optional>

#include "fakes/runtime/tools.h"

namespace kexsim::fakes::shell {
namespace {

// Splits "-pv dir1 -m 755 dir2" style arguments into option letters and operands.
struct Parsed {
  std::string flags;
  std::vector<std::string> operands;
};

Parsed parse(const std::vector<std::string>& args, const std::string& takes_value = "") {
  Parsed p;
  bool options_done = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.size() > 1 && a[0] == '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        p.flags.push_back(a[k]);
        if (takes_value.find(a[k]) != std::string::npos) {
          if (k + 1 == a.size()) ++i;
          break;
        }
      }
    } else {
      p.operands.push_back(a);
    }
  }
  return p;
}

bool has(const Parsed& p, char flag) { return p.flags.find(flag) != std::string::npos; }

int tool_mkdir(ToolContext& ctx) {
  const Parsed p = parse(ctx.args, "m");
  const bool parents = has(p, 'p');
  int status = 0;
  for (const auto& d : p.operands) {
    const std::string path = ctx.path(d);
    auto& fs = ctx.session.fs;
    const char* problem = nullptr;
    if (fs.is_file(path) || (!parents && fs.is_dir(path)))
      problem = "File exists";
    else if (!parents && !fs.is_dir(FileSystem::parent(path)))
      problem = "No such file or directory";
    if (problem) {
      ctx.err("mkdir: can't create directory '" + d + "': " + problem + "\n");
      status = 1;
      continue;
    }
    fs.make_dir(path);
  }
  return status;
}

int tool_rm(ToolContext& ctx) {
  const Parsed p = parse(ctx.args);
  const bool force = has(p, 'f');
  const bool recursive = has(p, 'r') || has(p, 'R');
  int status = 0;
  for (const auto& f : p.operands) {
    const std::string path = ctx.path(f);
    auto& fs = ctx.session.fs;
    if (!fs.exists(path)) {
      if (!force) {
        ctx.err("rm: can't remove '" + f + "': No such file or directory\n");
        status = 1;
      }
      continue;
    }
    if (fs.is_dir(path) && !recursive) {
      ctx.err("rm: '" + f + "' is a directory\n");
      status = 1;
      continue;
    }
    fs.remove(path);
  }
  return status;
}

// Only the executable bit matters to the model (test -x, running ./script).
int tool_chmod(ToolContext& ctx) {
  const Parsed p = parse(ctx.args);
  if (p.operands.size() < 2) {
    ctx.err("chmod: missing operand\n");
    return 1;
  }
  const std::string& mode = p.operands[0];
  std::optional<bool> executable;
  if (!mode.empty() && std::isdigit(static_cast<unsigned char>(mode[0]))) {
    const char owner = mode.size() >= 3 ? mode[mode.size() - 3] : '0';
    executable = ((owner - '0') & 1) != 0;
  } else if (mode.find('x') != std::string::npos) {
    executable = mode.find('-') == std::string::npos;
  }
  int status = 0;
  for (size_t i = 1; i < p.operands.size(); ++i) {
    const std::string path = ctx.path(p.operands[i]);
    if (File* f = ctx.session.fs.file(path)) {
      if (executable) f->executable = *executable;
    } else if (!ctx.session.fs.is_dir(path)) {
      ctx.err("chmod: " + p.operands[i] + ": No such file or directory\n");
      status = 1;
    }
  }
  return status;
}

int tool_touch(ToolContext& ctx) {
  const Parsed p = parse(ctx.args, "dtr");
  int status = 0;
  for (const auto& f : p.operands) {
    const std::string path = ctx.path(f);
    auto& fs = ctx.session.fs;
    if (fs.exists(path)) continue;
    if (!fs.is_dir(FileSystem::parent(path))) {
      ctx.err("touch: " + f + ": No such file or directory\n");
      status = 1;
      continue;
    }
    fs.write(path, "", true);
  }
  return status;
}

int tool_ls(ToolContext& ctx) {
  Parsed p = parse(ctx.args);
  if (p.operands.empty()) p.operands.push_back(".");
  int status = 0;
  std::string out;
  for (size_t i = 0; i < p.operands.size(); ++i) {
    const std::string& operand = p.operands[i];
    const std::string path = ctx.path(operand);
    auto& fs = ctx.session.fs;
    if (fs.is_file(path) || path == "/etc/hosts" || path == "/etc/hostname") {
      out += operand + "\n";
    } else if (fs.is_dir(path)) {
      if (p.operands.size() > 1) out += (i ? "\n" : "") + operand + ":\n";
      for (const auto& name : fs.list(path))
        if (has(p, 'a') || has(p, 'A') || name[0] != '.') out += name + "\n";
    } else {
      ctx.err("ls: " + operand + ": No such file or directory\n");
      status = 1;
    }
  }
  ctx.out(out);
  return status;
}

// cp and mv: one source to a target path, or several sources into a directory.
int tool_copy_move(ToolContext& ctx) {
  const bool move = ctx.args[0] == "mv";
  const Parsed p = parse(ctx.args);
  if (p.operands.size() < 2) {
    ctx.err(ctx.args[0] + ": missing operand\n");
    return 1;
  }
  auto& fs = ctx.session.fs;
  const std::string target = ctx.path(p.operands.back());
  const bool into_dir = fs.is_dir(target);
  int status = 0;
  for (size_t i = 0; i + 1 < p.operands.size(); ++i) {
    const std::string& src = p.operands[i];
    const std::string from = ctx.path(src);
    if (!fs.exists(from)) {
      ctx.err(ctx.args[0] + ": can't stat '" + src + "': No such file or directory\n");
      status = 1;
      continue;
    }
    if (!move && fs.is_dir(from) && !(has(p, 'r') || has(p, 'R') || has(p, 'a'))) {
      ctx.err("cp: omitting directory '" + src + "'\n");
      status = 1;
      continue;
    }
    const size_t slash = from.rfind('/');
    const std::string to = into_dir ? FileSystem::resolve(target, from.substr(slash + 1)) : target;
    if (to == from || to.rfind(from + "/", 0) == 0) continue;
    if (move)
      fs.move(from, to);
    else
      fs.copy(from, to);
  }
  return status;
}

}  // namespace

void add_file_tools(ToolTable& table) {
  table["mkdir"] = {tool_mkdir, ToolTier::kModel};
  table["rm"] = {tool_rm, ToolTier::kModel};
  table["chmod"] = {tool_chmod, ToolTier::kModel};
  table["touch"] = {tool_touch, ToolTier::kModel};
  table["ls"] = {tool_ls, ToolTier::kModel};
  table["cp"] = {tool_copy_move, ToolTier::kModel};
  table["mv"] = {tool_copy_move, ToolTier::kModel};
}

}  // namespace kexsim::fakes::shell

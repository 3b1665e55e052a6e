#include "base/toml_reader.h"

#include <algorithm>
#include <limits>

namespace kexsim {

TomlContext::TomlContext(std::string path, int line_offset, std::string hint)
    : path_(std::move(path)), line_offset_(line_offset), hint_(std::move(hint)) {}

std::string TomlContext::where(const toml::source_position& p) const {
  // The root table of an empty document has no position; point at the start of the file.
  int line = p.line == 0 ? 1 : static_cast<int>(p.line);
  int column = p.column == 0 ? 1 : static_cast<int>(p.column);
  return path_ + ":" + std::to_string(line + line_offset_) + ":" + std::to_string(column);
}

void TomlContext::fail(const toml::source_region& at, std::string message, std::string hint) {
  if (error_) return;
  error_ = Error{std::move(message), std::move(hint), where(at.begin)};
}

void TomlContext::fail_type(const toml::node& n, const std::string& key_path, std::string_view expected) {
  fail(n.source(), key_path + ": expected " + std::string(expected) + ", got " + toml_type_name(n.type()), hint_);
}

void TomlContext::warn(const toml::source_region& at, std::string message) {
  warnings_.push_back(TomlWarning{static_cast<int>(at.begin.line) + line_offset_, static_cast<int>(at.begin.column),
                                  where(at.begin), std::move(message)});
}

std::vector<TomlWarning> TomlContext::warnings() const {
  std::vector<TomlWarning> sorted = warnings_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const TomlWarning& a, const TomlWarning& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return sorted;
}

Result<toml::table> parse_toml(const std::string& text, const std::string& path, int line_offset,
                               const std::string& hint) {
  try {
    return toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    TomlContext ctx(path, line_offset, hint);
    return Error{std::string(e.description()), hint, ctx.where(e.source().begin)};
  }
}

std::string toml_type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

int edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: a swapped pair of letters ("namepsace") counts as one edit.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  int best_distance = 3;
  for (const auto& c : candidates) {
    int dist = edit_distance(word, c);
    // A two-letter key is two edits from any other two-letter key: only suggest real resemblance.
    if (dist < best_distance && dist < static_cast<int>(std::min(word.size(), c.size()))) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

std::string unknown_key_message(const std::string& key_path, std::string_view key,
                                const std::vector<std::string>& candidates) {
  std::string message = "unknown key \"" + key_path + "\"";
  std::string match = closest_match(key, candidates);
  if (!match.empty()) message += " (did you mean \"" + match + "\"?)";
  return message;
}

TomlTable::TomlTable(const toml::table& table, std::string prefix, TomlContext& ctx)
    : table_(&table), prefix_(std::move(prefix)), ctx_(&ctx) {}

std::string TomlTable::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const toml::node* TomlTable::lookup(std::string_view key) {
  if (std::find(declared_.begin(), declared_.end(), key) == declared_.end()) declared_.emplace_back(key);
  return table_->get(key);
}

bool TomlTable::get(std::string_view key, std::string& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_string()) {
    ctx_->fail_type(*n, path(key), "a string");
    return false;
  }
  out = n->as_string()->get();
  return true;
}

bool TomlTable::get(std::string_view key, bool& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_boolean()) {
    ctx_->fail_type(*n, path(key), "a boolean (true or false)");
    return false;
  }
  out = n->as_boolean()->get();
  return true;
}

bool TomlTable::get(std::string_view key, int64_t& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_integer()) {
    ctx_->fail_type(*n, path(key), "an integer");
    return false;
  }
  out = n->as_integer()->get();
  return true;
}

bool TomlTable::get(std::string_view key, int& out) {
  int64_t wide = 0;
  if (!get(key, wide)) return false;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    ctx_->fail(table_->get(key)->source(), path(key) + ": " + std::to_string(wide) + " is out of range", ctx_->hint());
    return false;
  }
  out = static_cast<int>(wide);
  return true;
}

bool TomlTable::get(std::string_view key, double& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (n->is_floating_point()) {
    out = n->as_floating_point()->get();
  } else if (n->is_integer()) {
    out = static_cast<double>(n->as_integer()->get());
  } else {
    ctx_->fail_type(*n, path(key), "a number");
    return false;
  }
  return true;
}

bool TomlTable::get(std::string_view key, std::vector<std::string>& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_array()) {
    ctx_->fail_type(*n, path(key), "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  size_t i = 0;
  for (const toml::node& e : *n->as_array()) {
    if (!e.is_string()) {
      ctx_->fail_type(e, path(key) + "[" + std::to_string(i) + "]", "a string");
      return false;
    }
    values.push_back(e.as_string()->get());
    ++i;
  }
  out = std::move(values);
  return true;
}

bool TomlTable::get(std::string_view key, std::map<std::string, std::string>& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_table()) {
    ctx_->fail_type(*n, path(key), "a table of strings");
    return false;
  }
  std::map<std::string, std::string> values;
  for (auto&& [k, v] : *n->as_table()) {
    if (!v.is_string()) {
      ctx_->fail_type(v, path(key) + "." + std::string(k.str()), "a string");
      return false;
    }
    values[std::string(k.str())] = v.as_string()->get();
  }
  out = std::move(values);
  return true;
}

bool TomlTable::get(std::string_view key, std::map<std::string, bool>& out) {
  const toml::node* n = lookup(key);
  if (!n) return false;
  if (!n->is_table()) {
    ctx_->fail_type(*n, path(key), "a table of booleans");
    return false;
  }
  std::map<std::string, bool> values;
  for (auto&& [k, v] : *n->as_table()) {
    if (!v.is_boolean()) {
      ctx_->fail_type(v, path(key) + "." + std::string(k.str()), "a boolean (true or false)");
      return false;
    }
    values[std::string(k.str())] = v.as_boolean()->get();
  }
  out = std::move(values);
  return true;
}

const toml::table* TomlTable::table(std::string_view key) {
  const toml::node* n = lookup(key);
  if (!n) return nullptr;
  if (!n->is_table()) {
    ctx_->fail_type(*n, path(key), "a table");
    return nullptr;
  }
  return n->as_table();
}

std::vector<const toml::table*> TomlTable::tables(std::string_view key) {
  const toml::node* n = lookup(key);
  if (!n) return {};
  if (!n->is_array()) {
    ctx_->fail_type(*n, path(key), "an array of tables ([[" + path(key) + "]])");
    return {};
  }
  std::vector<const toml::table*> out;
  size_t i = 0;
  for (const toml::node& e : *n->as_array()) {
    if (!e.is_table()) {
      ctx_->fail_type(e, path(key) + "[" + std::to_string(i) + "]", "a table");
      return {};
    }
    out.push_back(e.as_table());
    ++i;
  }
  return out;
}

const toml::node* TomlTable::node(std::string_view key) { return lookup(key); }

bool TomlTable::require(std::string_view key, std::string hint) {
  if (lookup(key)) return true;
  std::string message = (prefix_.empty() ? "" : prefix_ + ": ") + "missing required key \"" + std::string(key) + "\"";
  if (const toml::key* typo = misspelling_of(key)) {
    ctx_->fail(typo->source(), message + " (\"" + std::string(typo->str()) + "\" looks like a misspelling of it)",
               std::move(hint));
  } else {
    ctx_->fail(table_->source(), message, std::move(hint));
  }
  return false;
}

const toml::key* TomlTable::misspelling_of(std::string_view key) const {
  for (const auto& [k, v] : unread()) {
    if (closest_match(k->str(), {std::string(key)}) == key) return k;
  }
  return nullptr;
}

std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, v] : table) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  return out;
}

std::vector<std::pair<const toml::key*, const toml::node*>> TomlTable::unread() const {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& entry : in_file_order(*table_)) {
    if (std::find(declared_.begin(), declared_.end(), entry.first->str()) == declared_.end()) out.push_back(entry);
  }
  return out;
}

void TomlTable::reject_unread() {
  auto rest = unread();
  if (rest.empty()) return;
  const toml::key& k = *rest.front().first;
  ctx_->fail(k.source(), unknown_key_message(path(k.str()), k.str(), declared_), ctx_->hint());
}

}  // namespace kexsim

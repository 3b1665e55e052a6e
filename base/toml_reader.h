#pragma once
// Typed, position-aware reading of a parsed TOML document: every message names file:line:column,
// and every key nobody asked for can be reported. Shared by config.toml and scenario files.

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace kexsim {

/// A warning with its position, so that warnings can be listed in file order.
struct TomlWarning {
  int line = 0;
  int column = 0;
  std::string where;  ///< file:line:column
  std::string message;
};

/// The file being read, the first error met and the warnings collected so far.
class TomlContext {
 public:
  /// `line_offset` is added to every line (for a document embedded in another file); `hint` goes
  /// with type errors and unknown keys.
  TomlContext(std::string path, int line_offset, std::string hint);

  /// "file:line:column" of a position in the document.
  std::string where(const toml::source_position& p) const;
  /// Records an error; only the first one is kept, since later ones are often its echoes.
  void fail(const toml::source_region& at, std::string message, std::string hint = {});
  /// Records "<key_path>: expected <expected>, got <type of n>" at n.
  void fail_type(const toml::node& n, const std::string& key_path, std::string_view expected);
  /// Records a warning at a position.
  void warn(const toml::source_region& at, std::string message);

  /// Whether an error was recorded.
  bool failed() const { return error_.has_value(); }
  /// The first error recorded; only valid when failed().
  const Error& error() const { return *error_; }
  /// Warnings in file order.
  std::vector<TomlWarning> warnings() const;
  /// The file named in messages.
  const std::string& path() const { return path_; }
  /// The hint given with type errors and unknown keys.
  const std::string& hint() const { return hint_; }

 private:
  std::string path_;
  int line_offset_;
  std::string hint_;
  std::optional<Error> error_;
  std::vector<TomlWarning> warnings_;
};

/// Parses TOML text; a syntax error becomes an Error at file:line:column with `hint`.
Result<toml::table> parse_toml(const std::string& text, const std::string& path, int line_offset,
                               const std::string& hint);

/// "a string", "an integer", ... as used in type errors.
std::string toml_type_name(toml::node_type type);

/// Edit distance counting insertions, deletions, substitutions and adjacent transpositions.
int edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word` within edit distance 2 (first one on ties), or "" if none.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// One table of a document, read key by key with type checks. It remembers every key it was
/// asked about, so that keys in the file that nobody read can be reported with a suggestion.
class TomlTable {
 public:
  /// `prefix` is the dotted path of this table ("runners.kubernetes"), used in messages.
  TomlTable(const toml::table& table, std::string prefix, TomlContext& ctx);

  /// Each get() returns true when the key is present with the right type and stores the value.
  /// A present key of the wrong type records an error and returns false.
  bool get(std::string_view key, std::string& out);
  bool get(std::string_view key, bool& out);
  bool get(std::string_view key, int& out);
  bool get(std::string_view key, int64_t& out);
  bool get(std::string_view key, double& out);  ///< accepts integers too
  bool get(std::string_view key, std::vector<std::string>& out);
  bool get(std::string_view key, std::map<std::string, std::string>& out);
  bool get(std::string_view key, std::map<std::string, bool>& out);
  /// An optional key: `out` is set only when the key is present with the right type.
  template <class T>
  bool get(std::string_view key, std::optional<T>& out) {
    T value{};
    if (!get(key, value)) return false;
    out = std::move(value);
    return true;
  }

  /// The sub-table at key, or nullptr (absent, or a type error recorded).
  const toml::table* table(std::string_view key);
  /// The tables of an array of tables ([[key]] or key = [{...}]); empty when absent or wrong.
  std::vector<const toml::table*> tables(std::string_view key);
  /// The node at key of any type, or nullptr; the caller checks its type.
  const toml::node* node(std::string_view key);
  /// Records "missing required key" unless key is present, at a likely misspelling of it if the
  /// table has one, else at this table. Returns presence.
  bool require(std::string_view key, std::string hint);
  /// A key of this table nobody asked about that is within edit distance 2 of `key`, or nullptr.
  const toml::key* misspelling_of(std::string_view key) const;

  /// The dotted path of a key of this table.
  std::string path(std::string_view key) const;
  /// The dotted path of this table.
  const std::string& prefix() const { return prefix_; }
  /// The table itself, for positions and presence checks that must not count as reads.
  const toml::table& raw() const { return *table_; }
  /// Where errors and warnings go.
  TomlContext& context() { return *ctx_; }
  /// Every key asked about, in the order asked (did-you-mean candidates).
  const std::vector<std::string>& declared() const { return declared_; }
  /// Keys present in the file but never asked about, in file order.
  std::vector<std::pair<const toml::key*, const toml::node*>> unread() const;
  /// Records an error for the first unread key: unknown key "a.b" (did you mean "c"?).
  void reject_unread();

 private:
  const toml::node* lookup(std::string_view key);

  const toml::table* table_;
  std::string prefix_;
  TomlContext* ctx_;
  std::vector<std::string> declared_;
};

/// The entries of a table in file order (toml++ iterates in key order).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table);

/// `unknown key "path"`, with ` (did you mean "x"?)` when a candidate is within distance 2.
std::string unknown_key_message(const std::string& key_path, std::string_view key,
                                const std::vector<std::string>& candidates);

}  // namespace kexsim

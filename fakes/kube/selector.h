#pragma once
// Label and field selectors of list requests (`labelSelector=a=b,c in (x,y)`, `fieldSelector=status.phase=Running`).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace kexsim::fakes {

/// A parsed label selector: equality (`a=b`, `a==b`, `a!=b`) and set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`).
class LabelSelector {
 public:
  /// Parses the query value; an empty text selects everything.
  static Result<LabelSelector> parse(const std::string& text);
  /// Whether metadata.labels (an object, or null) satisfies every requirement.
  bool matches(const nlohmann::json& labels) const;
  /// A label (key, value) every object this selects carries (from `a=b` or `a in (b)`), if there is one:
  /// what a watch's events are indexed by.
  std::optional<std::pair<std::string, std::string>> required_label() const;

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

/// One term of a field selector: `field=value`, `field==value` or `field!=value`.
struct FieldTerm {
  std::string field;
  bool equals = true;
  std::string value;
};

/// Parses a field selector into its terms; an empty text gives none.
Result<std::vector<FieldTerm>> parse_field_selector(const std::string& text);

/// The string at a dotted path ("status.phase") of an object, or empty when absent.
std::string field_value(const nlohmann::json& object, const std::string& path);

/// Whether the selectors can still select a stored object once it is presented: presenting adds status and
/// defaults, never labels, names or namespaces, so an object these terms refuse as stored is refused as
/// presented too and need not be presented (an informer's list or watch of its one pod among a thousand).
/// True does not mean selected: the caller still filters the presented object.
bool may_select_stored(const nlohmann::json& stored, const LabelSelector& labels, const std::vector<FieldTerm>& fields);

}  // namespace kexsim::fakes

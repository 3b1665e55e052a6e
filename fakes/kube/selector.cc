#include "fakes/kube/selector.h"

#include <algorithm>

#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

// Splits on commas outside parentheses, so `a in (x,y),b` is two terms.
std::vector<std::string> split_terms(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(trim(current));
  return out;
}

std::vector<std::string> split_values(const std::string& inner) {
  std::vector<std::string> out;
  std::string current;
  for (char c : inner + ",") {
    if (c == ',') {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

Error selector_error(const std::string& term) {
  return make_error("unable to parse requirement: invalid label selector term \"" + term + "\"");
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(const std::string& text) {
  LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (const std::string& term : split_terms(text)) {
    if (term.empty()) return selector_error(term);
    Requirement r;
    const size_t in_pos = term.find(" in ");
    const size_t notin_pos = term.find(" notin ");
    if (in_pos != std::string::npos || notin_pos != std::string::npos) {
      const bool notin = notin_pos != std::string::npos;
      const size_t pos = notin ? notin_pos : in_pos;
      r.key = trim(term.substr(0, pos));
      const std::string rest = trim(term.substr(pos + (notin ? 7 : 4)));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return selector_error(term);
      r.op = notin ? Op::kNotIn : Op::kIn;
      r.values = split_values(rest.substr(1, rest.size() - 2));
    } else if (term[0] == '!' && term.find('=') == std::string::npos) {
      r.key = trim(term.substr(1));
      r.op = Op::kNotExists;
    } else if (size_t ne = term.find("!="); ne != std::string::npos) {
      r.key = trim(term.substr(0, ne));
      r.op = Op::kNotEquals;
      r.values = {trim(term.substr(ne + 2))};
    } else if (size_t eq = term.find('='); eq != std::string::npos) {
      const size_t skip = term.compare(eq, 2, "==") == 0 ? 2 : 1;
      r.key = trim(term.substr(0, eq));
      r.op = Op::kEquals;
      r.values = {trim(term.substr(eq + skip))};
    } else {
      r.key = term;
      r.op = Op::kExists;
    }
    if (r.key.empty()) return selector_error(term);
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool LabelSelector::matches(const nlohmann::json& labels) const {
  for (const Requirement& r : requirements_) {
    const bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    const std::string value = has ? labels[r.key].get<std::string>() : std::string();
    const bool listed = std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case Op::kEquals:
      case Op::kIn: ok = has && listed; break;
      case Op::kNotEquals:
      case Op::kNotIn: ok = !has || !listed; break;
      case Op::kExists: ok = has; break;
      case Op::kNotExists: ok = !has; break;
    }
    if (!ok) return false;
  }
  return true;
}

std::optional<std::pair<std::string, std::string>> LabelSelector::required_label() const {
  for (const Requirement& r : requirements_)
    if ((r.op == Op::kEquals || r.op == Op::kIn) && r.values.size() == 1) return std::pair(r.key, r.values.front());
  return std::nullopt;
}

Result<std::vector<FieldTerm>> parse_field_selector(const std::string& text) {
  std::vector<FieldTerm> terms;
  if (trim(text).empty()) return terms;
  for (const std::string& term : split_terms(text)) {
    FieldTerm t;
    size_t op = term.find("!=");
    size_t skip = 2;
    t.equals = op == std::string::npos;
    if (t.equals) {
      op = term.find('=');
      if (op == std::string::npos)
        return make_error("invalid selector: '" + text + "'; can't understand '" + term + "'");
      skip = term.compare(op, 2, "==") == 0 ? 2 : 1;
    }
    t.field = trim(term.substr(0, op));
    t.value = trim(term.substr(op + skip));
    terms.push_back(std::move(t));
  }
  return terms;
}

std::string field_value(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* node = &object;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return {};
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node->is_string() ? node->get<std::string>() : std::string();
}

bool may_select_stored(const nlohmann::json& stored, const LabelSelector& labels,
                       const std::vector<FieldTerm>& fields) {
  if (!labels.matches(json_fields::member(json_fields::member(stored, "metadata"), "labels"))) return false;
  return std::none_of(fields.begin(), fields.end(), [&](const FieldTerm& t) {
    return (t.field == "metadata.name" || t.field == "metadata.namespace") &&
           (field_value(stored, t.field) == t.value) != t.equals;
  });
}

}  // namespace kexsim::fakes

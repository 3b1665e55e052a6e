#include "executor/pod_events.h"

#include <algorithm>

namespace kexsim::executor {

std::vector<std::string> tabwriter_block(const std::vector<std::vector<std::string>>& rows, size_t minwidth,
                                         size_t padding) {
  // text/tabwriter format(): a column block is a run of consecutive rows that have a cell in that column
  // (a cell is tab-terminated, so a row's last text is not in any column). Widths count runes; the texts
  // here are ASCII or counted as bytes, as the events are.
  std::vector<std::string> out(rows.size());
  std::vector<size_t> width;
  size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.empty() ? 0 : row.size() - 1);
  for (size_t col = 0; col < columns; ++col) {
    size_t begin = 0;
    while (begin < rows.size()) {
      if (rows[begin].size() <= col + 1) {
        ++begin;
        continue;
      }
      size_t end = begin, w = minwidth;
      while (end < rows.size() && rows[end].size() > col + 1) {
        w = std::max(w, rows[end][col].size() + padding);
        ++end;
      }
      for (size_t r = begin; r < end; ++r) out[r] += rows[r][col] + std::string(w - rows[r][col].size(), ' ');
      begin = end;
    }
  }
  for (size_t r = 0; r < rows.size(); ++r)
    if (!rows[r].empty()) out[r] += rows[r].back();
  return out;
}

std::vector<std::string> PodEventPrinter::print(const std::string& type, const std::string& reason,
                                                const std::string& message) {
  std::vector<std::vector<std::string>> rows;
  if (!header_written_) rows.push_back({"Type", "Reason", "Message"});  // fmt.Fprintln(w, "Type\tReason\tMessage")
  header_written_ = true;
  rows.push_back({type, reason, message});  // fmt.Fprintf(w, "%s\t%s\t%s\n", …); w.Flush()
  return tabwriter_block(rows);
}

}  // namespace kexsim::executor

#pragma once
// Small text helpers that know no protocol: trimming, splitting, case-insensitive comparison and
// telling an IP literal from a host name. Each exists once in the house.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kexsim {

/// s without leading and trailing spaces, tabs, CR and LF.
std::string_view trim_view(std::string_view s);
/// s without leading and trailing spaces, tabs, CR and LF, as a string.
std::string trim(std::string_view s);
/// The comma-separated items of s, each trimmed, empty items dropped ("a, b,,c" -> a b c).
std::vector<std::string> split_list(std::string_view s, char separator = ',');
/// s cut at every separator, empty pieces kept ("a::b" -> a "" b).
std::vector<std::string> split(std::string_view s, char separator);
/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
/// True for an IPv4 dotted quad or an IPv6 address ("::1", "fe80::1"), as inet_pton reads them.
bool is_ip_literal(std::string_view host);
/// True when s begins with prefix.
inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
/// True when s ends with suffix.
inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
/// s with ASCII letters lower-cased (header names, git config keys, registry hosts).
std::string to_lower(std::string_view s);
/// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False, anything else nullopt.
std::optional<bool> parse_go_bool(std::string_view s);
/// Go's strconv.Atoi on a 64-bit build: an optional sign, decimal digits, within int64; else nullopt.
std::optional<int64_t> parse_go_int(std::string_view s);
/// Go's %v of a []string: "[a b c]".
std::string go_list(const std::vector<std::string>& items);

}  // namespace kexsim

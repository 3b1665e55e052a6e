#include "base/clock.h"

#include <cstdio>
#include <ctime>
#include <string_view>

namespace kexsim {
namespace {

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm); avoids timegm/gmtime and TZ.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

std::string format(TimePoint t, bool micros) {
  const int64_t us = t.time_since_epoch().count();
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  const int64_t frac = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  if (micros) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(frac));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
  }
  return buf;
}

}  // namespace

std::string format_rfc3339(TimePoint t) { return format(t, false); }
std::string format_rfc3339_micro(TimePoint t) { return format(t, true); }

bool parse_rfc3339(const std::string& text, TimePoint& out) {
  int y, mo, d, h, mi, s;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6) return false;
  size_t pos = static_cast<size_t>(consumed);
  int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    int64_t scale = 100000;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      frac_us += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  if (pos != text.size() - 1 || text[pos] != 'Z') return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  const int64_t secs =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
  out = TimePoint(Duration(secs * 1000000 + frac_us));
  return true;
}

namespace {
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kWeekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday
}  // namespace

std::string format_rfc1123(TimePoint t) {
  const int64_t secs = unix_seconds(t);
  const int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT", kWeekdays[((days % 7) + 7) % 7], d,
                kMonths[m - 1], static_cast<long long>(y), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

bool parse_rfc1123(const std::string& text, TimePoint& out) {
  char weekday[4], month[4], zone[8];
  int d, y, h, mi, s, consumed = 0;
  if (std::sscanf(text.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %7[A-Za-z]%n", weekday, &d, month, &y, &h,
                  &mi, &s, zone, &consumed) != 8 ||
      static_cast<size_t>(consumed) != text.size())
    return false;
  unsigned mo = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (std::string_view(month) == kMonths[i]) mo = i + 1;
  if (mo == 0 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || std::string_view(zone).size() < 3) return false;
  const int64_t secs = days_from_civil(y, mo, static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
  out = TimePoint(Duration(secs * 1000000));
  return true;
}

int64_t unix_seconds(TimePoint t) {
  const int64_t us = t.time_since_epoch().count();
  return us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
}

}  // namespace kexsim

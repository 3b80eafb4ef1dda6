#include "core/time.hpp"

#include <array>
#include <cstdio>

namespace eventsubd {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30,
                                            31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

}  // namespace

std::optional<sys_time> parse_rfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) ||
      !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  // A nanosecond time point spans 1677-09-21 to 2262-04-11; converting a date outside
  // it overflowed (undefined behaviour, found by fuzzing). Whole years inside it only.
  if (year < 1678 || year > 2261) return std::nullopt;
  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t value = 0;
    int count = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (++count > 9) return std::nullopt;
      value = value * 10 + (s[pos] - '0');
      ++pos;
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 9; ++i) value *= 10;
    fraction = std::chrono::nanoseconds{value};
  }
  std::chrono::minutes offset{0};
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
          !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
        return std::nullopt;
      offset = std::chrono::hours{oh} + std::chrono::minutes{om};
      if (s[pos] == '-') offset = -offset;
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  using namespace std::chrono;
  auto ymd = year_month_day{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                            std::chrono::day{unsigned(day)}};
  sys_time t = time_point_cast<nanoseconds>(sys_days{ymd}) + hours{hour} +
               minutes{minute} + seconds{second} + fraction - offset;
  return t;
}

std::string format_rfc3339(sys_time t) {
  using namespace std::chrono;
  // floor, not time_point_cast: the cast rounds toward zero, which before 1970 rounded
  // the shown microsecond up (found by fuzzing).
  auto micros = floor<microseconds>(t);
  auto days = floor<std::chrono::days>(micros);
  year_month_day ymd{days};
  auto rest = micros - days;
  auto h = duration_cast<hours>(rest);
  rest -= h;
  auto m = duration_cast<minutes>(rest);
  rest -= m;
  auto sec = duration_cast<seconds>(rest);
  rest -= sec;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld.%06lld+00:00",
                int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                int(h.count()), int(m.count()), static_cast<long long>(sec.count()),
                static_cast<long long>(rest.count()));
  return buf;
}

double unix_seconds(sys_time t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace eventsubd

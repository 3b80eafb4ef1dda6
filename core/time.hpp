#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace eventsubd {

/// Wall-clock instant with nanosecond resolution (Twitch timestamps carry up to 9
/// digits).
using sys_time =
    std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

/// Parses RFC 3339 timestamps tolerantly: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of
/// 0-9 digits, then `Z`/`z`, a `+HH:MM`/`-HH:MM` offset, or nothing (naive: taken as UTC,
/// as the old service's data holds). `t` or a space may separate date and time.
/// Returns nullopt for anything else, including out-of-range fields and years outside
/// 1678-2261 (what a nanosecond time point can hold).
std::optional<sys_time> parse_rfc3339(std::string_view text);

/// Formats as `2024-01-15T11:45:23.123456+00:00` (UTC, microseconds), the form we write.
std::string format_rfc3339(sys_time t);

/// Seconds since the Unix epoch as a double (the score of `twitch:events`).
double unix_seconds(sys_time t);

/// Now, truncated to nanoseconds.
inline sys_time now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now());
}

}  // namespace eventsubd

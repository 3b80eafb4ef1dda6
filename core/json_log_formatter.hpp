#pragma once

#include <spdlog/formatter.h>

#include <ctime>
#include <memory>
#include <string_view>

namespace eventsubd {

/// `LOG_FORMAT=json`: each record as one JSON object on its own line,
/// `{"timestamp":"2024-01-15T11:45:23.123Z","level":"info","logger":"app","message":"..."}`
/// (RFC 3339 UTC, milliseconds). Any bytes in a message still give valid JSON: control
/// characters are escaped and invalid UTF-8 becomes U+FFFD.
class json_log_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  // The formatted date and time of the last second seen; most records share it.
  std::time_t cached_second_ = -1;
  char cached_text_[20] = {};
};

/// Appends `text` to `dest` as a quoted JSON string (escaped; invalid UTF-8 replaced).
void append_json_string(std::string_view text, spdlog::memory_buf_t& dest);

}  // namespace eventsubd

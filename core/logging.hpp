#pragma once

#include "core/config.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace eventsubd {

/// Creates the named loggers (`app`, `http`, `actors`, `storage`, `twitch`) on one shared
/// stdout sink at `level` (trace..critical), writing `format` (text lines, or one JSON
/// object per line). Safe to call more than once.
void setup_logging(const std::string& level,
                   log_format_kind format = log_format_kind::text);

/// The logger for one folder of the code base; created on first use if needed.
std::shared_ptr<spdlog::logger> log_for(const char* name);

}  // namespace eventsubd

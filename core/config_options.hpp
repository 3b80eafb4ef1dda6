#pragma once

#include "core/config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

// The table of settings: each option's variable, help text, default, range (numeric
// ones) and how a value is checked and applied to a `config`. Loading, validation and
// `--help` (core/config.cpp) read this table.
namespace eventsubd {

/// One setting: its environment variable, its flag, its help line, and how to apply a
/// value (returns an error message naming the variable, or empty on success).
struct option_spec {
  const char* env;
  const char* help;
  const char* default_text;
  std::function<std::string(config&, const std::string&)> apply;
  std::optional<numeric_range> range = std::nullopt;  // numeric settings only
};

/// Every fixed setting (not the EXT_* ones), in `--help` order.
const std::vector<option_spec>& config_options();

/// The flag of a variable: REFRESH_INTERVAL -> --refresh-interval.
std::string flag_of(const char* env);

/// "from 10 to 86400": the same words in --help and in the error message.
std::string range_text(const numeric_range& r);

}  // namespace eventsubd

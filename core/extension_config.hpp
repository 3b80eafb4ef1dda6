#pragma once

#include "core/result.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

// The configuration of extensions: which ones run (EXTENSIONS) and their own settings,
// the variables EXT_<NAME>_<KEY> (flags --ext-<name>-<key>).
namespace eventsubd {

/// EXTENSIONS when it is not set: the shipped go-live logger, which ran always before
/// extensions could be chosen. `EXTENSIONS=` (empty) runs none.
inline constexpr const char* default_extensions_text = "go_live_logger";

/// A valid extension name: a lowercase letter, then lowercase letters, digits and '_',
/// 40 characters at most (it names a folder, a logger and a variable prefix).
bool valid_extension_name(std::string_view name);

/// EXTENSIONS: comma-separated names, trimmed, lowercased, duplicates dropped; an error
/// names the variable. Whether each name exists is for the extension kit to say.
result<std::vector<std::string>> parse_extension_list(std::string_view value);

/// Every extension setting's variable starts with this.
inline constexpr std::string_view extension_variable_prefix = "EXT_";

/// Is `variable` an extension setting: EXT_ then uppercase letters, digits and '_'?
bool is_extension_variable(std::string_view variable);

/// The variable a flag `--ext-...` sets (`--ext-a-b` -> EXT_A_B); empty when `flag` is
/// not an extension flag.
std::string extension_variable_of_flag(std::string_view flag);

/// The prefix of one extension's variables: `go_live_logger` -> EXT_GO_LIVE_LOGGER_.
std::string extension_setting_prefix(std::string_view extension);

/// One extension's settings out of every EXT_* variable, keyed by what follows its
/// prefix (EXT_GO_LIVE_LOGGER_FILE -> FILE).
std::map<std::string, std::string> settings_of(
    const std::map<std::string, std::string>& all, std::string_view extension);

}  // namespace eventsubd

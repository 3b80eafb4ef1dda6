#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Where settings come from besides flags: the process environment and `.env` files.
namespace eventsubd {

/// Reads an environment variable; injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
env_lookup process_environment();

/// The names of the process environment's variables (for prefixed settings such as
/// `EXT_*`, which no fixed list names).
std::vector<std::string> process_environment_names();

/// Parses `.env` text (KEY=VALUE lines, `#` comments, optional `export`, quotes).
std::vector<std::pair<std::string, std::string>> parse_dotenv(const std::string& text);

/// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace eventsubd

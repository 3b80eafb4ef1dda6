#include "core/config_sources.hpp"

#include "core/text.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace eventsubd {

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    // Read on the main thread at start, before any other thread exists.
    if (const char* v = std::getenv(name.c_str()))  // NOLINT(concurrency-mt-unsafe)
      return std::string(v);
    return std::nullopt;
  };
}

std::vector<std::string> process_environment_names() {
  std::vector<std::string> names;
  // Read on the main thread at start, before any other thread exists.
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text{*entry};
    if (auto eq = text.find('='); eq != std::string_view::npos && eq > 0)
      names.emplace_back(text.substr(0, eq));
  }
  return names;
}

std::vector<std::pair<std::string, std::string>> parse_dotenv(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      // A quoted value ends at its closing quote; what follows (a comment) is dropped.
      auto close = value.find(value.front(), 1);
      if (close != std::string::npos) value = value.substr(1, close - 1);
    } else if (auto hash = value.find(" #"); hash != std::string::npos) {
      value = trim(value.substr(0, hash));  // inline comment after an unquoted value
    }
    if (!key.empty()) out.emplace_back(key, value);
  }
  return out;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace eventsubd

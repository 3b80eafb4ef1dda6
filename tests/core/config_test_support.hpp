#pragma once
// What the load_config tests share: running load_config on given flags and variables,
// temporary `.env` files, and the checks on its messages.

#include "core/config.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace eventsubd::testing {

/// A file in the temp directory, removed when the test ends.
class temp_file {
 public:
  explicit temp_file(const std::string& content);
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// A path that certainly does not exist, so no `.env` is read.
std::string missing_env_file();

/// Runs load_config with `args` after the program name (the caller adds --env-file).
config_outcome run(std::vector<std::string> args,
                   std::map<std::string, std::string> vars = {});

/// As `run`, with no `.env` file.
config_outcome run_clean(std::vector<std::string> args,
                         std::map<std::string, std::string> vars = {});

bool contains(const std::string& haystack, const std::string& needle);

/// Asserts that the outcome is a configuration error naming `variable`.
void expect_error_naming(const config_outcome& out, const std::string& variable);

/// The `--help` block of each option: "(VARIABLE)" -> its flag and description lines.
std::map<std::string, std::string> help_blocks(const std::string& help);

}  // namespace eventsubd::testing

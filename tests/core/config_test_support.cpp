#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <utility>

namespace eventsubd::testing {
namespace {

namespace fs = std::filesystem;

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

temp_file::temp_file(const std::string& content) {
  static std::atomic<int> counter{0};
  path_ =
      fs::temp_directory_path() / ("eventsubd-config-test-" + std::to_string(::getpid()) +
                                   "-" + std::to_string(counter++) + ".env");
  std::ofstream out(path_, std::ios::binary);
  out << content;
}

temp_file::~temp_file() {
  std::error_code ec;
  fs::remove(path_, ec);
}

std::string missing_env_file() {
  return (fs::temp_directory_path() /
          ("eventsubd-config-test-no-such-file-" + std::to_string(::getpid()) + ".env"))
      .string();
}

config_outcome run(std::vector<std::string> args,
                   std::map<std::string, std::string> vars) {
  std::vector<const char*> argv{"eventsubd"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return load_config(static_cast<int>(argv.size() - 1), argv.data(),
                     env_of(std::move(vars)));
}

config_outcome run_clean(std::vector<std::string> args,
                         std::map<std::string, std::string> vars) {
  args.insert(args.begin(), {"--env-file", missing_env_file()});
  return run(std::move(args), std::move(vars));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void expect_error_naming(const config_outcome& out, const std::string& variable) {
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(contains(out.message, variable)) << out.message;
}

std::map<std::string, std::string> help_blocks(const std::string& help) {
  std::map<std::string, std::string> blocks;
  std::string current;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    auto open = line.find(" (");
    if (line.rfind("  --", 0) == 0 && open != std::string::npos && line.back() == ')')
      current = line.substr(open + 2, line.size() - open - 3);
    else if (line.rfind("  --", 0) == 0)
      current.clear();
    if (!current.empty()) blocks[current] += line + "\n";
  }
  return blocks;
}

}  // namespace eventsubd::testing

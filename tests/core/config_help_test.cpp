// load_config's --help and --version, and the README's table of the same settings.
#include "core/config.hpp"
#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

// --- --help and --version
// --------------------------------------------------------------------------

TEST(LoadConfig, HelpListsEveryVariable) {
  auto out = run_clean({"--help"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 0);
  for (const char* name :
       {"TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET", "WEBHOOK_SECRET", "WEBHOOK_URL",
        "STORAGE_TYPE", "REDIS_URL", "DEFAULT_STREAMERS", "REQUIRE_API_KEY", "API_KEY",
        "HOST", "PORT", "TWITCH_API_URL", "TWITCH_AUTH_URL", "REFRESH_INTERVAL",
        "TWITCH_RETRY_INTERVAL", "HELIX_LAG_WINDOW", "LOG_LEVEL", "EXTENSIONS"})
    EXPECT_TRUE(contains(out.message, name)) << name;
  for (const char* flag : {"--port", "--log-level", "--env-file", "--help", "--version"})
    EXPECT_TRUE(contains(out.message, flag)) << flag;
  EXPECT_EQ(out.message, config_help());
}

TEST(LoadConfig, HelpShowsEveryNumericRangeTheValidationUses) {
  auto blocks = help_blocks(config_help());
  auto ranges = numeric_ranges();
  ASSERT_GE(ranges.size(), 8u);
  for (const auto& r : ranges) {
    SCOPED_TRACE(r.variable);
    auto text =
        "a whole number from " + std::to_string(r.lo) + " to " + std::to_string(r.hi);
    ASSERT_TRUE(blocks.count(r.variable));
    EXPECT_TRUE(contains(blocks[r.variable], text)) << blocks[r.variable];
    // The same range is the one enforced, and named in the error.
    for (long ok : {r.lo, r.hi})
      EXPECT_TRUE(run_clean({}, {{r.variable, std::to_string(ok)}}).cfg.has_value())
          << ok;
    for (long bad : {r.lo - 1, r.hi + 1}) {
      auto out = run_clean({}, {{r.variable, std::to_string(bad)}});
      expect_error_naming(out, r.variable);
      EXPECT_TRUE(contains(out.message, text)) << out.message;
    }
  }
  // Every option with a numeric default is one of them (a new one cannot skip its range).
  const std::regex numeric_default{R"(\[default: \d+\])"};
  for (const auto& entry : blocks) {
    const auto& variable = entry.first;
    const auto& block = entry.second;
    if (!std::regex_search(block, numeric_default)) continue;
    EXPECT_TRUE(std::any_of(ranges.begin(), ranges.end(),
                            [&](const auto& r) { return r.variable == variable; }))
        << variable << " has a numeric default but no range:\n"
        << block;
  }
}

TEST(LoadConfig, ReadmeConfigurationTableShowsEveryNumericRange) {
  std::ifstream in(std::string(EVENTSUBD_FIXTURES_DIR) + "/../../README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  for (const auto& r : numeric_ranges()) {
    SCOPED_TRACE(r.variable);
    auto row = std::find_if(rows.begin(), rows.end(), [&](const std::string& line) {
      return contains(line.substr(0, line.find(" | ")), "`" + r.variable + "`");
    });
    ASSERT_NE(row, rows.end());
    auto range = std::to_string(r.lo) + "\u2013" + std::to_string(r.hi);  // en dash
    EXPECT_TRUE(contains(*row, range)) << *row;
  }
}

TEST(LoadConfig, ReadmeConfigurationTableNamesEveryVariable) {
  std::ifstream in(std::string(EVENTSUBD_FIXTURES_DIR) + "/../../README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::string first_cells;  // the variable column of every table row
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| `", 0) == 0) first_cells += line.substr(0, line.find(" | ")) + "\n";
  for (const auto& entry : help_blocks(config_help()))
    EXPECT_TRUE(contains(first_cells, "`" + entry.first + "`"))
        << entry.first << " is in --help but not in the README's table";
}

TEST(LoadConfig, DataDirDefaultsToDataAndMustNotBeEmpty) {
  auto out = run_clean({});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->data_dir, "data");
  out = run_clean({"--data-dir", " /var/lib/eventsubd "});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->data_dir, "/var/lib/eventsubd");
  expect_error_naming(run_clean({}, {{"DATA_DIR", "  "}}), "DATA_DIR");
  EXPECT_TRUE(contains(help_blocks(config_help())["DATA_DIR"], "[default: data]"));
}

TEST(LoadConfig, HelpWinsOverLaterBadFlags) {
  auto out = run_clean({"--help", "--bogus"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(contains(out.message, "WEBHOOK_SECRET"));
}

TEST(LoadConfig, HelpIgnoresBadEnvironment) {
  auto out = run_clean({"--help"}, {{"PORT", "bogus"}});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 0);
}

TEST(LoadConfig, ShortHelp) {
  auto out = run_clean({"-h"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(contains(out.message, "LOG_LEVEL"));
}

TEST(LoadConfig, Version) {
  auto out = run_clean({"--version"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(contains(out.message, "eventsubd")) << out.message;
  EXPECT_TRUE(contains(out.message, EVENTSUBD_VERSION)) << out.message;
}

TEST(LoadConfig, HelpListsHealthcheckAndLogFormat) {
  auto help = config_help();
  EXPECT_TRUE(contains(help, "--healthcheck")) << help;
  EXPECT_TRUE(contains(help, "--log-format (LOG_FORMAT)")) << help;
}

}  // namespace
}  // namespace eventsubd::testing

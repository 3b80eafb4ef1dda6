#include "core/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace eventsubd {
namespace {

namespace fs = std::filesystem;

/// A file in the temp directory, removed when the test ends.
class temp_file {
 public:
  explicit temp_file(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("eventsubd-config-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++) + ".env");
    std::ofstream out(path_, std::ios::binary);
    out << content;
  }
  ~temp_file() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

/// A path that certainly does not exist, so no `.env` is read.
std::string missing_env_file() {
  return (fs::temp_directory_path() /
          ("eventsubd-config-test-no-such-file-" + std::to_string(::getpid()) + ".env"))
      .string();
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/// Runs load_config with `args` after the program name (the caller adds --env-file).
config_outcome run(std::vector<std::string> args,
                   std::map<std::string, std::string> vars = {}) {
  std::vector<const char*> argv{"eventsubd"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return load_config(static_cast<int>(argv.size() - 1), argv.data(),
                     env_of(std::move(vars)));
}

/// As `run`, with no `.env` file.
config_outcome run_clean(std::vector<std::string> args,
                         std::map<std::string, std::string> vars = {}) {
  args.insert(args.begin(), {"--env-file", missing_env_file()});
  return run(std::move(args), std::move(vars));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Asserts that the outcome is a configuration error naming `variable`.
void expect_error_naming(const config_outcome& out, const std::string& variable) {
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(contains(out.message, variable)) << out.message;
}

// --- defaults
// ----------------------------------------------------------------------------

TEST(LoadConfig, Defaults) {
  auto out = run_clean({});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  const config& c = *out.cfg;
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.storage, storage_kind::memory);
  EXPECT_EQ(c.refresh_interval_s, 300);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.twitch_api_url, "https://api.twitch.tv/helix");
  EXPECT_EQ(c.twitch_auth_url, "https://id.twitch.tv/oauth2");
  EXPECT_EQ(c.redis_url, "redis://localhost:6379");
  EXPECT_FALSE(c.require_api_key);
  EXPECT_TRUE(c.api_key.empty());
  EXPECT_TRUE(c.webhook_secret.empty());
  EXPECT_TRUE(c.default_streamers.empty());
  EXPECT_TRUE(c.twitch_client_id.empty());
  EXPECT_TRUE(c.twitch_client_secret.empty());
}

// --- Redis Sentinel and replicas
// ---------------------------------------------------------

TEST(LoadConfig, RedisSentinelSettings) {
  auto out = run_clean({}, {{"REDIS_SENTINELS", " 10.0.0.1:26379, [::1]:26380,s3:5000 "},
                            {"REDIS_MASTER_NAME", "mymaster"},
                            {"REDIS_SENTINEL_PASSWORD", "sentinel-pass-7c1e"},
                            {"REDIS_MIN_REPLICAS", "2"},
                            {"REDIS_WAIT_TIMEOUT_MS", "250"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  const config& c = *out.cfg;
  ASSERT_EQ(c.redis_sentinels.size(), 3u);
  EXPECT_EQ(c.redis_sentinels[0], (host_port{"10.0.0.1", 26379}));
  EXPECT_EQ(c.redis_sentinels[1], (host_port{"::1", 26380}));
  EXPECT_EQ(c.redis_sentinels[2], (host_port{"s3", 5000}));
  EXPECT_EQ(c.redis_master_name, "mymaster");
  EXPECT_EQ(c.redis_sentinel_password, "sentinel-pass-7c1e");
  EXPECT_EQ(c.redis_min_replicas, 2);
  EXPECT_EQ(c.redis_wait_timeout_ms, 250);

  auto defaults = run_clean({});
  ASSERT_TRUE(defaults.cfg.has_value());
  EXPECT_TRUE(defaults.cfg->redis_sentinels.empty());
  EXPECT_EQ(defaults.cfg->redis_min_replicas, 0);
  EXPECT_EQ(defaults.cfg->redis_wait_timeout_ms, 1000);
}

TEST(LoadConfig, RedisSentinelSettingsGoTogether) {
  expect_error_naming(run_clean({}, {{"REDIS_SENTINELS", "127.0.0.1:26379"}}),
                      "REDIS_MASTER_NAME");
  expect_error_naming(run_clean({}, {{"REDIS_MASTER_NAME", "mymaster"}}),
                      "REDIS_SENTINELS");
  auto password_alone = run_clean({}, {{"REDIS_SENTINEL_PASSWORD", "p-91b2"}});
  expect_error_naming(password_alone, "REDIS_SENTINEL_PASSWORD");
  EXPECT_FALSE(contains(password_alone.message, "p-91b2")) << password_alone.message;
  expect_error_naming(
      run_clean({}, {{"REDIS_SENTINELS", "a:1"}, {"REDIS_MASTER_NAME", "two words"}}),
      "REDIS_MASTER_NAME");
  for (const char* bad : {"host", "host:", ":26379", "host:0", "host:65536", "a:1,,b:2",
                          "::1:26379", "host:26379x", ","}) {
    SCOPED_TRACE(bad);
    expect_error_naming(
        run_clean({}, {{"REDIS_SENTINELS", bad}, {"REDIS_MASTER_NAME", "m"}}),
        "REDIS_SENTINELS");
  }
}

// --- sources and precedence
// --------------------------------------------------------------

TEST(LoadConfig, ReadsEveryKindOfValueFromTheEnvironment) {
  auto out = run_clean({}, {{"TWITCH_CLIENT_ID", "cid"},
                            {"TWITCH_CLIENT_SECRET", "csecret"},
                            {"WEBHOOK_SECRET", "abcdefghijkl"},
                            {"WEBHOOK_URL", "https://example.com/webhooks/callback"},
                            {"STORAGE_TYPE", "REDIS"},
                            {"REDIS_URL", "redis://db:6380/2"},
                            {"REQUIRE_API_KEY", "true"},
                            {"API_KEY", "k3y"},
                            {"HOST", "127.0.0.1"},
                            {"PORT", "9100"},
                            {"TWITCH_API_URL", "http://localhost:1234/helix/"},
                            {"TWITCH_AUTH_URL", "http://localhost:1234/oauth2"},
                            {"REFRESH_INTERVAL", "60"},
                            {"LOG_LEVEL", "DEBUG"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  const config& c = *out.cfg;
  EXPECT_EQ(c.twitch_client_id, "cid");
  EXPECT_EQ(c.twitch_client_secret, "csecret");
  EXPECT_EQ(c.webhook_secret, "abcdefghijkl");
  EXPECT_EQ(c.webhook_url, "https://example.com/webhooks/callback");
  EXPECT_EQ(c.storage, storage_kind::redis);
  EXPECT_EQ(c.redis_url, "redis://db:6380/2");
  EXPECT_TRUE(c.require_api_key);
  EXPECT_EQ(c.api_key, "k3y");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 9100);
  EXPECT_EQ(c.twitch_api_url, "http://localhost:1234/helix");  // trailing '/' dropped
  EXPECT_EQ(c.twitch_auth_url, "http://localhost:1234/oauth2");
  EXPECT_EQ(c.refresh_interval_s, 60);
  EXPECT_EQ(c.log_level, "debug");
}

TEST(LoadConfig, DotEnvFileIsRead) {
  temp_file env("PORT=7001\nHOST=::1\nLOG_LEVEL=warning\n");
  auto out = run({"--env-file", env.path()});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7001);
  EXPECT_EQ(out.cfg->host, "::1");
  EXPECT_EQ(out.cfg->log_level, "warning");
}

TEST(LoadConfig, EnvFileFlagWithEqualsForm) {
  temp_file env("PORT=7002\n");
  auto out = run({"--env-file=" + env.path()});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7002);
}

TEST(LoadConfig, MissingEnvFileIsFine) {
  auto out = run({"--env-file", missing_env_file()}, {{"PORT", "7003"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7003);
}

TEST(LoadConfig, EnvironmentBeatsDotEnv) {
  temp_file env("PORT=7001\nHOST=10.0.0.1\n");
  auto out = run({"--env-file", env.path()}, {{"PORT", "7002"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7002);
  EXPECT_EQ(out.cfg->host, "10.0.0.1");  // only in .env: still used
}

TEST(LoadConfig, FlagBeatsEnvironmentAndDotEnv) {
  temp_file env("PORT=7001\nLOG_LEVEL=error\nHOST=10.0.0.1\n");
  auto out = run({"--env-file", env.path(), "--port", "7003"},
                 {{"PORT", "7002"}, {"LOG_LEVEL", "debug"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7003);
  EXPECT_EQ(out.cfg->log_level, "debug");  // env over .env
  EXPECT_EQ(out.cfg->host, "10.0.0.1");
}

TEST(LoadConfig, FlagOverridesAnInvalidEnvironmentValue) {
  auto out = run_clean({"--port=9001"}, {{"PORT", "not-a-number"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 9001);
}

TEST(LoadConfig, PortFlagBothForms) {
  auto eq = run_clean({"--port=9000"});
  ASSERT_TRUE(eq.cfg.has_value()) << eq.message;
  EXPECT_EQ(eq.cfg->port, 9000);

  auto sep = run_clean({"--port", "9000"});
  ASSERT_TRUE(sep.cfg.has_value()) << sep.message;
  EXPECT_EQ(sep.cfg->port, 9000);
}

TEST(LoadConfig, LastFlagWins) {
  auto out = run_clean({"--port=9000", "--port", "9001"});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 9001);
}

TEST(LoadConfig, MultiWordFlags) {
  auto out = run_clean({"--log-level", "error", "--storage-type=redis",
                        "--refresh-interval=45", "--default-streamers", "A,b",
                        "--twitch-api-url", "https://mock.example/helix"});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->log_level, "error");
  EXPECT_EQ(out.cfg->storage, storage_kind::redis);
  EXPECT_EQ(out.cfg->refresh_interval_s, 45);
  EXPECT_EQ(out.cfg->default_streamers, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(out.cfg->twitch_api_url, "https://mock.example/helix");
}

TEST(LoadConfig, PortZeroAndMaximum) {
  auto zero = run_clean({"--port=0"});
  ASSERT_TRUE(zero.cfg.has_value()) << zero.message;
  EXPECT_EQ(zero.cfg->port, 0);
  auto max = run_clean({"--port=65535"});
  ASSERT_TRUE(max.cfg.has_value()) << max.message;
  EXPECT_EQ(max.cfg->port, 65535);
}

// --- flags that do not run
// ---------------------------------------------------------------

TEST(LoadConfig, UnknownFlagIsExitTwo) {
  auto out = run_clean({"--no-such-flag=1"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(contains(out.message, "--no-such-flag")) << out.message;
}

TEST(LoadConfig, PositionalArgumentIsRefused) {
  auto out = run_clean({"8000"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_FALSE(out.message.empty());
}

TEST(LoadConfig, EnvironmentNameIsNotAFlag) {
  auto out = run_clean({"PORT=9000"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
}

TEST(LoadConfig, FlagWithoutValueIsExitTwo) {
  auto out = run_clean({"--port"});
  EXPECT_FALSE(out.cfg.has_value());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(contains(out.message, "--port")) << out.message;
}

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

/// The `--help` block of each option: "(VARIABLE)" -> its flag and description lines.
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

// --- invalid values
// ----------------------------------------------------------------------

TEST(LoadConfig, InvalidPort) {
  for (const char* bad : {"abc", "65536", "-1", "80x", "8000.5", "99999999999999"}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"PORT", bad}}), "PORT");
  }
  expect_error_naming(run_clean({"--port=http"}), "PORT");
}

TEST(LoadConfig, PortWithSurroundingSpacesIsAccepted) {
  auto out = run_clean({}, {{"PORT", " 8080 "}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 8080);
}

TEST(LoadConfig, InvalidStorageType) {
  auto out = run_clean({}, {{"STORAGE_TYPE", "postgres"}});
  expect_error_naming(out, "STORAGE_TYPE");
  EXPECT_TRUE(contains(out.message, "postgres")) << out.message;
}

TEST(LoadConfig, StorageTypeIsCaseInsensitive) {
  auto out = run_clean({}, {{"STORAGE_TYPE", " Memory "}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->storage, storage_kind::memory);
}

TEST(LoadConfig, InvalidRequireApiKey) {
  expect_error_naming(run_clean({}, {{"REQUIRE_API_KEY", "maybe"}, {"API_KEY", "x"}}),
                      "REQUIRE_API_KEY");
}

TEST(LoadConfig, RequireApiKeyBooleanSpellings) {
  for (const char* yes : {"true", "TRUE", "1", "yes", "on"}) {
    auto out = run_clean({}, {{"REQUIRE_API_KEY", yes}, {"API_KEY", "k"}});
    ASSERT_TRUE(out.cfg.has_value()) << yes << ": " << out.message;
    EXPECT_TRUE(out.cfg->require_api_key) << yes;
  }
  for (const char* no : {"false", "False", "0", "no", "off", ""}) {
    auto out = run_clean({}, {{"REQUIRE_API_KEY", no}});
    ASSERT_TRUE(out.cfg.has_value()) << no << ": " << out.message;
    EXPECT_FALSE(out.cfg->require_api_key) << no;
  }
}

TEST(LoadConfig, InvalidLogLevel) {
  auto out = run_clean({}, {{"LOG_LEVEL", "verbose"}});
  expect_error_naming(out, "LOG_LEVEL");
}

TEST(LoadConfig, LogLevelWarnIsWarning) {
  auto out = run_clean({}, {{"LOG_LEVEL", "WARN"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->log_level, "warning");
}

TEST(LoadConfig, LogFormatTextByDefaultJsonOnRequest) {
  auto def = run_clean({});
  ASSERT_TRUE(def.cfg.has_value()) << def.message;
  EXPECT_EQ(def.cfg->log_format, log_format_kind::text);
  auto json = run_clean({}, {{"LOG_FORMAT", " JSON "}});
  ASSERT_TRUE(json.cfg.has_value()) << json.message;
  EXPECT_EQ(json.cfg->log_format, log_format_kind::json);
  auto flag = run_clean({"--log-format=text"}, {{"LOG_FORMAT", "json"}});
  ASSERT_TRUE(flag.cfg.has_value()) << flag.message;
  EXPECT_EQ(flag.cfg->log_format, log_format_kind::text);
}

TEST(LoadConfig, InvalidLogFormat) {
  auto out = run_clean({}, {{"LOG_FORMAT", "logfmt"}});
  expect_error_naming(out, "LOG_FORMAT");
  EXPECT_TRUE(contains(out.message, "logfmt")) << out.message;
}

TEST(LoadConfig, HealthcheckFlagKeepsTheConfiguration) {
  auto out = run_clean({"--healthcheck", "--port=9100"}, {{"HOST", "0.0.0.0"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_TRUE(out.healthcheck);
  EXPECT_EQ(out.cfg->port, 9100);
  EXPECT_EQ(out.cfg->host, "0.0.0.0");
  EXPECT_FALSE(run_clean({}).healthcheck);
}

TEST(LoadConfig, HealthcheckWithInvalidConfigurationIsStillAHealthcheck) {
  auto out = run_clean({"--healthcheck"}, {{"PORT", "nope"}});
  expect_error_naming(out, "PORT");
  EXPECT_TRUE(out.healthcheck);  // main turns this into exit code 1
}

TEST(LoadConfig, HelpListsHealthcheckAndLogFormat) {
  auto help = config_help();
  EXPECT_TRUE(contains(help, "--healthcheck")) << help;
  EXPECT_TRUE(contains(help, "--log-format (LOG_FORMAT)")) << help;
}

TEST(LoadConfig, TwitchRetryInterval) {
  EXPECT_EQ(run_clean({}, {}).cfg->twitch_retry_interval_s, 60);
  for (const char* bad : {"abc", "0", "-1", "3601", "2.5"}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"TWITCH_RETRY_INTERVAL", bad}}),
                        "TWITCH_RETRY_INTERVAL");
  }
  auto one = run_clean({}, {{"TWITCH_RETRY_INTERVAL", "1"}});
  ASSERT_TRUE(one.cfg.has_value()) << one.message;
  EXPECT_EQ(one.cfg->twitch_retry_interval_s, 1);
}

TEST(LoadConfig, HelixLagWindow) {
  EXPECT_EQ(run_clean({}, {}).cfg->helix_lag_window_s, 300);
  for (const char* bad : {"abc", "0", "-1", "86401"}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"HELIX_LAG_WINDOW", bad}}), "HELIX_LAG_WINDOW");
  }
  auto two = run_clean({}, {{"HELIX_LAG_WINDOW", "2"}});
  ASSERT_TRUE(two.cfg.has_value()) << two.message;
  EXPECT_EQ(two.cfg->helix_lag_window_s, 2);
}

TEST(LoadConfig, InvalidRefreshInterval) {
  for (const char* bad : {"abc", "9", "0", "-5", "86401", "1e3"}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"REFRESH_INTERVAL", bad}}), "REFRESH_INTERVAL");
  }
  auto low = run_clean({}, {{"REFRESH_INTERVAL", "10"}});
  ASSERT_TRUE(low.cfg.has_value()) << low.message;
  EXPECT_EQ(low.cfg->refresh_interval_s, 10);
  auto high = run_clean({}, {{"REFRESH_INTERVAL", "86400"}});
  ASSERT_TRUE(high.cfg.has_value()) << high.message;
  EXPECT_EQ(high.cfg->refresh_interval_s, 86400);
}

TEST(LoadConfig, InvalidTwitchApiUrl) {
  for (const char* bad : {"api.twitch.tv/helix", "ftp://api.twitch.tv", "HTTPS//x"}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"TWITCH_API_URL", bad}}), "TWITCH_API_URL");
  }
  expect_error_naming(run_clean({}, {{"TWITCH_AUTH_URL", "id.twitch.tv"}}),
                      "TWITCH_AUTH_URL");
}

TEST(LoadConfig, InvalidValueInDotEnvNamesTheVariable) {
  temp_file env("LOG_LEVEL=loud\n");
  expect_error_naming(run({"--env-file", env.path()}), "LOG_LEVEL");
}

TEST(LoadConfig, EmptyHostIsRefused) {
  expect_error_naming(run_clean({}, {{"HOST", "  "}}), "HOST");
}

TEST(LoadConfig, RequireApiKeyWithoutKeyIsRefused) {
  auto out = run_clean({}, {{"REQUIRE_API_KEY", "true"}});
  expect_error_naming(out, "API_KEY");
  auto blank = run_clean({}, {{"REQUIRE_API_KEY", "true"}, {"API_KEY", "   "}});
  expect_error_naming(blank, "API_KEY");
}

TEST(LoadConfig, RequireApiKeyWithKeyIsAccepted) {
  auto out = run_clean({"--require-api-key=true", "--api-key", "s3cret"});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_TRUE(out.cfg->require_api_key);
  EXPECT_EQ(out.cfg->api_key, "s3cret");
}

// --- DEFAULT_STREAMERS
// -------------------------------------------------------------------

TEST(LoadConfig, DefaultStreamersSplitTrimLowercaseDedupe) {
  auto out = run_clean(
      {}, {{"DEFAULT_STREAMERS", " Shroud, ninja ,,POKIMANE,shroud, Ninja ,xqc,"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->default_streamers,
            (std::vector<std::string>{"shroud", "ninja", "pokimane", "xqc"}));
}

TEST(LoadConfig, DefaultStreamersEmptyOrOnlySeparators) {
  auto empty = run_clean({}, {{"DEFAULT_STREAMERS", ""}});
  ASSERT_TRUE(empty.cfg.has_value()) << empty.message;
  EXPECT_TRUE(empty.cfg->default_streamers.empty());
  auto commas = run_clean({}, {{"DEFAULT_STREAMERS", " , ,, "}});
  ASSERT_TRUE(commas.cfg.has_value()) << commas.message;
  EXPECT_TRUE(commas.cfg->default_streamers.empty());
}

TEST(LoadConfig, DefaultStreamersInvalidLoginIsAnError) {
  const std::string too_long(26, 'a');
  for (const std::string& bad :
       {std::string("good,bad-name"), std::string("_under"), std::string("a b"),
        std::string("ok,caf\xc3\xa9"), too_long}) {
    SCOPED_TRACE(bad);
    expect_error_naming(run_clean({}, {{"DEFAULT_STREAMERS", bad}}), "DEFAULT_STREAMERS");
  }
}

TEST(LoadConfig, DefaultStreamersFlagReplacesEnvironment) {
  auto out = run_clean({"--default-streamers=one"}, {{"DEFAULT_STREAMERS", "two,three"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->default_streamers, (std::vector<std::string>{"one"}));
}

// --- secrets stay out of other messages
// --------------------------------------------------

TEST(LoadConfig, SecretsNeverAppearInOtherVariablesErrors) {
  const std::string api_key = "API-KEY-VALUE-0123456789";
  const std::string webhook = "WEBHOOK-SECRET-VALUE-987";
  const std::string client_secret = "CLIENT-SECRET-VALUE-555";
  std::map<std::string, std::string> secrets{{"API_KEY", api_key},
                                             {"WEBHOOK_SECRET", webhook},
                                             {"TWITCH_CLIENT_SECRET", client_secret},
                                             {"REQUIRE_API_KEY", "true"}};
  const std::pair<const char*, const char*> bad_values[] = {
      {"PORT", "nope"},
      {"STORAGE_TYPE", "sqlite"},
      {"LOG_LEVEL", "loud"},
      {"LOG_FORMAT", "xml"},
      {"REFRESH_INTERVAL", "1"},
      {"TWITCH_API_URL", "nope"},
      {"TWITCH_AUTH_URL", "nope"},
      {"DEFAULT_STREAMERS", "bad-name"},
      {"HOST", ""},
  };
  for (auto [name, value] : bad_values) {
    SCOPED_TRACE(name);
    auto vars = secrets;
    vars[name] = value;
    auto out = run_clean({}, vars);
    expect_error_naming(out, name);
    EXPECT_FALSE(contains(out.message, api_key)) << out.message;
    EXPECT_FALSE(contains(out.message, webhook)) << out.message;
    EXPECT_FALSE(contains(out.message, client_secret)) << out.message;
  }
}

TEST(LoadConfig, SecretsNeverAppearInUnknownFlagErrors) {
  auto out = run_clean({"--bogus"}, {{"API_KEY", "API-KEY-VALUE-0123456789"}});
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_FALSE(contains(out.message, "API-KEY-VALUE-0123456789"));
}

TEST(LoadConfig, RequireApiKeyErrorDoesNotLeakOtherSecrets) {
  auto out = run_clean({}, {{"REQUIRE_API_KEY", "true"},
                            {"WEBHOOK_SECRET", "WEBHOOK-SECRET-VALUE-987"},
                            {"TWITCH_CLIENT_SECRET", "CLIENT-SECRET-VALUE-555"}});
  expect_error_naming(out, "API_KEY");
  EXPECT_FALSE(contains(out.message, "WEBHOOK-SECRET-VALUE-987"));
  EXPECT_FALSE(contains(out.message, "CLIENT-SECRET-VALUE-555"));
}

// --- webhook_secret_problem
// --------------------------------------------------------------

config with_secret(std::string secret) {
  config c;
  c.webhook_secret = std::move(secret);
  return c;
}

void expect_secret_problem(const std::string& secret) {
  auto p = with_secret(secret).webhook_secret_problem();
  EXPECT_FALSE(p.empty()) << "accepted: '" << secret << "'";
  EXPECT_TRUE(contains(p, "WEBHOOK_SECRET")) << p;
}

TEST(WebhookSecretProblem, Empty) {
  expect_secret_problem("");
}

TEST(WebhookSecretProblem, Placeholder) {
  expect_secret_problem(webhook_secret_placeholder);
  EXPECT_EQ(std::string(webhook_secret_placeholder), "change-me-to-a-random-secret");
}

TEST(WebhookSecretProblem, Length) {
  expect_secret_problem(std::string(9, 'a'));
  expect_secret_problem(std::string(101, 'a'));
  EXPECT_EQ(with_secret(std::string(10, 'a')).webhook_secret_problem(), "");
  EXPECT_EQ(with_secret(std::string(100, 'a')).webhook_secret_problem(), "");
  EXPECT_EQ(with_secret("secretabcd").webhook_secret_problem(), "");
  EXPECT_EQ(with_secret("testsecret123").webhook_secret_problem(), "");
}

TEST(WebhookSecretProblem, NonAscii) {
  expect_secret_problem("secret-\xc3\xa9-long-enough");
  expect_secret_problem("0123456789\xff");
  expect_secret_problem("0123456789\n");
  expect_secret_problem(
      std::string("01234\0"
                  "56789",
                  11));
}

TEST(WebhookSecretProblem, ProblemNeverEchoesTheSecret) {
  const std::string secret = "short-sec";  // 9 chars
  auto p = with_secret(secret).webhook_secret_problem();
  ASSERT_FALSE(p.empty());
  EXPECT_FALSE(contains(p, secret)) << p;
}

TEST(WebhookSecretProblem, PrintableAsciiPunctuationIsFine) {
  EXPECT_EQ(with_secret("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ").webhook_secret_problem(),
            "");
}

TEST(WebhookSecretProblem, SecretFromEnvironmentIsKeptByteExact) {
  auto out = run_clean({}, {{"WEBHOOK_SECRET", "0123 45-6789"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->webhook_secret, "0123 45-6789");
  EXPECT_EQ(out.cfg->webhook_secret_problem(), "");
}

// --- twitch_credentials_problem
// ----------------------------------------------------------

TEST(TwitchCredentialsProblem, NamesTheMissingVariables) {
  config c;
  auto both = c.twitch_credentials_problem();
  EXPECT_TRUE(contains(both, "TWITCH_CLIENT_ID")) << both;
  EXPECT_TRUE(contains(both, "TWITCH_CLIENT_SECRET")) << both;

  c.twitch_client_id = "id";
  auto secret_only = c.twitch_credentials_problem();
  EXPECT_TRUE(contains(secret_only, "TWITCH_CLIENT_SECRET")) << secret_only;
  EXPECT_FALSE(contains(secret_only, "TWITCH_CLIENT_ID")) << secret_only;

  c.twitch_client_id.clear();
  c.twitch_client_secret = "secret";
  auto id_only = c.twitch_credentials_problem();
  EXPECT_TRUE(contains(id_only, "TWITCH_CLIENT_ID")) << id_only;
  EXPECT_FALSE(contains(id_only, "TWITCH_CLIENT_SECRET")) << id_only;

  c.twitch_client_id = "id";
  EXPECT_EQ(c.twitch_credentials_problem(), "");
}

TEST(TwitchCredentialsProblem, WhitespaceOnlyFromEnvironmentCountsAsMissing) {
  auto out = run_clean({}, {{"TWITCH_CLIENT_ID", "  "}, {"TWITCH_CLIENT_SECRET", "x"}});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_TRUE(contains(out.cfg->twitch_credentials_problem(), "TWITCH_CLIENT_ID"));
}

// --- parse_dotenv
// ------------------------------------------------------------------------

using kv = std::vector<std::pair<std::string, std::string>>;

TEST(ParseDotenv, KeyValueLines) {
  EXPECT_EQ(parse_dotenv("A=1\nB=two\n"), (kv{{"A", "1"}, {"B", "two"}}));
  EXPECT_EQ(parse_dotenv("A=1"), (kv{{"A", "1"}}));  // no final newline
}

TEST(ParseDotenv, CommentsAndBlankLines) {
  EXPECT_EQ(parse_dotenv("# comment\n\n   \n  # indented comment\nA=1\n#B=2\n"),
            (kv{{"A", "1"}}));
}

TEST(ParseDotenv, ExportPrefix) {
  EXPECT_EQ(parse_dotenv("export A=1\nexport   B = 2\n"), (kv{{"A", "1"}, {"B", "2"}}));
}

TEST(ParseDotenv, Quotes) {
  EXPECT_EQ(parse_dotenv("A=\"hello world\"\nB='single # not comment'\nC=\"\"\n"),
            (kv{{"A", "hello world"}, {"B", "single # not comment"}, {"C", ""}}));
}

TEST(ParseDotenv, MismatchedQuotesAreKept) {
  EXPECT_EQ(parse_dotenv("A=\"abc'\n"), (kv{{"A", "\"abc'"}}));
  EXPECT_EQ(parse_dotenv("A=\"\n"), (kv{{"A", "\""}}));
}

TEST(ParseDotenv, CrLfLineEndings) {
  EXPECT_EQ(parse_dotenv("A=1\r\nB=\"q\"\r\n# c\r\nC=3\r\n"),
            (kv{{"A", "1"}, {"B", "q"}, {"C", "3"}}));
}

TEST(ParseDotenv, InlineCommentOnUnquotedValue) {
  EXPECT_EQ(parse_dotenv("PORT=8000 # the port\nHOST=0.0.0.0   #listen\n"),
            (kv{{"PORT", "8000"}, {"HOST", "0.0.0.0"}}));
}

TEST(ParseDotenv, HashWithoutSpaceIsPartOfTheValue) {
  EXPECT_EQ(parse_dotenv("SECRET=abc#def\n"), (kv{{"SECRET", "abc#def"}}));
}

TEST(ParseDotenv, InlineCommentAfterQuotedValue) {
  // A quoted value followed by a comment: the quotes delimit the value.
  EXPECT_EQ(parse_dotenv("A=\"x y\" # note\n"), (kv{{"A", "x y"}}));
}

TEST(ParseDotenv, SpacesAroundKeyAndValue) {
  EXPECT_EQ(parse_dotenv("  A  =  spaced value  \n"), (kv{{"A", "spaced value"}}));
}

TEST(ParseDotenv, ValueMayContainEquals) {
  EXPECT_EQ(parse_dotenv("URL=redis://u:p@h:1/0?x=y\n"),
            (kv{{"URL", "redis://u:p@h:1/0?x=y"}}));
}

TEST(ParseDotenv, EmptyValueAndLinesWithoutEquals) {
  EXPECT_EQ(parse_dotenv("A=\nnot a pair\n=orphan\nB=2\n"), (kv{{"A", ""}, {"B", "2"}}));
}

TEST(ParseDotenv, EmptyText) {
  EXPECT_TRUE(parse_dotenv("").empty());
}

TEST(LoadConfig, DotEnvWithQuotesCommentsExportAndCrLf) {
  temp_file env(
      "# eventsubd\r\n"
      "export PORT=7100\r\n"
      "WEBHOOK_SECRET=\"a quoted secret #1\"\r\n"
      "LOG_LEVEL=debug # inline\r\n"
      "DEFAULT_STREAMERS='Alpha, beta'\r\n");
  auto out = run({"--env-file", env.path()});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7100);
  EXPECT_EQ(out.cfg->webhook_secret, "a quoted secret #1");
  EXPECT_EQ(out.cfg->log_level, "debug");
  EXPECT_EQ(out.cfg->default_streamers, (std::vector<std::string>{"alpha", "beta"}));
}

}  // namespace
}  // namespace eventsubd

// load_config: which values each setting takes, and the errors naming the one to fix.
#include "core/config.hpp"
#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

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

}  // namespace
}  // namespace eventsubd::testing

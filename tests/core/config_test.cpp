// load_config: defaults, where values come from and in which order, the flags.
#include "core/config.hpp"

#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

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

}  // namespace
}  // namespace eventsubd::testing

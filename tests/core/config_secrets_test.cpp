// Secrets in configuration messages, and the checks of the webhook secret and the Twitch
// credentials.
#include "core/config.hpp"
#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

namespace eventsubd::testing {
namespace {

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

}  // namespace
}  // namespace eventsubd::testing

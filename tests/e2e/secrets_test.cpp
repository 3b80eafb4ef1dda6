// No secret leaves the process: not in the log (at the most verbose level), not in any
// answer (errors included), not in /metrics. The secrets: WEBHOOK_SECRET,
// TWITCH_CLIENT_SECRET, API_KEY, the password in REDIS_URL, and every app access token
// Twitch issued.
#include "tests/common/fake_twitch.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

const std::string api_key = "api-key-SECRET-4f1c2b7e9d0a";
const std::string redis_password = "redis-pass-SECRET-8a7b6c5d";

/// Everything a client saw: status line, headers and body of each answer.
struct transcript {
  std::string text;
  http_reply add(http_reply r) {
    text += std::to_string(r.status) + "\n";
    for (const auto& [k, v] : r.headers) text += k + ": " + v + "\n";
    text += r.body + "\n";
    return r;
  }
};

void expect_no_secret(const std::string& where, const std::string& text,
                      const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets)
    EXPECT_EQ(text.find(secret), std::string::npos)
        << "a secret (" << secret.substr(0, 6) << "...) appears in " << where;
}

TEST(secrets_e2e, no_secret_in_logs_answers_or_metrics) {
  fake_twitch fake;
  fake.add_standard_users();
  auto port = free_port();
  server_process server{
      {{"PORT", std::to_string(port)},
       {"LOG_LEVEL", "trace"},
       {"TWITCH_CLIENT_ID", fake.client_id()},
       {"TWITCH_CLIENT_SECRET", fake.client_secret()},
       {"TWITCH_API_URL", fake.api_url()},
       {"TWITCH_AUTH_URL", fake.auth_url()},
       {"WEBHOOK_SECRET", e2e_secret},
       {"WEBHOOK_URL", "http://127.0.0.1:" + std::to_string(port) + "/webhooks/eventsub"},
       {"REQUIRE_API_KEY", "true"},
       {"API_KEY", api_key}}};
  const header_map key{{"Authorization", "Bearer " + api_key}};
  transcript seen;
  // The API key: missing, wrong, right.
  EXPECT_EQ(seen.add(http_once(port, "GET", "/streamers")).status, 401);
  seen.add(http_once(port, "GET", "/streamers", "", {{"Authorization", "Bearer nope"}}));
  EXPECT_EQ(seen.add(http_once(port, "GET", "/streamers", "", key)).status, 200);
  // Twitch work: add (token, users, subscriptions with the webhook secret), a lookup
  // after the tokens were revoked (a new token), an unknown user, a Twitch failure.
  EXPECT_EQ(seen.add(http_once(port, "POST", "/streamers/shroud", "", key)).status, 200);
  fake.revoke_tokens();
  EXPECT_EQ(seen.add(http_once(port, "GET", "/streamers/ninja/status", "", key)).status,
            200);
  seen.add(http_once(port, "POST", "/streamers/nosuchuser", "", key));
  fake.fail_next(10, 500, "/helix/users");
  seen.add(http_once(port, "GET", "/streamers/pokimane/status", "", key));
  // Webhooks: accepted, bad signature, a challenge.
  auto body = online_body("1001", "shroud", "s-secret", twitch_timestamp(-1s));
  EXPECT_EQ(seen.add(post_signed(port, body)).status, 200);
  auto headers = eventsub_headers("not-the-secret", body, "notification", unique_id(),
                                  twitch_timestamp());
  EXPECT_EQ(seen.add(http_once(port, "POST", "/webhooks/eventsub", body, headers)).status,
            403);
  seen.add(http_once(port, "GET", "/metrics", "", key));
  EXPECT_EQ(seen.add(http_once(port, "DELETE", "/streamers/shroud", "", key)).status,
            200);
  ASSERT_EQ(fake.tokens_issued(), 2);  // the first, and its one replacement

  // A second server with Redis configured, password included, and unreachable: the
  // outage is logged with the address, never the password.
  server_process redis_down{
      {{"STORAGE_TYPE", "redis"},
       {"REDIS_URL", "redis://:" + redis_password + "@127.0.0.1:1/0"},
       {"LOG_LEVEL", "trace"}}};
  seen.add(http_once(redis_down.port(), "GET", "/health"));
  EXPECT_TRUE(redis_down.wait_for_log("cannot connect to Redis"));

  std::vector<std::string> secrets{e2e_secret, fake.client_secret(), api_key,
                                   redis_password};
  for (const auto& token : fake.token_values()) secrets.push_back(token);
  server.terminate();
  redis_down.terminate();
  expect_no_secret("the log", server.log(), secrets);
  expect_no_secret("the Redis server's log", redis_down.log(), secrets);
  expect_no_secret("the answers", seen.text, secrets);
}

}  // namespace
}  // namespace eventsubd::testing

// helix_client against the fake Twitch over real loopback HTTP.
#include "twitch/helix_client.hpp"

#include "tests/common/fake_twitch.hpp"

#include <gtest/gtest.h>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;
using testing::fake_twitch;

class helix_client_test : public ::testing::Test {
 protected:
  fake_twitch fake;
  helix_client make(std::chrono::milliseconds timeout = 2s) {
    helix_config cfg;
    cfg.client_id = fake.client_id();
    cfg.client_secret = fake.client_secret();
    cfg.api = *parse_base_url(fake.api_url());
    cfg.auth = *parse_base_url(fake.auth_url());
    cfg.timeout = timeout;
    cfg.backoff = 10ms;
    return helix_client(cfg, [] { return false; });
  }
  void SetUp() override {
    for (int i = 0; i < 250; ++i)
      fake.add_user({std::to_string(100 + i), "user" + std::to_string(i),
                     "User" + std::to_string(i)});
  }
};

TEST_F(helix_client_test, users_are_fetched_in_batches_of_100) {
  auto helix = make();
  std::vector<std::string> logins;
  for (int i = 0; i < 250; ++i) logins.push_back("user" + std::to_string(i));
  logins.push_back("nobody");
  std::vector<twitch_user> users;
  ASSERT_FALSE(helix.get_users(logins, users));
  EXPECT_EQ(users.size(), 250u);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 3);
  EXPECT_EQ(fake.tokens_issued(), 1);
  for (auto& r : fake.requests())
    if (r.path == "/helix/users") {
      EXPECT_EQ(r.client_id, fake.client_id());
      EXPECT_EQ(r.authorization.rfind("Bearer ", 0), 0u);
    }
}

TEST_F(helix_client_test, users_by_id_and_login_share_the_100_per_call) {
  auto helix = make();
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(std::to_string(100 + i));
  std::vector<twitch_user> users;
  ASSERT_FALSE(helix.get_users({"user200", "user201"}, users, ids));
  EXPECT_EQ(users.size(), 152u);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 2);
}

TEST_F(helix_client_test, streams_use_first_100_and_follow_cursors) {
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) {
    ids.push_back(std::to_string(100 + i));
    if (i % 2 == 0)
      fake.set_live({"", std::to_string(100 + i), "", "", "1", "Game", "t", i, "", {}});
  }
  auto helix = make();
  std::vector<twitch_stream> streams;
  ASSERT_FALSE(helix.get_streams(ids, streams));
  EXPECT_EQ(streams.size(), 125u);
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), 3);
  for (auto& s : streams) EXPECT_FALSE(s.raw.empty());
}

TEST_F(helix_client_test, query_values_are_url_encoded) {
  auto helix = make();
  std::vector<twitch_user> users;
  ASSERT_FALSE(helix.get_users({"a&id=100"}, users));
  EXPECT_TRUE(users.empty());  // not an injected id=100 parameter
  auto reqs = fake.requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().query, "login=a%26id%3D100");
  EXPECT_EQ(url_encode("a b/c?d=e&f~g"), "a%20b%2Fc%3Fd%3De%26f~g");
}

TEST_F(helix_client_test, server_errors_are_retried_then_reported) {
  auto helix = make();
  std::vector<twitch_user> users;
  fake.fail_next(2, 500, "/helix/users");
  ASSERT_FALSE(helix.get_users({"user1"}, users));
  EXPECT_EQ(users.size(), 1u);
  fake.fail_next(10, 503, "/helix/users");
  auto e = helix.get_users({"user1"}, users);
  EXPECT_EQ(e.code, errc::upstream_error);
  EXPECT_NE(e.detail.find("503"), std::string::npos);
  EXPECT_GE(helix.stats().retries, 5);
}

TEST_F(helix_client_test, rate_limit_429_waits_for_reset) {
  auto helix = make();
  std::vector<twitch_user> users;
  fake.fail_next(1, 429, "/helix/users", 1);
  auto started = std::chrono::steady_clock::now();
  ASSERT_FALSE(helix.get_users({"user1"}, users));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms);
  EXPECT_EQ(helix.stats().rate_limited, 1);
}

TEST_F(helix_client_test, a_revoked_token_is_replaced_once) {
  auto helix = make();
  std::vector<twitch_user> users;
  ASSERT_FALSE(helix.get_users({"user1"}, users));
  fake.revoke_tokens();
  ASSERT_FALSE(helix.get_users({"user2"}, users));
  EXPECT_EQ(fake.tokens_issued(), 2);
  EXPECT_FALSE(helix.validate());
  fake.revoke_tokens();
  EXPECT_FALSE(helix.validate());  // invalid at /validate: a new one is fetched
  EXPECT_EQ(fake.tokens_issued(), 3);
}

TEST_F(helix_client_test, wrong_credentials_name_the_variables) {
  helix_config cfg;
  cfg.client_id = fake.client_id();
  cfg.client_secret = "wrong";
  cfg.api = *parse_base_url(fake.api_url());
  cfg.auth = *parse_base_url(fake.auth_url());
  helix_client helix(cfg, [] { return false; });
  std::vector<twitch_user> users;
  auto e = helix.get_users({"user1"}, users);
  EXPECT_EQ(e.code, errc::upstream_error);
  EXPECT_NE(e.detail.find("TWITCH_CLIENT_SECRET"), std::string::npos);
}

TEST_F(helix_client_test, garbage_and_timeouts_are_errors) {
  auto helix = make(300ms);
  std::vector<twitch_user> users;
  ASSERT_FALSE(helix.get_users({"user1"}, users));  // token fetched
  fake.garbage_next(1, "/helix/users");
  EXPECT_EQ(helix.get_users({"user1"}, users).code, errc::upstream_error);
  fake.delay_next(4, 1000ms, "/helix/users");
  EXPECT_EQ(helix.get_users({"user1"}, users).code, errc::upstream_timeout);
}

TEST_F(helix_client_test, unreachable_twitch_is_unavailable) {
  helix_config cfg;
  cfg.client_id = "x";
  cfg.client_secret = "y";
  cfg.api = *parse_base_url("http://127.0.0.1:1/helix");
  cfg.auth = *parse_base_url("http://127.0.0.1:1/oauth2");
  cfg.backoff = 1ms;
  helix_client helix(cfg, [] { return false; });
  std::vector<twitch_user> users;
  EXPECT_EQ(helix.get_users({"a"}, users).code, errc::unavailable);
}

TEST_F(helix_client_test, subscriptions_create_409_adopt_list_pages_and_delete) {
  fake.set_verify_callbacks(false);
  fake.set_subscription_page_size(2);
  auto helix = make();
  const std::string cb = "https://example.com/webhooks/eventsub";
  twitch_subscription sub;
  bool adopted = true;
  ASSERT_FALSE(helix.create_subscription("stream.online", "100", cb, "secret-1234567",
                                         sub, adopted));
  EXPECT_FALSE(adopted);
  EXPECT_EQ(sub.type, "stream.online");
  EXPECT_EQ(sub.broadcaster_user_id, "100");
  twitch_subscription again;
  ASSERT_FALSE(helix.create_subscription("stream.online", "100", cb, "secret-1234567",
                                         again, adopted));
  EXPECT_TRUE(adopted);
  EXPECT_EQ(again.id, sub.id);
  for (int i = 1; i < 5; ++i)
    ASSERT_FALSE(helix.create_subscription("stream.offline", std::to_string(100 + i), cb,
                                           "secret-1234567", again, adopted));
  std::vector<twitch_subscription> all;
  ASSERT_FALSE(helix.list_subscriptions(all));
  EXPECT_EQ(all.size(), 5u);
  EXPECT_GE(fake.calls("GET", "/helix/eventsub/subscriptions"), 3);
  bool existed = false;
  ASSERT_FALSE(helix.delete_subscription(sub.id, existed));
  EXPECT_TRUE(existed);
  ASSERT_FALSE(helix.delete_subscription(sub.id, existed));
  EXPECT_FALSE(existed);
  EXPECT_EQ(fake.subscriptions().size(), 4u);
}

TEST(base_url_test, parses_schemes_ports_and_paths) {
  auto a = parse_base_url("https://api.twitch.tv/helix/");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.twitch.tv");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->path, "/helix");
  auto b = parse_base_url("http://127.0.0.1:8080/mock");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->origin(), "http://127.0.0.1:8080");
  EXPECT_FALSE(parse_base_url("ftp://x"));
  EXPECT_FALSE(parse_base_url("http://"));
  EXPECT_FALSE(parse_base_url("http://host:99999/"));
  EXPECT_FALSE(parse_base_url("http://user@host/"));
}

}  // namespace
}  // namespace eventsubd::twitch

// helix_client against the fake Twitch over real loopback HTTP.
#include "twitch/helix_client.hpp"

#include "tests/common/fake_twitch.hpp"

#include <gtest/gtest.h>

#include <future>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;
using testing::fake_twitch;

class helix_client_test : public ::testing::Test {
 protected:
  fake_twitch fake;
  // What the workers of one process share.
  std::shared_ptr<app_token> token = std::make_shared<app_token>();
  std::shared_ptr<rate_budget> budget = std::make_shared<rate_budget>();

  helix_config config(std::chrono::milliseconds timeout = 2s) {
    helix_config cfg;
    cfg.client_id = fake.client_id();
    cfg.client_secret = fake.client_secret();
    cfg.api = *parse_base_url(fake.api_url());
    cfg.auth = *parse_base_url(fake.auth_url());
    cfg.timeout = timeout;
    cfg.backoff = 10ms;
    return cfg;
  }
  helix_client make(std::chrono::milliseconds timeout = 2s,
                    work_class cls = work_class::interactive,
                    std::function<bool()> cancelled = {}) {
    return helix_client(config(timeout), token, budget, cls, std::move(cancelled));
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
  auto users = helix.get_users(logins);
  ASSERT_TRUE(users) << users.error().detail;
  EXPECT_EQ(users->size(), 250u);
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
  auto users = helix.get_users({"user200", "user201"}, ids);
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 152u);
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
  auto streams = helix.get_streams(ids);
  ASSERT_TRUE(streams);
  EXPECT_EQ(streams->size(), 125u);
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), 3);
  for (auto& s : *streams) EXPECT_FALSE(s.raw.empty());
}

TEST_F(helix_client_test, query_values_are_url_encoded) {
  auto helix = make();
  auto users = helix.get_users({"a&id=100"});
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->empty());  // not an injected id=100 parameter
  auto reqs = fake.requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().query, "login=a%26id%3D100");
  EXPECT_EQ(url_encode("a b/c?d=e&f~g"), "a%20b%2Fc%3Fd%3De%26f~g");
}

TEST_F(helix_client_test, server_errors_are_retried_then_reported) {
  auto helix = make();
  fake.fail_next(2, 500, "/helix/users");
  auto users = helix.get_users({"user1"});
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 1u);
  fake.fail_next(10, 503, "/helix/users");
  auto e = helix.get_users({"user1"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::upstream_error);
  EXPECT_NE(e.error().detail.find("503"), std::string::npos);
  EXPECT_GE(helix.stats().retries, 5);
}

TEST_F(helix_client_test, rate_limit_429_waits_for_reset) {
  auto helix = make();
  fake.fail_next(1, 429, "/helix/users", 1);
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(helix.get_users({"user1"}));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms);
  EXPECT_EQ(helix.stats().rate_limited, 1);
  EXPECT_EQ(budget->snapshot().rate_limited, 1);
  // The answers' headers feed the shared budget.
  auto s = budget->snapshot();
  EXPECT_EQ(s.limit, 800);
  EXPECT_GT(s.remaining, 700);
  EXPECT_GT(s.reset_unix_s, 0);
}

TEST_F(helix_client_test, a_429_wait_is_bounded_by_the_budgets_max_wait) {
  rate_budget_config bc;
  bc.max_wait = 300ms;
  budget = std::make_shared<rate_budget>(bc);
  auto helix = make();
  fake.fail_next(1, 429, "/helix/users", 3600);  // a reset an hour away
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(helix.get_users({"user1"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 2);
}

TEST_F(helix_client_test, rate_limit_exhausted_is_503_with_the_time_to_the_reset) {
  auto cfg = config();
  cfg.max_attempts = 2;
  helix_client helix(cfg, token, budget, work_class::bulk, {});
  fake.fail_next(2, 429, "/helix/users", 1);
  auto e = helix.get_users({"user1"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::unavailable);
  EXPECT_NE(e.error().detail.find("rate limit"), std::string::npos);
  EXPECT_GE(e.error().retry_after, 1s);
  EXPECT_LE(e.error().retry_after, 2s);
}

TEST_F(helix_client_test, a_revoked_token_is_replaced_once) {
  auto helix = make();
  ASSERT_TRUE(helix.get_users({"user1"}));
  fake.revoke_tokens();
  ASSERT_TRUE(helix.get_users({"user2"}));
  EXPECT_EQ(fake.tokens_issued(), 2);
  EXPECT_TRUE(helix.validate());
  fake.revoke_tokens();
  EXPECT_TRUE(helix.validate());  // invalid at /validate: a new one is fetched
  EXPECT_EQ(fake.tokens_issued(), 3);
  EXPECT_EQ(helix.stats().tokens_fetched, 3);
}

TEST_F(helix_client_test, workers_share_one_token_and_replace_it_once) {
  // Four workers of every class, each with its own client, on threads of their own.
  std::vector<std::unique_ptr<helix_client>> clients;
  for (auto cls :
       {work_class::interactive, work_class::lookup, work_class::bulk, work_class::bulk})
    clients.push_back(
        std::make_unique<helix_client>(config(), token, budget, cls, nullptr));
  auto run_all = [&](const std::string& login) {
    std::vector<std::future<bool>> done;
    for (auto& c : clients)
      done.push_back(std::async(std::launch::async,
                                [&c, login] { return c->get_users({login}).ok(); }));
    for (auto& d : done) EXPECT_TRUE(d.get());
  };
  run_all("user1");
  EXPECT_EQ(fake.tokens_issued(), 1);  // one fetch, the others waited for it
  fake.revoke_tokens();
  run_all("user2");
  EXPECT_EQ(fake.tokens_issued(), 2);  // four 401s at most, one new token
  int64_t fetched = 0;
  for (auto& c : clients) fetched += c->stats().tokens_fetched;
  EXPECT_EQ(fetched, 2);
  EXPECT_EQ(token->current(), fake.token_values().back());
}

TEST_F(helix_client_test, cancelling_ends_a_slow_call_at_once) {
  auto helix = make();
  ASSERT_TRUE(helix.get_users({"user1"}));  // token fetched
  fake.delay_next(1, 10s, "/helix/users");
  auto cancel_at = std::chrono::steady_clock::now() + 300ms;
  auto slow = make(10s, work_class::lookup,
                   [&] { return std::chrono::steady_clock::now() >= cancel_at; });
  auto e = slow.get_users({"user1"});
  auto late = std::chrono::steady_clock::now() - cancel_at;
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::unavailable);
  EXPECT_EQ(e.error().detail, "cancelled");
  EXPECT_LT(late, 1500ms);  // ~50 ms; generous for a busy machine, far below 10 s
  // A cancelled client waits for no rate-limit reset either.
  budget->note_429(0);
  auto waited = slow.get_users({"user1"});
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().detail, "cancelled");
}

TEST_F(helix_client_test, wrong_credentials_name_the_variables) {
  helix_config cfg;
  cfg.client_id = fake.client_id();
  cfg.client_secret = "wrong";
  cfg.api = *parse_base_url(fake.api_url());
  cfg.auth = *parse_base_url(fake.auth_url());
  helix_client helix(cfg, token, budget, work_class::interactive, {});
  auto e = helix.get_users({"user1"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, errc::upstream_error);
  EXPECT_NE(e.error().detail.find("TWITCH_CLIENT_SECRET"), std::string::npos);
}

TEST_F(helix_client_test, garbage_and_timeouts_are_errors) {
  auto helix = make(300ms);
  ASSERT_TRUE(helix.get_users({"user1"}));  // token fetched
  fake.garbage_next(1, "/helix/users");
  EXPECT_EQ(helix.get_users({"user1"}).error().code, errc::upstream_error);
  fake.delay_next(4, 1000ms, "/helix/users");
  EXPECT_EQ(helix.get_users({"user1"}).error().code, errc::upstream_timeout);
}

TEST_F(helix_client_test, unreachable_twitch_is_unavailable) {
  helix_config cfg;
  cfg.client_id = "x";
  cfg.client_secret = "y";
  cfg.api = *parse_base_url("http://127.0.0.1:1/helix");
  cfg.auth = *parse_base_url("http://127.0.0.1:1/oauth2");
  cfg.backoff = 1ms;
  helix_client helix(cfg, token, budget, work_class::interactive, {});
  EXPECT_EQ(helix.get_users({"a"}).error().code, errc::unavailable);
}

TEST_F(helix_client_test, subscriptions_create_409_adopt_list_pages_and_delete) {
  fake.set_verify_callbacks(false);
  fake.set_subscription_page_size(2);
  auto helix = make();
  const std::string cb = "https://example.com/webhooks/eventsub";
  auto sub = helix.create_subscription("stream.online", "100", cb, "secret-1234567");
  ASSERT_TRUE(sub);
  EXPECT_FALSE(sub->adopted);
  EXPECT_EQ(sub->subscription.type, "stream.online");
  EXPECT_EQ(sub->subscription.broadcaster_user_id, "100");
  auto again = helix.create_subscription("stream.online", "100", cb, "secret-1234567");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->adopted);
  EXPECT_EQ(again->subscription.id, sub->subscription.id);
  auto theirs = helix.create_subscription("stream.online", "100",
                                          "https://other.example/cb", "secret-1234567");
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, errc::conflict);
  for (int i = 1; i < 5; ++i)
    ASSERT_TRUE(helix.create_subscription("stream.offline", std::to_string(100 + i), cb,
                                          "secret-1234567"));
  auto all = helix.list_subscriptions();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 5u);
  EXPECT_GE(fake.calls("GET", "/helix/eventsub/subscriptions"), 3);
  auto deleted = helix.delete_subscription(sub->subscription.id);
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto gone = helix.delete_subscription(sub->subscription.id);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
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

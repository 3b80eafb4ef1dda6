// End to end: the REST API's contract (bodies, status codes, API key) on the real binary.
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class rest_e2e : public ::testing::Test {
 protected:
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  uint16_t port() const { return server.port(); }
};

TEST_F(rest_e2e, root_and_health) {
  auto root = http_once(port(), "GET", "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.header("content-type"), "application/json");
  EXPECT_EQ(std::string_view(json_doc(root.body).root["message"]),
            "Twitch EventSub REST API");
  auto health = http_once(port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"healthy","storage":"connected"})");
}

TEST_F(rest_e2e, unknown_route_is_404_with_the_contract_body) {
  for (const char* target :
       {"/nope", "/streamers/a/b/c", "/streamers/", "/events/1", "/health/x"}) {
    auto r = http_once(port(), "GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, R"({"detail":"Not Found"})") << target;
  }
}

TEST_F(rest_e2e, wrong_method_is_405_with_allow) {
  struct probe {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (auto p : {probe{"POST", "/health", "GET"}, probe{"DELETE", "/streamers", "GET"},
                 probe{"GET", "/webhooks/eventsub", "POST"},
                 probe{"PUT", "/streamers/abc", "POST, DELETE"},
                 probe{"POST", "/streamers/abc/status", "GET"}}) {
    auto r = http_once(port(), p.method, p.target);
    EXPECT_EQ(r.status, 405) << p.method << " " << p.target;
    EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");
    EXPECT_EQ(r.header("allow"), p.allow);
  }
}

TEST_F(rest_e2e, events_limit_is_validated) {
  for (const char* bad : {"0", "1001", "abc", "-1", "1.5", "", "99999999999"}) {
    auto r = http_once(port(), "GET", std::string("/events?limit=") + bad);
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_NE(r.body.find("limit"), std::string::npos);
  }
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(
        post_signed(port(),
                    online_body(std::to_string(2000 + i), "user" + std::to_string(i),
                                "s" + std::to_string(i), twitch_timestamp(-5s)))
            .status,
        200);
  auto one = json_doc(http_once(port(), "GET", "/events?limit=1").body);
  ASSERT_EQ(one.root["events"].get_array().value().size(), 1u);
  EXPECT_EQ(std::string_view(one.root["events"].at(0)["broadcaster_login"]),
            "user2");  // newest first
  EXPECT_EQ(event_count(port()), 3u);
  auto all = json_doc(http_once(port(), "GET", "/events?limit=1000&other=x").body);
  EXPECT_EQ(all.root["events"].get_array().value().size(), 3u);
}

TEST_F(rest_e2e, streamers_list_starts_empty) {
  auto r = http_once(port(), "GET", "/streamers");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[]");
}

TEST_F(rest_e2e, invalid_usernames_are_400_before_anything_else) {
  for (const char* bad : {"_under", "has-dash", "a%20b", "toolongtoolongtoolongtoolong",
                          "%2e%2e", "semi%3Bcolon", "x%ZZ"}) {
    for (const char* method : {"POST", "DELETE"}) {
      auto r = http_once(port(), method, std::string("/streamers/") + bad);
      EXPECT_EQ(r.status, 400) << method << " " << bad;
      EXPECT_NE(r.body.find("Invalid Twitch username"), std::string::npos) << r.body;
    }
    auto r = http_once(port(), "GET", std::string("/streamers/") + bad + "/status");
    EXPECT_EQ(r.status, 400) << bad;
  }
}

TEST_F(rest_e2e,
       without_twitch_credentials_twitch_endpoints_are_503_naming_the_variables) {
  // (DELETE of a streamer that is not monitored is 404 even so: twitch_disabled_e2e.)
  for (auto [method, target] : {std::pair{"POST", "/streamers/shroud"},
                                std::pair{"GET", "/streamers/shroud/status"}}) {
    auto r = http_once(port(), method, target);
    EXPECT_EQ(r.status, 503) << method << " " << target;
    EXPECT_NE(r.body.find("TWITCH_CLIENT_ID"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("TWITCH_CLIENT_SECRET"), std::string::npos) << r.body;
  }
}

TEST_F(rest_e2e, status_lookup_is_case_insensitive) {
  ASSERT_EQ(
      post_signed(port(), online_body("3001", "caseuser", "s1", twitch_timestamp(-5s)))
          .status,
      200);
  auto r = http_once(port(), "GET", "/streamers/CaseUser/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(std::string_view(json_doc(r.body).root["username"]), "caseuser");
}

TEST(api_key_e2e, protects_everything_but_root_health_and_webhook) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret},
                         {"REQUIRE_API_KEY", "true"},
                         {"API_KEY", "k3y-value"}}};
  auto port = server.port();
  for (const char* target :
       {"/streamers", "/streams/live", "/events", "/streamers/abc/status"}) {
    auto missing = http_once(port, "GET", target);
    EXPECT_EQ(missing.status, 401) << target;
    EXPECT_EQ(missing.header("www-authenticate"), "Bearer");
    EXPECT_NE(missing.body.find("detail"), std::string::npos);
    EXPECT_EQ(
        http_once(port, "GET", target, "", {{"Authorization", "Bearer wrong"}}).status,
        401);
    EXPECT_EQ(
        http_once(port, "GET", target, "", {{"Authorization", "Bearer k3y-valu"}}).status,
        401);
    EXPECT_EQ(
        http_once(port, "GET", target, "", {{"Authorization", "Basic k3y-value"}}).status,
        401);
    EXPECT_EQ(http_once(port, "GET", target, "", {{"Authorization", "k3y-value"}}).status,
              401);
  }
  EXPECT_EQ(http_once(port, "POST", "/streamers/abc").status, 401);
  EXPECT_EQ(http_once(port, "DELETE", "/streamers/abc").status, 401);
  EXPECT_EQ(
      http_once(port, "GET", "/streamers", "", {{"Authorization", "Bearer k3y-value"}})
          .status,
      200);
  EXPECT_EQ(
      http_once(port, "GET", "/streamers", "", {{"Authorization", "bearer k3y-value"}})
          .status,
      200);
  EXPECT_EQ(
      http_once(port, "GET", "/streams/live", "", {{"Authorization", "BEARER k3y-value"}})
          .status,
      200);
  EXPECT_EQ(http_once(port, "GET", "/").status, 200);
  EXPECT_EQ(http_once(port, "GET", "/health").status, 200);
  auto hook =
      post_signed(port, online_body("4001", "keyed", "s1", twitch_timestamp(-5s)));
  EXPECT_EQ(hook.status, 200);
  // Unknown routes stay 404 (routing comes first), wrong methods 405.
  EXPECT_EQ(http_once(port, "GET", "/nope").status, 404);
  EXPECT_EQ(http_once(port, "POST", "/streams/live").status, 405);
  EXPECT_EQ(server.log().find("k3y-value"), std::string::npos)
      << "the API key was logged";
}

TEST(api_key_e2e, public_reads_opens_every_read_and_no_write) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret},
                         {"REQUIRE_API_KEY", "true"},
                         {"API_KEY", "k3y-value"},
                         {"PUBLIC_READS", "true"}}};
  auto port = server.port();
  ASSERT_EQ(
      post_signed(port, online_body("4002", "openread", "s2", twitch_timestamp(-5s)))
          .status,
      200);
  for (const char* target :
       {"/streamers", "/streams/live", "/events?limit=5", "/streamers/openread/status"})
    EXPECT_EQ(http_once(port, "GET", target).status, 200) << target;
  // Writes, and /metrics (METRICS_PUBLIC decides it), still need the key.
  EXPECT_EQ(http_once(port, "POST", "/streamers/abc").status, 401);
  EXPECT_EQ(http_once(port, "DELETE", "/streamers/abc").status, 401);
  EXPECT_EQ(http_once(port, "GET", "/metrics").status, 401);
  EXPECT_NE(server.log().find("reads are public (PUBLIC_READS=true)"), std::string::npos);

  auto bad = server_process::start_only({{"PUBLIC_READS", "sometimes"}});
  ASSERT_EQ(bad.wait_exit(10s), 2);
  EXPECT_NE(bad.log().find("PUBLIC_READS must be true or false"), std::string::npos)
      << bad.log();
}

TEST(config_e2e, require_api_key_without_a_key_refuses_to_start) {
  auto server =
      server_process::start_only({{"REQUIRE_API_KEY", "true"}, {"API_KEY", ""}});
  auto code = server.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(server.log().find("API_KEY"), std::string::npos) << server.log();
}

TEST(config_e2e, invalid_values_refuse_to_start_naming_the_variable) {
  for (auto [name, value] :
       {std::pair{"PORT", "http"}, std::pair{"STORAGE_TYPE", "sqlite"},
        std::pair{"LOG_LEVEL", "loud"}, std::pair{"DEFAULT_STREAMERS", "ok,bad-name"}}) {
    auto server = server_process::start_only({{name, value}});
    auto code = server.wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(code.has_value()) << name;
    EXPECT_EQ(*code, 2) << name;
    EXPECT_NE(server.log().find(name), std::string::npos) << server.log();
  }
}

TEST(config_e2e, help_lists_every_variable) {
  auto server = server_process::start_only({}, {"--help"});
  ASSERT_EQ(server.wait_exit(std::chrono::seconds(10)), 0);
  auto text = server.log();
  for (const char* name :
       {"TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET", "WEBHOOK_SECRET", "WEBHOOK_URL",
        "STORAGE_TYPE", "REDIS_URL", "DEFAULT_STREAMERS", "REQUIRE_API_KEY", "API_KEY",
        "HOST", "PORT", "TWITCH_API_URL", "TWITCH_AUTH_URL", "REFRESH_INTERVAL",
        "LOG_LEVEL"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
}

TEST(config_e2e, secrets_are_never_logged) {
  server_process server{{{"WEBHOOK_SECRET", "super-secret-webhook-value"},
                         {"TWITCH_CLIENT_SECRET", "super-secret-client-value"},
                         {"TWITCH_CLIENT_ID", "clientid123"}}};
  http_once(server.port(), "GET", "/health");
  ASSERT_TRUE(server.terminate().has_value());
  auto log = server.log();
  EXPECT_EQ(log.find("super-secret-webhook-value"), std::string::npos);
  EXPECT_EQ(log.find("super-secret-client-value"), std::string::npos);
  EXPECT_NE(log.find("webhook: enabled"), std::string::npos) << log;
}

}  // namespace
}  // namespace eventsubd::testing

// The API description (http/openapi.json) kept honest: the validator it is checked with
// is tested in openapi_validator_test.cpp and the document linted in
// openapi_document_test.cpp; here the real server (memory storage, the fake Twitch, the
// API key required) is driven through every documented operation and every status we
// can provoke. Each request is checked against the document (parameters, headers, body)
// and each real answer too: its status must be documented for that path and method, its
// Content-Type one of the documented media types, its JSON body valid against the
// documented schema, its documented headers present. Finally every documented operation
// must have been exercised, and every documented status seen, except the few listed with
// the reason they cannot be.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/fixtures.hpp"
#include "tests/common/openapi_validator.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/openapi_e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

/// GET /openapi.json, /docs and /metrics: served by the lead's static and metrics code
/// and tested in depth in docs_page_test.cpp and metrics_test.cpp; here each has its own
/// test below (skipped, naming the route, while the server does not serve it), so the
/// main test does not require them.
const std::set<std::pair<std::string, std::string>> own_test_operations{
    {"GET", "/openapi.json"}, {"GET", "/docs"}, {"GET", "/metrics"}};

/// Documented statuses the main test cannot provoke, and why.
const std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>>
    unprovoked{
        {{"POST", "/streamers/{username}"},
         {{"504", "needs Twitch silent past the 10 s timeout on each of 4 attempts"}}},
        {{"GET", "/streamers/{username}/status"},
         {{"504", "needs Twitch silent past the 30 s lookup timeout"}}},
    };

class openapi_e2e : public ::testing::Test {
 protected:
  openapi_validator doc{read_document()};
  contract_checker contract{doc};
  fake_twitch fake;
  uint16_t port_ = free_port();
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }

  /// The server with everything enabled: memory storage, the fake Twitch, the webhook
  /// secret, and the API key required.
  void start_full() {
    server = std::make_unique<server_process>(std::map<std::string, std::string>{
        {"PORT", std::to_string(port_)},
        {"TWITCH_CLIENT_ID", fake.client_id()},
        {"TWITCH_CLIENT_SECRET", fake.client_secret()},
        {"TWITCH_API_URL", fake.api_url()},
        {"TWITCH_AUTH_URL", fake.auth_url()},
        {"WEBHOOK_SECRET", e2e_secret},
        {"WEBHOOK_URL",
         "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub"},
        {"REQUIRE_API_KEY", "true"},
        {"API_KEY", api_key}});
    // /health says "starting" (503, documented) until the start-up round is over.
    ASSERT_TRUE(
        eventually([&] { return http_once(port(), "GET", "/health").status == 200; },
                   std::chrono::seconds(30)));
  }

  /// A server with only the API key: for the static routes.
  static server_process plain_server() {
    return server_process{{{"REQUIRE_API_KEY", "true"}, {"API_KEY", api_key}}};
  }

  uint16_t port() const { return server->port(); }

  http_reply webhook(uint16_t port, int expected, const std::string& body,
                     header_map headers, bool conforms = true) {
    return contract.call(port, "POST", "/webhooks/eventsub", expected, body,
                         {std::move(headers), false, conforms});
  }
  static header_map signed_headers(const std::string& body,
                                   const std::string& type = "notification",
                                   const std::string& id = unique_id(),
                                   const std::string& timestamp = twitch_timestamp()) {
    return eventsub_headers(e2e_secret, body, type, id, timestamp);
  }

  bool status_stored(const std::string& login) {
    auto r = http_once(port(), "GET", "/streamers/" + login + "/status", {},
                       {{"Authorization", std::string("Bearer ") + api_key}});
    return r.status == 200 && r.body.find(R"("source":"storage")") != std::string::npos;
  }
};

TEST_F(openapi_e2e, every_operation_answers_as_documented) {
  start_full();
  const auto p = port();

  // --- service
  auto root = contract.call(p, "GET", "/", 200, {}, {{}, false});
  EXPECT_NE(root.body.find("Twitch EventSub REST API"), std::string::npos);
  contract.call(p, "GET", "/health", 200, {}, {{}, false});
  contract.call(p, "GET", "/health", 200);

  // --- streamers
  EXPECT_EQ(contract.call(p, "GET", "/streamers", 200).body, "[]");
  EXPECT_EQ(contract.call(p, "POST", "/streamers/Shroud", 200).body,
            R"({"message":"Added streamer: shroud"})");
  contract.call(p, "POST", "/streamers/ninja", 200);
  contract.call(p, "POST", "/streamers/%53hroud", 200);  // percent-encoded, idempotent
  contract.call(p, "POST", "/streamers/nobodyhere", 404);
  contract.call(p, "POST", "/streamers/-bad", 400, {}, {{}, true, false});
  contract.call(p, "POST", "/streamers/" + std::string(26, 'a'), 400, {},
                {{}, true, false});
  fake.fail_next(1, 400, "/users");
  contract.call(p, "POST", "/streamers/pokimane", 502);
  ASSERT_TRUE(eventually([&] {
    return status_stored("shroud") && status_stored("ninja");
  })) << server->log();
  auto list = contract.call(p, "GET", "/streamers", 200);
  EXPECT_NE(list.body.find(R"("offline_subscription_id")"), std::string::npos);

  // --- statuses: stored (live and offline), from Helix, unknown, invalid, Twitch error
  auto live = contract.call(p, "GET", "/streamers/shroud/status", 200);
  EXPECT_NE(live.body.find(R"("game_name":"VALORANT")"), std::string::npos) << live.body;
  auto offline = contract.call(p, "GET", "/streamers/%6Einja/status", 200);
  EXPECT_NE(offline.body.find(R"("stream_data":null)"), std::string::npos)
      << offline.body;
  auto helix = contract.call(p, "GET", "/streamers/pokimane/status", 200);
  EXPECT_NE(helix.body.find(R"("source":"twitch_api")"), std::string::npos) << helix.body;
  contract.call(p, "GET", "/streamers/nobodyhere/status", 404);
  contract.call(p, "GET", "/streamers/-bad/status", 400, {}, {{}, true, false});
  fake.fail_next(1, 400, "/users");
  contract.call(p, "GET", "/streamers/xqc/status", 502);
  auto lives = contract.call(p, "GET", "/streams/live", 200);
  EXPECT_NE(lives.body.find(R"("count":1)"), std::string::npos) << lives.body;

  // --- the webhook: every acknowledgement, the challenge, every refusal
  auto online = online_body("1002", "ninja", "s-n1", twitch_timestamp());
  auto online_id = unique_id();
  auto online_ts = twitch_timestamp();
  EXPECT_EQ(webhook(p, 200, online,
                    signed_headers(online, "notification", online_id, online_ts))
                .body,
            R"({"status":"success"})");
  EXPECT_EQ(webhook(p, 200, online,
                    signed_headers(online, "notification", online_id, online_ts))
                .body,
            R"({"status":"duplicate"})");
  auto off = offline_body("1002", "ninja");
  EXPECT_EQ(webhook(p, 200, off, signed_headers(off)).body, R"({"status":"success"})");
  // A late online of the stream that just ended (another message id): outdated.
  auto late = online_body("1002", "ninja", "s-n1", "2024-01-01T00:00:00Z");
  EXPECT_EQ(webhook(p, 200, late, signed_headers(late)).body, R"({"status":"outdated"})");
  const std::string follow =
      R"({"subscription":{"id":"sub-follow","type":"channel.follow","version":"2",)"
      R"("status":"enabled","cost":0,"condition":{"broadcaster_user_id":"1002"},)"
      R"("transport":{"method":"webhook","callback":"https://example.com/cb"},)"
      R"("created_at":"2024-01-01T00:00:00Z"},"event":{"user_id":"7","user_login":"fan",)"
      R"("user_name":"Fan","broadcaster_user_id":"1002","broadcaster_user_login":"ninja",)"
      R"("broadcaster_user_name":"Ninja","followed_at":"2024-01-01T00:00:00Z"}})";
  EXPECT_EQ(webhook(p, 200, follow, signed_headers(follow)).body,
            R"({"status":"ignored"})");
  auto challenge = fixture("verification.json");
  auto verified = webhook(p, 200, challenge,
                          signed_headers(challenge, "webhook_callback_verification"));
  EXPECT_EQ(verified.body, "pogchamp-kappa-360noscope-vohiyo");
  EXPECT_EQ(webhook(p, 200, challenge, signed_headers(challenge, "mystery")).body,
            R"({"status":"ignored"})");
  auto revocation = fixture("revocation.json");
  EXPECT_EQ(webhook(p, 200, revocation, signed_headers(revocation, "revocation")).body,
            R"({"status":"success"})");

  auto forged = signed_headers(off);
  forged["Twitch-Eventsub-Message-Signature"] = "sha256=" + std::string(64, '0');
  webhook(p, 403, off, forged);
  auto unsigned_headers = signed_headers(off);
  unsigned_headers.erase("Twitch-Eventsub-Message-Signature");
  webhook(p, 403, off, unsigned_headers, false);
  webhook(p, 403, off,
          signed_headers(off, "notification", unique_id(), twitch_timestamp(-11min)));
  webhook(p, 403, off, {}, false);  // no headers at all, no API key either: 403, not 401
  auto untyped = signed_headers(off);
  untyped.erase("Twitch-Eventsub-Message-Type");
  webhook(p, 400, off, untyped, false);
  for (const auto& body : {std::string("{"), std::string("[]"),
                           std::string("{\"subscription\":{\"type\":\"x\xff\"}}")})
    webhook(p, 400, body, signed_headers(body), false);
  // Documented as allowed by the schema, refused by the rules its description states.
  const std::string no_event = R"({"subscription":{"type":"stream.online"}})";
  webhook(p, 400, no_event, signed_headers(no_event));
  std::string huge(1024 * 1024 + 1, ' ');
  webhook(p, 413, huge, signed_headers(huge), false);

  // --- events
  auto events = contract.call(p, "GET", "/events", 200);
  EXPECT_NE(events.body.find(R"("event_type":"stream.offline")"), std::string::npos)
      << events.body;
  contract.call(p, "GET", "/events?limit=1", 200);
  contract.call(p, "GET", "/events?limit=1000", 200);
  for (const char* bad : {"0", "1001", "abc", "", "1.5", "-1"})
    contract.call(p, "GET", std::string("/events?limit=") + bad, 422, {},
                  {{}, true, false});

  // --- removal
  EXPECT_EQ(contract.call(p, "DELETE", "/streamers/NINJA", 200).body,
            R"({"message":"Removed streamer: ninja"})");
  contract.call(p, "DELETE", "/streamers/ninja", 404);
  contract.call(p, "DELETE", "/streamers/-bad", 400, {}, {{}, true, false});

  // --- the API key: every operation the document secures refuses a missing or wrong
  // key; the public ones never ask for it.
  for (const auto& op : doc.operations()) {
    std::pair<std::string, std::string> key{upper(op.method), op.path_template};
    if (own_test_operations.count(key)) continue;
    std::string target = op.path_template;
    if (auto at = target.find("{username}"); at != std::string::npos)
      target.replace(at, 10, "shroud");
    if (doc.requires_auth(op)) {
      auto r = contract.call(p, key.first, target, 401, {}, {{}, false});
      EXPECT_EQ(r.header("www-authenticate"), "Bearer");
      contract.call(p, key.first, target, 401, {},
                    {{{"Authorization", "Bearer wrong-key"}}, false});
    } else if (key.first == "GET") {
      contract.call(p, key.first, target, 200, {}, {{}, false});
    }
  }

  // --- answers outside the operations: wrong method (405 + Allow), unknown path (404);
  // both before the API key is looked at.
  for (const auto& op : doc.operations()) {
    if (own_test_operations.count({upper(op.method), op.path_template})) continue;
    std::string target = op.path_template;
    if (auto at = target.find("{username}"); at != std::string::npos)
      target.replace(at, 10, "shroud");
    auto documented = doc.methods(op.path_template);
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"})
      if (std::find(documented.begin(), documented.end(), m) == documented.end())
        contract.call_off_contract(p, m, target);
  }
  for (const char* unknown :
       {"/nope", "/streamers/", "/streamers/shroud/status/more", "/streams", "/webhooks"})
    contract.call_off_contract(p, "GET", unknown);

  // --- the same operations with what they depend on missing: Redis unreachable (the
  // stored state cannot load), no Twitch credentials, no webhook secret.
  server_process degraded{
      {{"STORAGE_TYPE", "redis"},
       {"REDIS_URL", "redis://127.0.0.1:" + std::to_string(free_port())},
       {"REQUIRE_API_KEY", "true"},
       {"API_KEY", api_key}}};
  const auto d = degraded.port();
  contract.call(d, "GET", "/", 200, {}, {{}, false});
  EXPECT_EQ(contract.call(d, "GET", "/health", 503, {}, {{}, false}).body,
            R"({"status":"unhealthy","storage":"disconnected"})");
  for (const char* target :
       {"/streamers", "/streams/live", "/events", "/streamers/shroud/status"})
    contract.call(d, "GET", target, 503);
  contract.call(d, "POST", "/streamers/shroud", 503);
  contract.call(d, "DELETE", "/streamers/shroud", 503);
  auto disabled = webhook(d, 503, off, signed_headers(off));
  EXPECT_NE(disabled.body.find("WEBHOOK_SECRET"), std::string::npos) << disabled.body;

  // --- coverage: every documented operation exercised, every documented status seen.
  for (const auto& op : doc.operations()) {
    std::pair<std::string, std::string> key{upper(op.method), op.path_template};
    if (own_test_operations.count(key)) continue;
    auto it = contract.seen().find(key);
    if (it == contract.seen().end()) {
      ADD_FAILURE() << key.first << " " << key.second
                    << " is documented but never tested";
      continue;
    }
    auto skipped =
        unprovoked.count(key) ? unprovoked.at(key) : std::map<std::string, std::string>{};
    for (const auto& status : doc.statuses(op)) {
      bool provoked = it->second.count(status) > 0;
      if (skipped.count(status)) {
        EXPECT_FALSE(provoked) << key.first << " " << key.second << " " << status
                               << " is provoked after all: drop it from `unprovoked`";
        continue;
      }
      EXPECT_TRUE(provoked) << key.first << " " << key.second << " documents " << status
                            << ", which the test never saw";
    }
  }
  for (const auto& [key, statuses] : unprovoked) {
    auto op = doc.find(key.first, key.second);
    ASSERT_TRUE(op) << key.second;
    auto documented = doc.statuses(*op);
    for (const auto& [status, why] : statuses)
      EXPECT_NE(std::find(documented.begin(), documented.end(), status), documented.end())
          << key.first << " " << key.second << " " << status << " (" << why
          << ") is no longer documented: drop it from `unprovoked`";
  }
}

TEST_F(openapi_e2e, the_served_document_is_the_file) {
  auto plain = plain_server();
  auto r = http_once(plain.port(), "GET", "/openapi.json");
  contract.call(plain.port(), "GET", "/openapi.json", 200, {}, {{}, false});
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_TRUE(r.body == doc.text())
      << "GET /openapi.json differs from " << document_path() << " (" << r.body.size()
      << " vs " << doc.text().size() << " bytes): rebuild eventsubd";
}

TEST_F(openapi_e2e, the_docs_page_is_as_documented) {
  auto plain = plain_server();
  auto r = contract.call(plain.port(), "GET", "/docs", 200, {}, {{}, false});
  EXPECT_NE(r.body.find("swagger-ui"), std::string::npos);
}

TEST_F(openapi_e2e, the_metrics_are_as_documented) {
  auto plain = plain_server();
  auto r = contract.call(plain.port(), "GET", "/metrics", 200);
  EXPECT_NE(r.body.find("# TYPE "), std::string::npos);
  EXPECT_EQ(contract.call(plain.port(), "GET", "/metrics", 401, {}, {{}, false})
                .header("www-authenticate"),
            "Bearer");
  contract.call(plain.port(), "GET", "/metrics", 401, {},
                {{{"Authorization", "Bearer wrong-key"}}, false});
}

}  // namespace
}  // namespace eventsubd::testing

// The router in isolation: a recording service stands in for the actors.
#include "http/router.hpp"

#include "http/url.hpp"

#include <gtest/gtest.h>

namespace eventsubd::http {
namespace {

namespace bh = boost::beast::http;

/// Records which call the router made and answers with a fixed body.
class recording_service : public service {
 public:
  std::string last_call;
  std::string last_login;
  uint32_t last_limit = 0;
  webhook_request last_webhook;

  void answer(const std::string& call, reply_once& reply) {
    last_call = call;
    reply(query_result::success(make_body("{}")));
  }
  void health(reply_once r) override { answer("health", r); }
  void list_streamers(reply_once r) override { answer("list", r); }
  void add_streamer(std::string login, reply_once r) override {
    last_login = login;
    answer("add", r);
  }
  void remove_streamer(std::string login, reply_once r) override {
    last_login = login;
    answer("remove", r);
  }
  void streamer_status(std::string login, reply_once r) override {
    last_login = login;
    answer("status", r);
  }
  void live_streams(reply_once r) override { answer("live", r); }
  void recent_events(uint32_t limit, reply_once r) override {
    last_limit = limit;
    answer("events", r);
  }
  void webhook(webhook_request d, reply_once r) override {
    last_webhook = std::move(d);
    answer("webhook", r);
  }
};

struct routed {
  int status;
  std::string body;
  response res;
};

routed route(router& r, bh::verb method, const std::string& target,
             std::initializer_list<std::pair<std::string, std::string>> headers = {},
             std::string body = {}) {
  request req{method, target, 11};
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  std::optional<response> out;
  r.route(std::move(req), [&](response res) { out = std::move(res); });
  EXPECT_TRUE(out.has_value());
  return {static_cast<int>(out->result_int()), out->body() ? *out->body() : "",
          std::move(*out)};
}

TEST(router_test, routes_each_endpoint_to_one_service_call) {
  recording_service svc;
  router r{svc, api_key_guard{false, ""}};
  EXPECT_EQ(route(r, bh::verb::get, "/health").status, 200);
  EXPECT_EQ(svc.last_call, "health");
  route(r, bh::verb::get, "/streamers");
  EXPECT_EQ(svc.last_call, "list");
  route(r, bh::verb::post, "/streamers/Shroud");
  EXPECT_EQ(svc.last_call, "add");
  EXPECT_EQ(svc.last_login, "shroud");
  route(r, bh::verb::delete_, "/streamers/NINJA");
  EXPECT_EQ(svc.last_call, "remove");
  EXPECT_EQ(svc.last_login, "ninja");
  route(r, bh::verb::get, "/streamers/a_b%5F1/status");
  EXPECT_EQ(svc.last_call, "status");
  EXPECT_EQ(svc.last_login, "a_b_1");
  route(r, bh::verb::get, "/streams/live");
  EXPECT_EQ(svc.last_call, "live");
  route(r, bh::verb::get, "/events");
  EXPECT_EQ(svc.last_limit, 50u);
  route(r, bh::verb::get, "/events?limit=1000");
  EXPECT_EQ(svc.last_limit, 1000u);
  route(r, bh::verb::get, "/events?limit=7&limit=8");
  EXPECT_EQ(svc.last_limit, 8u);
}

TEST(router_test, webhook_headers_and_raw_body_are_passed_through) {
  recording_service svc;
  router r{svc, api_key_guard{true, "key"}};  // the webhook is public even with a key
  auto out = route(r, bh::verb::post, "/webhooks/eventsub",
                   {{"twitch-eventsub-message-id", "id1"},
                    {"TWITCH-EVENTSUB-MESSAGE-TIMESTAMP", "ts"},
                    {"Twitch-Eventsub-Message-Signature", "sig"}},
                   "{\"raw\" : 1}");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(svc.last_webhook.message_id, "id1");
  EXPECT_EQ(svc.last_webhook.timestamp, "ts");
  EXPECT_EQ(svc.last_webhook.signature, "sig");
  EXPECT_TRUE(svc.last_webhook.has_id && svc.last_webhook.has_timestamp &&
              svc.last_webhook.has_signature);
  EXPECT_FALSE(svc.last_webhook.has_type);
  EXPECT_EQ(svc.last_webhook.body, "{\"raw\" : 1}");
}

TEST(router_test, errors_never_reach_the_service) {
  recording_service svc;
  router r{svc, api_key_guard{true, "secret-key"}};
  auto not_found = route(r, bh::verb::get, "/nope");
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.body, R"({"detail":"Not Found"})");
  auto wrong = route(r, bh::verb::patch, "/streamers/x");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.res[bh::field::allow], "POST, DELETE");
  auto unauth = route(r, bh::verb::get, "/streamers");
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(unauth.res[bh::field::www_authenticate], "Bearer");
  EXPECT_EQ(route(r, bh::verb::get, "/streamers/_bad/status",
                  {{"Authorization", "Bearer secret-key"}})
                .status,
            400);
  EXPECT_EQ(
      route(r, bh::verb::get, "/events?limit=0", {{"Authorization", "Bearer secret-key"}})
          .status,
      422);
  EXPECT_EQ(route(r, bh::verb::get, "/events?limit=%zz",
                  {{"Authorization", "Bearer secret-key"}})
                .status,
            422);
  EXPECT_TRUE(svc.last_call.empty());
}

TEST(router_test, public_reads_opens_the_reads_and_metrics_public_only_metrics) {
  recording_service svc;
  const std::pair<bh::verb, std::string> reads[] = {
      {bh::verb::get, "/streamers"},
      {bh::verb::get, "/streams/live"},
      {bh::verb::get, "/events"},
      {bh::verb::get, "/streamers/x/status"}};
  const std::pair<bh::verb, std::string> writes[] = {{bh::verb::post, "/streamers/x"},
                                                     {bh::verb::delete_, "/streamers/x"}};
  router open_reads{svc, api_key_guard{true, "k"}, access_rules{false, true}};
  for (const auto& [method, target] : reads)
    EXPECT_EQ(route(open_reads, method, target).status, 200) << target;
  for (const auto& [method, target] : writes)
    EXPECT_EQ(route(open_reads, method, target).status, 401) << target;
  EXPECT_EQ(route(open_reads, bh::verb::get, "/metrics").status, 401);

  router open_metrics{svc, api_key_guard{true, "k"}, access_rules{true, false}};
  for (const auto& [method, target] : reads)
    EXPECT_EQ(route(open_metrics, method, target).status, 401) << target;
  EXPECT_EQ(route(open_metrics, bh::verb::get, "/metrics").status, 200);
}

TEST(router_test, a_wrong_method_is_405_with_the_paths_methods_before_the_api_key) {
  recording_service svc;
  router r{svc, api_key_guard{true, "secret-key"}};
  auto webhook = route(r, bh::verb::get, "/webhooks/eventsub");
  EXPECT_EQ(webhook.status, 405);
  EXPECT_EQ(webhook.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(webhook.res[bh::field::allow], "POST");
  EXPECT_EQ(webhook.res[bh::field::content_type], "application/json");
  auto head = route(r, bh::verb::head, "/streams/live");
  EXPECT_EQ(head.status, 405);
  EXPECT_EQ(head.res[bh::field::allow], "GET");
  EXPECT_TRUE(svc.last_call.empty());
}

TEST(router_test, answers_are_counted_under_their_routes_label) {
  recording_service svc;
  router r{svc, api_key_guard{false, ""}};
  route(r, bh::verb::get, "/openapi.json");
  route(r, bh::verb::patch, "/streamers/x");
  route(r, bh::verb::get, "/nowhere");
  route(r, bh::verb::get, "/streamers/shroud/status");
  auto text = route(r, bh::verb::get, "/metrics").body;
  for (
      const char* series :
      {R"(eventsubd_http_requests_total{route="/docs",status="200"})",
       R"(eventsubd_http_requests_total{route="/streamers/{username}",status="405"})",
       R"(eventsubd_http_requests_total{route="unmatched",status="404"})",
       R"(eventsubd_http_requests_total{route="/streamers/{username}/status",status="200"})",
       R"(eventsubd_http_request_duration_seconds_count{route="unmatched"})"})
    EXPECT_NE(text.find(series), std::string::npos) << series << " missing in\n" << text;
}

/// A service that keeps the reply, as an actor does, to answer it later.
class deferred_service : public recording_service {
 public:
  reply_once kept;
  void recent_events(uint32_t, reply_once r) override { kept = std::move(r); }
};

TEST(router_test, a_hop_builds_the_answer_on_the_connections_thread) {
  deferred_service svc;
  router r{svc, api_key_guard{false, ""}};
  std::vector<std::function<void()>> hopped;  // stands in for the connection's strand
  std::optional<response> out;
  r.route(
      request{bh::verb::get, "/events?limit=5", 11},
      [&](response res) { out = std::move(res); },
      [&](std::function<void()> task) { hopped.push_back(std::move(task)); });
  ASSERT_TRUE(svc.kept);
  EXPECT_TRUE(hopped.empty());

  svc.kept(query_result::success(make_body(R"({"events":[]})")));  // the "actor" replies
  EXPECT_FALSE(out.has_value());  // handed over, not answered on the replying thread
  ASSERT_EQ(hopped.size(), 1u);
  hopped.front()();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->result_int(), 200);
  EXPECT_EQ(*out->body(), R"({"events":[]})");

  svc.kept(query_result::success(make_body("{}")));  // a second reply is ignored
  EXPECT_EQ(hopped.size(), 1u);

  // Errors the router answers itself go through the hop too, and only once.
  hopped.clear();
  out.reset();
  r.route(
      request{bh::verb::get, "/nowhere", 11}, [&](response res) { out = std::move(res); },
      [&](std::function<void()> task) { hopped.push_back(std::move(task)); });
  ASSERT_EQ(hopped.size(), 1u);
  hopped.front()();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->result_int(), 404);
}

TEST(router_test, only_answers_that_may_wait_on_twitch_watch_for_the_client) {
  recording_service svc;
  router r{svc, api_key_guard{false, ""}};
  auto watched = [&](bh::verb method, const std::string& target) {
    int watches = 0;
    std::function<void()> watch = [&] { ++watches; };
    std::optional<response> out;
    r.route(
        request{method, target, 11}, [&](response res) { out = std::move(res); }, {}, {},
        watch);
    EXPECT_TRUE(out.has_value()) << target;
    EXPECT_LE(watches, 1) << target;
    return watches == 1;
  };
  EXPECT_TRUE(watched(bh::verb::post, "/streamers/shroud"));
  EXPECT_TRUE(watched(bh::verb::delete_, "/streamers/shroud"));
  EXPECT_TRUE(watched(bh::verb::get, "/streamers/shroud/status"));
  // Answered from local state, or (the webhook) processed whatever the sender does.
  EXPECT_FALSE(watched(bh::verb::post, "/webhooks/eventsub"));
  EXPECT_FALSE(watched(bh::verb::get, "/health"));
  EXPECT_FALSE(watched(bh::verb::get, "/streamers"));
  EXPECT_FALSE(watched(bh::verb::get, "/streams/live"));
  EXPECT_FALSE(watched(bh::verb::get, "/events"));
  // Refused before any service call: nothing to drop.
  EXPECT_FALSE(watched(bh::verb::get, "/streamers/not%20a%20login/status"));
  EXPECT_FALSE(watched(bh::verb::get, "/nowhere"));
}

TEST(api_key_guard_test, accepts_only_the_exact_key_with_a_bearer_scheme) {
  api_key_guard guard{true, "abc123"};
  EXPECT_TRUE(guard.allows("Bearer abc123"));
  EXPECT_TRUE(guard.allows("bEaReR abc123"));
  EXPECT_TRUE(guard.allows("Bearer   abc123  "));
  EXPECT_FALSE(guard.allows("Bearer abc1234"));
  EXPECT_FALSE(guard.allows("Bearer abc12"));
  EXPECT_FALSE(guard.allows("Bearerabc123"));
  EXPECT_FALSE(guard.allows("Token abc123"));
  EXPECT_FALSE(guard.allows(""));
  EXPECT_FALSE(guard.allows("Bearer "));
  EXPECT_TRUE(api_key_guard(false, "").allows(""));
}

TEST(api_key_guard_test, equality_holds_for_any_lengths_and_bytes) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals(std::string(300, 'k'), std::string(300, 'k')));
  EXPECT_TRUE(constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));  // no early exit on the length
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(url_test, percent_decoding_and_query_parameters) {
  EXPECT_EQ(percent_decode("a%20b", false), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%g0", false));
  bool malformed = false;
  EXPECT_EQ(query_param("x=1&limit=5", "limit", malformed), "5");
  EXPECT_FALSE(query_param("x=1", "limit", malformed).has_value());
  EXPECT_EQ(query_param("limit", "limit", malformed), "");
  EXPECT_FALSE(query_param("limit=%", "limit", malformed).has_value());
  EXPECT_TRUE(malformed);
}

TEST(status_map_test, every_error_code_has_its_status) {
  EXPECT_EQ(status_for(errc::ok), bh::status::ok);
  EXPECT_EQ(status_for(errc::bad_request), bh::status::bad_request);
  EXPECT_EQ(status_for(errc::unauthorized), bh::status::unauthorized);
  EXPECT_EQ(status_for(errc::forbidden), bh::status::forbidden);
  EXPECT_EQ(status_for(errc::not_found), bh::status::not_found);
  EXPECT_EQ(status_for(errc::method_not_allowed), bh::status::method_not_allowed);
  EXPECT_EQ(status_for(errc::conflict), bh::status::conflict);
  EXPECT_EQ(status_for(errc::payload_too_large), bh::status::payload_too_large);
  EXPECT_EQ(status_for(errc::unprocessable), bh::status::unprocessable_entity);
  EXPECT_EQ(status_for(errc::too_many_requests), bh::status::too_many_requests);
  EXPECT_EQ(status_for(errc::headers_too_large),
            bh::status::request_header_fields_too_large);
  EXPECT_EQ(status_for(errc::unavailable), bh::status::service_unavailable);
  EXPECT_EQ(status_for(errc::upstream_error), bh::status::bad_gateway);
  EXPECT_EQ(status_for(errc::upstream_timeout), bh::status::gateway_timeout);
  EXPECT_EQ(status_for(errc::internal), bh::status::internal_server_error);
}

}  // namespace
}  // namespace eventsubd::http

// End to end: GET /metrics in Prometheus' text format, scraped and parsed line by line.
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* key = "metrics-test-key";

/// Every sample of an exposition by its full series text (`name{labels}`); fails the
/// test on any line that is not a valid comment or sample, or a sample whose family has
/// no `# TYPE`.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex help(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  static const std::regex type(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9][0-9.eE+-]*|NaN|[+-]Inf)$)");
  std::map<std::string, double> out;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, type)) {
      typed.insert(m[1]);
      continue;
    }
    if (std::regex_match(line, help)) continue;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "line " << n << " is not valid exposition text: " << line;
      continue;
    }
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!typed.count(family) && family.size() > std::strlen(suffix) &&
          family.compare(family.size() - std::strlen(suffix), std::string::npos,
                         suffix) == 0)
        family.resize(family.size() - std::strlen(suffix));
    EXPECT_TRUE(typed.count(family)) << "no # TYPE before " << name;
    out[name + std::string(m[2])] = std::stod(m[3]);
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  return out;
}

http_reply scrape(uint16_t port, bool with_key = true) {
  header_map headers;
  if (with_key) headers["Authorization"] = std::string("Bearer ") + key;
  return http_once(port, "GET", "/metrics", {}, headers);
}

TEST(metrics_e2e, scrape_parses_and_counts_what_happened) {
  server_process server{
      {{"WEBHOOK_SECRET", e2e_secret}, {"REQUIRE_API_KEY", "true"}, {"API_KEY", key}}};
  EXPECT_EQ(scrape(server.port(), false).status, 401);  // protected like the API

  ASSERT_EQ(post_signed(server.port(),
                        online_body("6001", "counted", "s-6001", twitch_timestamp(-5s)),
                        "notification", "metrics-msg-1")
                .status,
            200);
  ASSERT_EQ(post_signed(server.port(),
                        online_body("6001", "counted", "s-6001", twitch_timestamp(-5s)),
                        "notification", "metrics-msg-1")
                .body,
            R"({"status":"duplicate"})");
  // The same change under another message id (a second subscription's copy): counted as
  // a duplicate, not as accepted.
  ASSERT_EQ(post_signed(server.port(),
                        online_body("6001", "counted", "s-6001", twitch_timestamp(-5s)),
                        "notification", "metrics-msg-3")
                .body,
            R"({"status":"duplicate"})");
  ASSERT_EQ(post_signed(server.port(), offline_body("6001", "counted")).status, 200);
  // A late online of the ended stream: outdated.
  ASSERT_EQ(post_signed(server.port(),
                        online_body("6001", "counted", "s-6001", twitch_timestamp(-5s)),
                        "notification", "metrics-msg-4")
                .body,
            R"({"status":"outdated"})");
  auto bad = http_once(server.port(), "POST", "/webhooks/eventsub", "{}",
                       eventsub_headers("wrong-secret-0123456789", "{}", "notification",
                                        "metrics-msg-2", twitch_timestamp()));
  ASSERT_EQ(bad.status, 403);
  ASSERT_EQ(http_once(server.port(), "GET", "/nope").status, 404);

  auto r = scrape(server.port());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  auto m = parse_exposition(r.body);
  EXPECT_EQ(m["eventsubd_build_info{version=\"0.1.0\"}"], 1);
  EXPECT_EQ(
      m[R"(eventsubd_webhook_messages_total{type="notification",outcome="accepted"})"],
      2);
  EXPECT_EQ(
      m[R"(eventsubd_webhook_messages_total{type="notification",outcome="duplicate"})"],
      2);
  EXPECT_EQ(
      m[R"(eventsubd_webhook_messages_total{type="notification",outcome="outdated"})"],
      1);
  EXPECT_EQ(
      m[R"(eventsubd_webhook_messages_total{type="notification",outcome="bad_signature"})"],
      1);
  EXPECT_EQ(m[R"(eventsubd_events_applied_total{type="stream.online",source="webhook"})"],
            1);
  EXPECT_EQ(
      m[R"(eventsubd_http_requests_total{route="/webhooks/eventsub",status="200"})"], 5);
  EXPECT_EQ(
      m[R"(eventsubd_http_requests_total{route="/webhooks/eventsub",status="403"})"], 1);
  EXPECT_EQ(m[R"(eventsubd_http_requests_total{route="unmatched",status="404"})"], 1);
  EXPECT_EQ(m[R"(eventsubd_http_requests_total{route="/metrics",status="401"})"], 1);
  EXPECT_EQ(
      m[R"(eventsubd_http_request_duration_seconds_count{route="/webhooks/eventsub"})"],
      6);
  EXPECT_EQ(
      m[R"(eventsubd_http_request_duration_seconds_bucket{route="/webhooks/eventsub",le="+Inf"})"],
      6);
  EXPECT_EQ(m["eventsubd_streamers_live"], 0);  // it went offline
  EXPECT_EQ(m["eventsubd_storage_connected"], 1);
  EXPECT_EQ(m["eventsubd_storage_write_queue_depth"], 0);
  EXPECT_GT(m["process_resident_memory_bytes"], 1e6);
  // No secret ever appears.
  EXPECT_EQ(r.body.find(key), std::string::npos);
  EXPECT_EQ(r.body.find(e2e_secret), std::string::npos);
}

TEST(metrics_e2e, metrics_public_opens_only_metrics) {
  server_process server{
      {{"REQUIRE_API_KEY", "true"}, {"API_KEY", key}, {"METRICS_PUBLIC", "true"}}};
  EXPECT_EQ(scrape(server.port(), false).status, 200);
  EXPECT_EQ(http_once(server.port(), "GET", "/streamers").status, 401);
  auto bad = server_process::start_only({{"METRICS_PUBLIC", "maybe"}});
  ASSERT_EQ(bad.wait_exit(10s), 2);
  EXPECT_NE(bad.log().find("METRICS_PUBLIC"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::testing

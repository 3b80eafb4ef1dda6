// The webhook gate end to end (issue 14, items 6, 7 and 11): forgeries are refused on the
// HTTP thread without slowing other clients or flooding the log; message ids that are
// not short ASCII are refused and never reach the events' JSON; refusals leave a debug
// trace with their reason.
#include "tests/e2e/abuse_support.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(webhook_gate_e2e, megabyte_forgeries_are_refused_without_slowing_other_clients) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  auto port = server.port();
  // 1 MiB bodies with a wrong signature, from several connections at once.
  constexpr int threads = 4, each = 40;
  const std::string big(1024 * 1024 - 64, 'x');
  std::atomic<int> refused{0};
  std::atomic<bool> flooding{true};
  std::vector<std::thread> flood;
  for (int t = 0; t < threads; ++t)
    flood.emplace_back([&] {
      http_client client(port, 30s);
      for (int i = 0; i < each; ++i) {
        auto headers = eventsub_headers("wrong-secret-0123456789", big, "notification",
                                        unique_id(), twitch_timestamp());
        if (client.request("POST", "/webhooks/eventsub", big, headers).status == 403)
          ++refused;
      }
    });
  // Meanwhile another client asks /health, one request at a time.
  std::vector<double> latencies_ms;
  std::thread prober([&] {
    http_client client(port, 10s);
    while (flooding) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = client.request("GET", "/health");
      std::chrono::duration<double, std::milli> took =
          std::chrono::steady_clock::now() - t0;
      if (r.status == 200) latencies_ms.push_back(took.count());
    }
  });
  for (auto& t : flood) t.join();
  flooding = false;
  prober.join();
  EXPECT_EQ(refused.load(), threads * each);
  ASSERT_GE(latencies_ms.size(), 20u);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto p99 = latencies_ms[latencies_ms.size() * 99 / 100];
  std::printf("[ health ] %zu probes during the flood: p50 %.2f ms, p99 %.2f ms\n",
              latencies_ms.size(), latencies_ms[latencies_ms.size() / 2], p99);
  // A guard against forgeries holding up other clients, loose enough for a machine busy
  // with other tests (p99 9.9 ms with the cores shared by a parallel build; 72 ms with
  // the load at 16 on 2 cores). The few-milliseconds target is a benchmark figure.
#ifndef EVENTSUBD_SANITIZER_BUILD
  EXPECT_LT(p99, 150.0) << "/health p99 while 1 MiB forgeries are verified";
#endif
  // Every forgery is counted; the log holds the first few and a count, not one each.
  EXPECT_EQ(metric_value(port,
                         "eventsubd_webhook_messages_total{type=\"notification\","
                         "outcome=\"bad_signature\"}"),
            threads * each);
  EXPECT_LE(count(server.log(), "with an invalid signature"), 5u);
}

TEST(webhook_gate_e2e,
     message_ids_that_are_not_short_ascii_are_400_and_json_stays_valid) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  auto port = server.port();
  auto body = online_body("8001", "idcheck", "s-8001", twitch_timestamp(-1s));
  for (std::string id :
       {std::string{}, std::string(15000, 'a'), std::string("\xe9\xff")}) {
    auto r = post_signed(port, body, "notification", id);
    EXPECT_EQ(r.status, 400) << id.size() << " " << r.body;
    EXPECT_NE(r.body.find("Twitch-Eventsub-Message-Id"), std::string::npos);
  }
  EXPECT_EQ(post_signed(port, body, "notification", "good-id-1").status, 200);
  auto events = http_once(port, "GET", "/events?limit=1000");
  ASSERT_EQ(events.status, 200);
  json_doc doc(events.body);  // throws on invalid JSON (simdjson checks UTF-8 too)
  EXPECT_EQ(doc.root["events"].get_array().value().size(), 1u);
}

TEST(webhook_gate_e2e, refusals_leave_a_debug_trace_with_their_reason) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}, {"LOG_LEVEL", "debug"}}};
  auto port = server.port();
  auto body = online_body("8002", "traced", "s-8002", twitch_timestamp(-1s));
  auto headers = eventsub_headers(e2e_secret, body, "notification", unique_id(),
                                  twitch_timestamp(-20 * 60s));
  EXPECT_EQ(http_once(port, "POST", "/webhooks/eventsub", body, headers).status, 403);
  headers.erase("Twitch-Eventsub-Message-Signature");
  EXPECT_EQ(http_once(port, "POST", "/webhooks/eventsub", body, headers).status, 403);
  EXPECT_EQ(http_once(port, "GET", "/streamers/bad-name/status").status, 400);
  EXPECT_TRUE(server.wait_for_log("older than 10 minutes")) << server.log();
  EXPECT_TRUE(server.wait_for_log("Missing Twitch-Eventsub-Message-Signature header"));
  EXPECT_TRUE(server.wait_for_log("refused GET /streamers/bad-name/status"));
  EXPECT_EQ(server.log().find("invalid signature\n"), std::string::npos)
      << "a missing signature is logged as missing, not invalid";
}

}  // namespace
}  // namespace eventsubd::testing

// Memory stays bounded whatever `/events` limits a client asks for (issue 14, item 5):
// the real binary, memory storage, seeded through its signed webhook with 10,000 live
// statuses (and so the 1,000 kept events), then every limit from 1 to 1,000 asked for.
// Each answer must be the newest `limit` events of the full list, byte for byte. Once,
// every limit got its own cached body: over 200 MB for one sweep. `limit` is the only
// parameter GET /events has today; the filters of api.md's "Additions" (issue 16) must
// join this sweep when they exist.
#include "tests/e2e/abuse_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace eventsubd::testing {
namespace {

#ifdef EVENTSUBD_SANITIZER_BUILD
constexpr bool check_memory = false;  // their allocators keep freed memory on purpose
#else
constexpr bool check_memory = true;
#endif

constexpr int statuses = 10000;
constexpr size_t kept_events = 1000;
constexpr long bound_kib = 64'000'000 / 1024;  // 64 MB (issue 14)

/// Sends one stream.online per broadcaster on one keep-alive connection, pipelined in
/// batches (one at a time, the round trips took most of this test's time).
void seed_live_statuses(uint16_t port) {
  constexpr int batch = 50;
  http_client client(port);
  for (int first = 0; first < statuses; first += batch) {
    std::string raw;
    for (int i = first; i < first + batch; ++i) {
      std::string id = std::to_string(100000 + i), login = "mem" + std::to_string(i);
      auto body = online_body(id, login, "stream-" + id, "2024-01-01T00:00:00Z");
      raw += "POST /webhooks/eventsub HTTP/1.1\r\nHost: x\r\n";
      for (const auto& [name, value] : eventsub_headers(e2e_secret, body, "notification",
                                                        unique_id(), twitch_timestamp()))
        raw += name + ": " + value + "\r\n";
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    client.send_raw(raw);
    for (int i = first; i < first + batch; ++i) {
      auto r = client.read_reply();
      ASSERT_EQ(r.status, 200) << "mem" << i << ": " << r.body;
    }
  }
}

/// Asks for `limit` events and checks the answer is the newest `limit` of `all` (the
/// limit=1000 body), cut at an event boundary, with exactly that many events.
void expect_newest(http_client& client, simdjson::dom::parser& parser,
                   const std::string& all, size_t limit) {
  auto r = client.request("GET", "/events?limit=" + std::to_string(limit));
  ASSERT_EQ(r.status, 200) << limit;
  ASSERT_GE(r.body.size(), 2u);
  size_t cut = r.body.size() - 2;  // before the closing "]}"
  ASSERT_LE(cut, all.size()) << limit;
  ASSERT_EQ(r.body.compare(cut, 2, "]}"), 0) << limit;
  ASSERT_EQ(r.body.compare(0, cut, all, 0, cut), 0) << limit;
  ASSERT_EQ(all[cut], limit == kept_events ? ']' : ',') << limit;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << limit;
  ASSERT_EQ(doc["events"].get_array().value().size(), limit);
}

TEST(events_memory_e2e, every_limit_swept_keeps_rss_under_64_mb) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}, {"STORAGE_TYPE", "memory"}}};
  auto port = server.port();
  ASSERT_NO_FATAL_FAILURE(seed_live_statuses(port));
  {
    json_doc live(http_once(port, "GET", "/streams/live").body);
    ASSERT_EQ(live.root["count"].get_int64().value(), statuses);
  }
  auto all = http_once(port, "GET", "/events?limit=1000").body;
  {
    json_doc doc(all);
    ASSERT_EQ(doc.root["events"].get_array().value().size(), kept_events);
  }
  const long seeded = resident_kib(server.pid());

  http_client client(port);
  simdjson::dom::parser parser;
  long highest_sample = seeded;
  auto sweep = [&](size_t limit) {
    ASSERT_NO_FATAL_FAILURE(expect_newest(client, parser, all, limit));
    highest_sample = std::max(highest_sample, resident_kib(server.pid()));
  };
  for (size_t limit = 1; limit <= kept_events; ++limit)
    ASSERT_NO_FATAL_FAILURE(sweep(limit));
  for (size_t limit = kept_events; limit >= 1; --limit)
    ASSERT_NO_FATAL_FAILURE(sweep(limit));
  // The default limit is 50.
  auto fifty = client.request("GET", "/events?limit=50").body;
  EXPECT_EQ(client.request("GET", "/events").body, fifty);

  const long after = resident_kib(server.pid()), peak = peak_resident_kib(server.pid());
  std::printf(
      "[ rss      ] %d live statuses + %zu events: %ld KiB seeded; sweeping every limit: "
      "highest sample %ld KiB, %ld KiB after, peak (VmHWM) %ld KiB\n",
      statuses, kept_events, seeded, highest_sample, after, peak);
  if (check_memory) {
    EXPECT_LT(peak, bound_kib);
  }
}

}  // namespace
}  // namespace eventsubd::testing

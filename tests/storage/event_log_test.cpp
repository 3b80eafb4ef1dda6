#include "storage/event_log.hpp"

#include "core/json_codec.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace eventsubd::storage {
namespace {

event_record event(int n, const std::string& type = "stream.online",
                   const std::string& login = "cool_user", size_t padding = 0) {
  event_record e;
  e.id = "msg-" + std::to_string(n);
  e.event_type = type;
  e.broadcaster_id = "id-" + login;
  e.broadcaster_login = login;
  e.broadcaster_name = login;
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.0 + n;
  e.data = R"({"n":)" + std::to_string(n) + R"(,"pad":")" + std::string(padding, 'x') +
           R"("})";
  return e;
}

/// What the body must be: the events' JSON, in the given order, in the envelope.
std::string expected(const std::vector<event_record>& events) {
  std::string out = R"({"events":[)";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i) out += ',';
    out += to_json(events[i]);
  }
  return out + "]}";
}

TEST(EventLog, EmptyBodyForAnyLimit) {
  event_log log;
  EXPECT_EQ(log.body(50), R"({"events":[]})");
  EXPECT_EQ(log.body(0), R"({"events":[]})");
  EXPECT_EQ(log.size(), 0u);
}

TEST(EventLog, NewestFirstUpToTheLimit) {
  event_log log;
  for (int i = 1; i <= 5; ++i) log.push(event(i), 1000);
  EXPECT_EQ(log.body(1), expected({event(5)}));
  EXPECT_EQ(log.body(3), expected({event(5), event(4), event(3)}));
  EXPECT_EQ(log.body(100), expected({event(5), event(4), event(3), event(2), event(1)}));
  EXPECT_EQ(log.body(0), R"({"events":[]})");
}

TEST(EventLog, KeepsTheNewest) {
  event_log log;
  for (int i = 1; i <= 7; ++i) log.push(event(i), 3);
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.body(10), expected({event(7), event(6), event(5)}));
  log.push(event(8), 0);
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.body(10), R"({"events":[]})");
  log.push(event(9), 3);
  EXPECT_EQ(log.body(10), expected({event(9)}));
}

TEST(EventLog, BodiesParse) {
  event_log log;
  for (int i = 0; i < 50; ++i)
    log.push(event(i, i % 3 ? "stream.online" : "stream.offline"), 1000);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto body = log.body(4);
  ASSERT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  simdjson::dom::array events;
  ASSERT_EQ(doc["events"].get(events), simdjson::SUCCESS);
  std::vector<std::string> ids;
  for (simdjson::dom::element e : events) {
    std::string_view id;
    ASSERT_EQ(e["id"].get(id), simdjson::SUCCESS);
    ids.emplace_back(id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"msg-49", "msg-48", "msg-47", "msg-46"}));
}

// Against a plain list of events, through many moves into new buffers, with events of
// very different sizes (a few as large as a webhook body may be) and random limits.
TEST(EventLog, MatchesAReferenceThroughManyAppends) {
  constexpr size_t keep = 100;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pad(0, 3000), limit(0, 150);
  event_log log;
  std::deque<event_record> reference;  // newest first
  for (int n = 0; n < 5000; ++n) {
    size_t padding = n % 500 < 250 ? pad(rng) : 10;
    if (n % 1000 == 999) padding = 1 << 20;
    auto e = event(n, "stream.online", "cool_user", padding);
    log.push(e, keep);
    reference.push_front(e);
    if (reference.size() > keep) reference.pop_back();
    if (n % 37 && n % 1000 != 999) continue;
    size_t wanted = static_cast<size_t>(limit(rng));
    std::vector<event_record> newest(
        reference.begin(), reference.begin() + std::min(wanted, reference.size()));
    ASSERT_EQ(log.body(wanted), expected(newest)) << n << " " << wanted;
  }
}

TEST(EventLog, BufferStaysWithinTwiceTheKeptEvents) {
  event_log log;
  constexpr size_t keep = 1000;
  size_t largest = 0;
  for (int n = 0; n < 50000; ++n) {
    log.push(event(n), keep);
    largest = std::max(largest, log.capacity());
  }
  size_t kept = log.body(keep).size();  // the events, their commas, the envelope
  EXPECT_LE(largest, 2 * kept + 4096);
  EXPECT_GE(largest, kept);
}

TEST(EventLog, ClearFreesTheBuffer) {
  event_log log;
  for (int i = 0; i < 10; ++i) log.push(event(i), 1000);
  log.clear();
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.capacity(), 0u);
  EXPECT_EQ(log.body(10), R"({"events":[]})");
  log.push(event(1), 1000);
  EXPECT_EQ(log.body(10), expected({event(1)}));
}

}  // namespace
}  // namespace eventsubd::storage

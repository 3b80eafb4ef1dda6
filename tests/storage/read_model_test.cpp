// The read model (storage/read_model): the bodies it serves (a status, the live list,
// the events) and what each cached one waits for before it is made again, and load.
#include "storage/read_model.hpp"

#include "core/json_codec.hpp"
#include "storage/backend.hpp"
#include "tests/storage/read_model_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace eventsubd::storage::read_model_tests {
namespace {

// --- empty
// -------------------------------------------------------------------------------

TEST_F(ReadModel, EmptyBodies) {
  EXPECT_EQ(model_.status_body("nobody"), nullptr);
  EXPECT_EQ(*model_.live_body(), R"({"live_streams":[],"count":0})");
  EXPECT_EQ(*model_.events_body(50), R"({"events":[]})");
  EXPECT_EQ(*model_.streamers_body(), "[]");
  EXPECT_EQ(model_.status_by_user_id("1"), nullptr);
  EXPECT_EQ(model_.streamer("nobody"), nullptr);
  EXPECT_EQ(model_.live_count(), 0u);
  EXPECT_EQ(model_.status_count(), 0u);
  EXPECT_EQ(model_.event_count(), 0u);
}

// --- status_body
// -------------------------------------------------------------------------

TEST_F(ReadModel, StatusBodyIsTheStatusWithSourceStorage) {
  auto s = status("alpha", true);
  model_.put_status(s);
  auto body = model_.status_body("alpha");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(*body, to_json(s, "storage"));
  object obj;
  ASSERT_EQ(parse(body).get(obj), simdjson::SUCCESS);
  std::string_view source;
  ASSERT_EQ(obj["source"].get(source), simdjson::SUCCESS);
  EXPECT_EQ(source, "storage");
  std::string_view user_id;
  ASSERT_EQ(obj["user_id"].get(user_id), simdjson::SUCCESS);
  EXPECT_EQ(user_id, "id-alpha");
  object data;
  EXPECT_EQ(obj["stream_data"].get(data), simdjson::SUCCESS);
}

TEST_F(ReadModel, StatusBodyIsCachedUntilThatStatusChanges) {
  model_.put_status(status("alpha", true));
  model_.put_status(status("bravo", false));
  auto first = model_.status_body("alpha");
  EXPECT_EQ(model_.status_body("alpha"), first);  // same shared body, not a copy
  model_.put_status(status("bravo", true));       // another login: untouched
  model_.add_event(event(1), events_kept);
  EXPECT_EQ(model_.status_body("alpha"), first);

  model_.put_status(status("alpha", false));
  auto second = model_.status_body("alpha");
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_NE(second->find("\"is_live\":false"), std::string::npos) << *second;
  // The earlier body is immutable and still valid for whoever holds it.
  EXPECT_NE(first->find("\"is_live\":true"), std::string::npos) << *first;
}

TEST_F(ReadModel, StatusBodyLookupIsExact) {
  model_.put_status(status("alpha", true));
  EXPECT_EQ(model_.status_body("Alpha"), nullptr);
  EXPECT_EQ(model_.status_body("alph"), nullptr);
  EXPECT_EQ(model_.status_body(""), nullptr);
}

// --- live_body
// ---------------------------------------------------------------------------

TEST_F(ReadModel, LiveBodyListsOnlyLiveStatusesSortedByLogin) {
  model_.put_status(status("zulu", true));
  model_.put_status(status("mike", false));
  model_.put_status(status("alpha", true));
  model_.put_status(status("kilo", true));
  model_.put_status(status("bravo", false));
  int64_t count = 0;
  EXPECT_EQ(live_logins(&count), (strings{"alpha", "kilo", "zulu"}));
  EXPECT_EQ(count, 3);
  EXPECT_EQ(model_.live_count(), 3u);
  EXPECT_EQ(model_.status_count(), 5u);
}

TEST_F(ReadModel, LiveBodyEntriesAreStatusesWithoutSource) {
  auto s = status("alpha", true);
  model_.put_status(s);
  EXPECT_EQ(*model_.live_body(), R"({"live_streams":[)" + to_json(s) + R"(],"count":1})");
  EXPECT_EQ(model_.live_body()->find("\"source\""), std::string::npos);
}

TEST_F(ReadModel, LiveBodyIsCachedWhileNothingLiveChanges) {
  model_.put_status(status("alpha", true));
  model_.put_status(status("bravo", false));
  auto first = model_.live_body();
  EXPECT_EQ(model_.live_body(), first);
  // Writes that cannot change the live list keep the cached body.
  model_.add_event(event(1), events_kept);
  model_.put_streamer(streamer("charlie"));
  model_.put_status(status("bravo", false));
  model_.put_status(status("delta", false));
  EXPECT_EQ(model_.live_body(), first);
}

TEST_F(ReadModel, LiveToOfflineUpdatesLiveBody) {
  model_.put_status(status("alpha", true));
  model_.put_status(status("bravo", true));
  auto before = model_.live_body();
  EXPECT_EQ(live_logins(), (strings{"alpha", "bravo"}));

  model_.put_status(status("alpha", false));
  auto after = model_.live_body();
  EXPECT_NE(after, before);
  EXPECT_EQ(live_logins(), (strings{"bravo"}));
  EXPECT_EQ(model_.live_count(), 1u);
}

TEST_F(ReadModel, OfflineToLiveUpdatesLiveBody) {
  model_.put_status(status("alpha", false));
  auto before = model_.live_body();
  EXPECT_TRUE(live_logins().empty());
  model_.put_status(status("alpha", true));
  EXPECT_NE(model_.live_body(), before);
  EXPECT_EQ(live_logins(), (strings{"alpha"}));
}

TEST_F(ReadModel, LiveToLiveWithNewDataUpdatesLiveBody) {
  model_.put_status(status("alpha", true));
  auto before = model_.live_body();
  auto s = status("alpha", true);
  s.stream_data = R"({"id":"9002","type":"live"})";
  model_.put_status(s);
  auto after = model_.live_body();
  EXPECT_NE(after, before);
  EXPECT_NE(after->find("9002"), std::string::npos) << *after;
  EXPECT_EQ(model_.live_count(), 1u);
}

TEST_F(ReadModel, RepeatedLivePutsCountOnce) {
  for (int i = 0; i < 3; ++i) model_.put_status(status("alpha", true));
  EXPECT_EQ(model_.live_count(), 1u);
  EXPECT_EQ(live_logins(), (strings{"alpha"}));
  for (int i = 0; i < 3; ++i) model_.put_status(status("alpha", false));
  EXPECT_EQ(model_.live_count(), 0u);
  EXPECT_TRUE(live_logins().empty());
}

// --- events_body
// -------------------------------------------------------------------------

TEST_F(ReadModel, EventsBodyNewestFirstWithLimit) {
  for (int i = 1; i <= 5; ++i) model_.add_event(event(i), events_kept);
  EXPECT_EQ(event_ids(3), (strings{"msg-5", "msg-4", "msg-3"}));
  EXPECT_EQ(event_ids(100), (strings{"msg-5", "msg-4", "msg-3", "msg-2", "msg-1"}));
  EXPECT_TRUE(event_ids(0).empty());
  EXPECT_EQ(model_.event_count(), 5u);
}

TEST_F(ReadModel, EventsBodyEntriesAreTheEventJson) {
  auto e = event(1);
  model_.add_event(e, events_kept);
  EXPECT_EQ(*model_.events_body(10), R"({"events":[)" + to_json(e) + "]}");
}

TEST_F(ReadModel, EventsBodyIsCachedUntilAnAppend) {
  for (int i = 1; i <= 3; ++i) model_.add_event(event(i), events_kept);
  auto two = model_.events_body(2);
  auto ten = model_.events_body(10);
  EXPECT_EQ(model_.events_body(2), two);
  EXPECT_EQ(model_.events_body(10), ten);
  EXPECT_NE(two, ten);
  // Status and streamer writes do not touch the event bodies.
  model_.put_status(status("alpha", true));
  model_.put_streamer(streamer("alpha"));
  EXPECT_EQ(model_.events_body(2), two);

  model_.add_event(event(4), events_kept);
  auto two_after = model_.events_body(2);
  EXPECT_NE(two_after, two);
  EXPECT_NE(model_.events_body(10), ten);
  EXPECT_EQ(event_ids(2), (strings{"msg-4", "msg-3"}));
}

TEST_F(ReadModel, EventsBodiesCachedAreFewWhateverTheLimits) {
  for (int i = 1; i <= 1000; ++i) model_.add_event(event(i), events_kept);
  auto fifty = model_.events_body(50);
  auto all = *model_.events_body(1000);
  for (size_t limit = 1; limit <= 1000; ++limit) {
    auto body = model_.events_body(limit);
    // The newest `limit` of the full list, cut at an event boundary.
    auto cut = body->size() - 2;
    ASSERT_EQ(body->substr(0, cut), all.substr(0, cut)) << limit;
    ASSERT_EQ(all[cut], limit == 1000 ? ']' : ',') << limit;
    ASSERT_LE(model_.cached_events_bodies(), read_model::hot_events_bodies);
  }
  EXPECT_EQ(event_ids(1000).size(), 1000u);
  // A body no longer cached is rebuilt alike; a hot one is shared.
  auto again = model_.events_body(50);
  EXPECT_EQ(*again, *fifty);
  EXPECT_EQ(model_.events_body(50), again);
}

TEST_F(ReadModel, LimitsPastTheEventCountShareOneBody) {
  for (int i = 1; i <= 3; ++i) model_.add_event(event(i), events_kept);
  EXPECT_EQ(model_.events_body(3), model_.events_body(1000));
  EXPECT_EQ(model_.events_body(4), model_.events_body(50));
}

TEST_F(ReadModel, LoadKeepsTheNewestEventsInOrder) {
  std::vector<event_record> events;  // newest first, as the backends give them
  for (int i = 9; i >= 1; --i) events.push_back(event(i));
  model_.load({}, {}, events, 4);
  EXPECT_EQ(event_ids(100), (strings{"msg-9", "msg-8", "msg-7", "msg-6"}));
  model_.add_event(event(10), 4);
  EXPECT_EQ(event_ids(100), (strings{"msg-10", "msg-9", "msg-8", "msg-7"}));
}

TEST_F(ReadModel, AddEventTrimsToKeep) {
  for (int i = 1; i <= 7; ++i) model_.add_event(event(i), 5);
  EXPECT_EQ(model_.event_count(), 5u);
  EXPECT_EQ(event_ids(100), (strings{"msg-7", "msg-6", "msg-5", "msg-4", "msg-3"}));
}

// --- load
// --------------------------------------------------------------------------------

TEST_F(ReadModel, LoadReplacesEverything) {
  model_.put_streamer(streamer("old"));
  model_.put_status(status("old", true));
  model_.add_event(event(99), events_kept);
  auto old_live = model_.live_body();
  auto old_streamers = model_.streamers_body();
  auto old_events = model_.events_body(10);

  std::vector<event_record> events;  // newest first
  for (int i = 5; i >= 1; --i) events.push_back(event(i));
  model_.load({streamer("bravo"), streamer("alpha")},
              {status("alpha", true), status("bravo", false)}, events, 3);

  EXPECT_EQ(model_.streamer("old"), nullptr);
  EXPECT_EQ(model_.status_body("old"), nullptr);
  EXPECT_EQ(model_.status_by_user_id("id-old"), nullptr);
  EXPECT_EQ(streamer_logins(), (strings{"alpha", "bravo"}));
  EXPECT_EQ(live_logins(), (strings{"alpha"}));
  EXPECT_EQ(model_.live_count(), 1u);
  EXPECT_EQ(model_.status_count(), 2u);
  EXPECT_EQ(model_.event_count(), 3u);  // trimmed to keep, newest kept
  EXPECT_EQ(event_ids(10), (strings{"msg-5", "msg-4", "msg-3"}));
  EXPECT_NE(model_.live_body(), old_live);
  EXPECT_NE(model_.streamers_body(), old_streamers);
  EXPECT_NE(model_.events_body(10), old_events);
  ASSERT_NE(model_.status_by_user_id("id-bravo"), nullptr);
  ASSERT_NE(model_.status_body("alpha"), nullptr);
  EXPECT_EQ(*model_.status_body("alpha"), to_json(status("alpha", true), "storage"));
}

}  // namespace
}  // namespace eventsubd::storage::read_model_tests

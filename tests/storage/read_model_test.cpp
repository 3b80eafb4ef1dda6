#include "storage/read_model.hpp"

#include "core/json_codec.hpp"
#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "tests/common/take.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace eventsubd::storage {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

streamer_record streamer(const std::string& login, const std::string& user_id = "") {
  streamer_record s;
  s.user_id = user_id.empty() ? "id-" + login : user_id;
  s.username = login;
  s.display_name = "Display_" + login;
  s.online_subscription_id = "on-" + login;
  s.offline_subscription_id = "off-" + login;
  s.is_active = true;
  return s;
}

stream_status status(const std::string& login, bool live,
                     const std::string& user_id = "") {
  stream_status s;
  s.user_id = user_id.empty() ? "id-" + login : user_id;
  s.username = login;
  s.display_name = "Display_" + login;
  s.is_live = live;
  s.stream_data = live ? R"({"id":"9001","type":"live"})" : "";
  s.last_updated = "2024-01-15T11:45:23.123456+00:00";
  s.last_event_type = live ? "stream.online" : "stream.offline";
  return s;
}

event_record event(int n) {
  event_record e;
  e.id = "msg-" + std::to_string(n);
  e.event_type = "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.0 + n;
  e.data = R"({"n":)" + std::to_string(n) + "}";
  return e;
}

class ReadModel : public ::testing::Test {
 protected:
  /// Parses a body; the returned element lives until the next call.
  element parse(const body_ptr& body) {
    EXPECT_NE(body, nullptr);
    if (!body) return {};
    element doc;
    EXPECT_EQ(parser_.parse(*body).get(doc), simdjson::SUCCESS) << *body;
    return doc;
  }

  /// The usernames in `GET /streams/live`, in order, and its count.
  std::vector<std::string> live_logins(int64_t* count = nullptr) {
    auto body = model_.live_body();
    auto doc = parse(body);
    array streams;
    EXPECT_EQ(doc["live_streams"].get(streams), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element s : streams) {
      std::string_view login;
      EXPECT_EQ(s["username"].get(login), simdjson::SUCCESS);
      bool live = false;
      EXPECT_EQ(s["is_live"].get(live), simdjson::SUCCESS);
      EXPECT_TRUE(live);
      element source;
      EXPECT_NE(s["source"].get(source), simdjson::SUCCESS) << "source in live_body";
      out.emplace_back(login);
    }
    int64_t n = -1;
    EXPECT_EQ(doc["count"].get(n), simdjson::SUCCESS);
    EXPECT_EQ(n, static_cast<int64_t>(out.size())) << *body;
    if (count) *count = n;
    return out;
  }

  /// The event ids in `GET /events?limit=N`, in order.
  std::vector<std::string> event_ids(size_t limit) {
    auto body = model_.events_body(limit);
    auto doc = parse(body);
    array events;
    EXPECT_EQ(doc["events"].get(events), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element e : events) {
      std::string_view id;
      EXPECT_EQ(e["id"].get(id), simdjson::SUCCESS);
      out.emplace_back(id);
    }
    return out;
  }

  /// The usernames in `GET /streamers`, in order.
  std::vector<std::string> streamer_logins() {
    auto body = model_.streamers_body();
    auto doc = parse(body);
    array items;
    EXPECT_EQ(doc.get(items), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element s : items) {
      std::string_view login;
      EXPECT_EQ(s["username"].get(login), simdjson::SUCCESS);
      out.emplace_back(login);
    }
    return out;
  }

  read_model model_;
  simdjson::dom::parser parser_;
};

using strings = std::vector<std::string>;

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

// --- streamers
// ---------------------------------------------------------------------------

TEST_F(ReadModel, StreamersBodySortedByLogin) {
  model_.put_streamer(streamer("charlie"));
  model_.put_streamer(streamer("alpha"));
  model_.put_streamer(streamer("bravo"));
  EXPECT_EQ(streamer_logins(), (strings{"alpha", "bravo", "charlie"}));
  EXPECT_EQ(*model_.streamers_body(), "[" + to_json(streamer("alpha")) + "," +
                                          to_json(streamer("bravo")) + "," +
                                          to_json(streamer("charlie")) + "]");
  ASSERT_NE(model_.streamer("bravo"), nullptr);
  EXPECT_EQ(model_.streamer("bravo")->display_name, "Display_bravo");
  EXPECT_EQ(model_.streamers().size(), 3u);
}

TEST_F(ReadModel, StreamersBodyCachedUntilAStreamerChanges) {
  model_.put_streamer(streamer("alpha"));
  auto first = model_.streamers_body();
  EXPECT_EQ(model_.streamers_body(), first);
  model_.put_status(status("alpha", true));
  model_.add_event(event(1), events_kept);
  EXPECT_EQ(model_.streamers_body(), first);

  auto inactive = streamer("alpha");
  inactive.is_active = false;
  inactive.online_subscription_id.clear();
  model_.put_streamer(inactive);
  auto second = model_.streamers_body();
  EXPECT_NE(second, first);
  EXPECT_EQ(*second, "[" + to_json(inactive) + "]");
  EXPECT_EQ(model_.streamers().size(), 1u);
}

TEST_F(ReadModel, StreamerBodyIsOneRecordOrNull) {
  EXPECT_EQ(model_.streamer_body("alpha"), nullptr);
  model_.put_streamer(streamer("alpha"));
  model_.put_streamer(streamer("bravo"));
  auto body = model_.streamer_body("bravo");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(*body, to_json(streamer("bravo")));
  std::string_view login;
  EXPECT_EQ(parse(body)["username"].get(login), simdjson::SUCCESS);
  EXPECT_EQ(login, "bravo");
  EXPECT_EQ(model_.streamer_body("Bravo"), nullptr);  // logins are exact
  model_.remove_streamer("bravo");
  EXPECT_EQ(model_.streamer_body("bravo"), nullptr);
}

TEST_F(ReadModel, StreamerBodyFollowsChanges) {
  model_.put_streamer(streamer("alpha"));
  auto inactive = streamer("alpha");
  inactive.is_active = false;
  model_.put_streamer(inactive);
  EXPECT_EQ(*model_.streamer_body("alpha"), to_json(inactive));
}

// --- remove_streamer
// ---------------------------------------------------------------------

TEST_F(ReadModel, RemoveStreamerDropsStatusAndLiveEntry) {
  model_.put_streamer(streamer("alpha"));
  model_.put_streamer(streamer("bravo"));
  model_.put_status(status("alpha", true));
  model_.put_status(status("bravo", true));
  auto live_before = model_.live_body();
  auto streamers_before = model_.streamers_body();

  EXPECT_TRUE(model_.remove_streamer("alpha"));
  EXPECT_EQ(model_.streamer("alpha"), nullptr);
  EXPECT_EQ(model_.status_body("alpha"), nullptr);
  EXPECT_EQ(model_.status_by_user_id("id-alpha"), nullptr);
  EXPECT_EQ(model_.live_count(), 1u);
  EXPECT_EQ(model_.status_count(), 1u);
  EXPECT_NE(model_.live_body(), live_before);
  EXPECT_EQ(live_logins(), (strings{"bravo"}));
  EXPECT_NE(model_.streamers_body(), streamers_before);
  EXPECT_EQ(streamer_logins(), (strings{"bravo"}));
  ASSERT_NE(model_.status_by_user_id("id-bravo"), nullptr);
}

TEST_F(ReadModel, RemoveUnknownStreamerIsFalse) {
  model_.put_streamer(streamer("alpha"));
  auto body = model_.streamers_body();
  EXPECT_FALSE(model_.remove_streamer("nobody"));
  EXPECT_EQ(model_.streamers_body(), body);
  EXPECT_TRUE(model_.remove_streamer("alpha"));
  EXPECT_FALSE(model_.remove_streamer("alpha"));
}

TEST_F(ReadModel, RemoveStreamerMirrorsTheBackendForAStatusWithoutStreamer) {
  // The storage actor applies every write to the backend and to the model. A status can
  // exist without a streamer record under that login (statuses come from webhooks for
  // any broadcaster). Removing a streamer that is not monitored changes nothing, in the
  // backend and in the model alike (the API answers 404).
  memory_backend db;
  ASSERT_TRUE(db.put_status(status("newname", true)));
  model_.put_status(status("newname", true));

  bool existed = true;
  ASSERT_TRUE(take(existed, db.remove_streamer("newname")));
  EXPECT_FALSE(existed);
  EXPECT_FALSE(model_.remove_streamer("newname"));

  std::vector<stream_status> stored;
  ASSERT_TRUE(take(stored, db.load_statuses()));
  EXPECT_EQ(stored.size(), 1u);
  EXPECT_EQ(model_.status_count(), stored.size());
  EXPECT_NE(model_.status_body("newname"), nullptr);
  EXPECT_EQ(model_.live_count(), 1u);
}

TEST_F(ReadModel, RemoveStatusDropsItsLiveEntryAndIndex) {
  model_.put_status(status("alpha", true));
  auto live = model_.live_body();
  model_.remove_status("alpha");
  EXPECT_EQ(model_.status_body("alpha"), nullptr);
  EXPECT_EQ(model_.status_by_user_id("id-alpha"), nullptr);
  EXPECT_EQ(model_.live_count(), 0u);
  EXPECT_NE(model_.live_body(), live);
  model_.remove_status("alpha");  // again: no effect
  EXPECT_EQ(model_.status_count(), 0u);
}

TEST_F(ReadModel, RemoveOfflineStreamerKeepsLiveBody) {
  model_.put_streamer(streamer("alpha"));
  model_.put_streamer(streamer("bravo"));
  model_.put_status(status("alpha", false));
  model_.put_status(status("bravo", true));
  auto live = model_.live_body();
  EXPECT_TRUE(model_.remove_streamer("alpha"));
  EXPECT_EQ(model_.live_body(), live);
  EXPECT_EQ(model_.status_count(), 1u);
}

TEST_F(ReadModel, RemoveStreamerKeepsEvents) {
  model_.put_streamer(streamer("cool_user"));
  model_.add_event(event(1), events_kept);
  auto events = model_.events_body(10);
  EXPECT_TRUE(model_.remove_streamer("cool_user"));
  EXPECT_EQ(model_.events_body(10), events);
  EXPECT_EQ(model_.event_count(), 1u);
}

// --- status_by_user_id
// -------------------------------------------------------------------

TEST_F(ReadModel, StatusByUserId) {
  model_.put_status(status("alpha", true, "111"));
  model_.put_status(status("bravo", false, "222"));
  auto a = model_.status_by_user_id("111");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->username, "alpha");
  EXPECT_TRUE(a->is_live);
  auto b = model_.status_by_user_id("222");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->username, "bravo");
  EXPECT_EQ(model_.status_by_user_id("333"), nullptr);
  EXPECT_EQ(model_.status_by_user_id(""), nullptr);
}

TEST_F(ReadModel, StatusByUserIdFollowsUpdates) {
  model_.put_status(status("alpha", false, "111"));
  model_.put_status(status("alpha", true, "111"));
  auto a = model_.status_by_user_id("111");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->is_live);
}

TEST_F(ReadModel, StatusByUserIdAfterLoginRename) {
  // User 111 was "oldname", renamed on Twitch to "newname": same user id, new login.
  model_.put_status(status("oldname", false, "111"));
  model_.put_status(status("newname", true, "111"));
  auto s = model_.status_by_user_id("111");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->username, "newname");
  EXPECT_TRUE(s->is_live);

  // Dropping the old login must not lose the lookup for the new one.
  model_.put_streamer(streamer("oldname", "111"));
  EXPECT_TRUE(model_.remove_streamer("oldname"));
  s = model_.status_by_user_id("111");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->username, "newname");
}

TEST_F(ReadModel, StatusByUserIdAfterLoginRenameAndReuseOfTheOldLogin) {
  // User 111 renames "oldname" -> "newname"; later another user (222) takes "oldname"
  // and a status for "oldname" is written with the new owner's id.
  model_.put_status(status("oldname", true, "111"));
  model_.put_status(status("newname", true, "111"));
  model_.put_status(status("oldname", false, "222"));

  auto renamed = model_.status_by_user_id("111");
  ASSERT_NE(renamed, nullptr) << "user 111 (now 'newname') lost its lookup";
  EXPECT_EQ(renamed->username, "newname");
  auto reused = model_.status_by_user_id("222");
  ASSERT_NE(reused, nullptr);
  EXPECT_EQ(reused->username, "oldname");
}

TEST_F(ReadModel, StatusByUserIdAfterLoginRenameSurvivesARestart) {
  // The storage actor writes each status to the backend and the model; after a restart
  // the model is rebuilt with load() from the backend. A renamed user (same id, old and
  // new login both stored) must resolve to the same status before and after.
  memory_backend db;
  auto old_status = status("zed_old", false, "111");
  old_status.last_updated = "2024-01-15T10:00:00.000000+00:00";
  auto new_status = status("amy_new", true, "111");
  new_status.last_updated = "2024-01-15T11:00:00.000000+00:00";
  for (const auto& s : {old_status, new_status}) {
    ASSERT_TRUE(db.put_status(s));
    model_.put_status(s);
  }
  auto before = model_.status_by_user_id("111");
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->username, "amy_new");

  std::vector<stream_status> statuses;
  ASSERT_TRUE(take(statuses, db.load_statuses()));
  read_model restarted;
  restarted.load({}, statuses, {}, events_kept);
  auto after = restarted.status_by_user_id("111");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->username, "amy_new") << "the older login's status won after reload";
  EXPECT_TRUE(after->is_live);
}

TEST_F(ReadModel, StatusByUserIdWhenAUserIdChangesForALogin) {
  model_.put_status(status("alpha", false, "111"));
  model_.put_status(status("alpha", false, "999"));
  EXPECT_EQ(model_.status_by_user_id("111"), nullptr);
  auto s = model_.status_by_user_id("999");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->username, "alpha");
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

// --- the published status view --------------------------------------------------------

TEST_F(ReadModel, PublishedViewHoldsTheSameBodiesAsTheModel) {
  model_.put_status(status("before", true));  // published when the view is attached
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_status(status("after", false));
  for (const char* login : {"before", "after"}) {
    ASSERT_NE(view->find(login), nullptr) << login;
    EXPECT_EQ(view->find(login), model_.status_body(login))
        << login;  // shared, not copied
  }
  EXPECT_EQ(view->find("nobody"), nullptr);
  EXPECT_EQ(view->find("Before"), nullptr);  // exact, like the model
}

TEST_F(ReadModel, PublishedViewFollowsUpdatesRenamesAndRemovals) {
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_streamer(streamer("alice"));
  model_.put_status(status("alice", false));
  model_.put_status(status("alice", true));
  EXPECT_EQ(*view->find("alice"), to_json(status("alice", true), "storage"));
  model_.remove_status("alice");
  EXPECT_EQ(view->find("alice"), nullptr);
  model_.put_status(status("alice", true));
  EXPECT_TRUE(model_.remove_streamer("alice"));
  EXPECT_EQ(view->find("alice"), nullptr);
}

TEST_F(ReadModel, PublishedViewIsReplacedOnLoad) {
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_status(status("old", true));
  model_.load({}, {status("fresh", false)}, {}, events_kept);
  EXPECT_EQ(view->find("old"), nullptr);
  ASSERT_NE(view->find("fresh"), nullptr);
  EXPECT_EQ(view->find("fresh"), model_.status_body("fresh"));
}

TEST(StatusView, ReadersOnOtherThreadsSeeWholeBodiesWhileTheWriterChangesThem) {
  status_view view;
  std::atomic<bool> done{false};
  std::atomic<long> seen{0};
  auto reader = [&] {
    while (!done.load()) {
      for (int i = 0; i < 64; ++i) {
        auto body = view.find("user" + std::to_string(i));
        if (!body) continue;
        // Every body is one of the versions the writer made, never a torn one.
        ASSERT_EQ(body->rfind("user" + std::to_string(i) + ":", 0), 0u) << *body;
        ++seen;
      }
    }
  };
  std::thread a{reader}, b{reader};
  for (int round = 0; round < 2000; ++round)
    for (int i = 0; i < 64; ++i) {
      auto login = "user" + std::to_string(i);
      if (round % 7 == 3 && i % 5 == 0)
        view.remove(login);
      else
        view.put(login, make_body(login + ":" + std::to_string(round)));
    }
  done = true;
  a.join();
  b.join();
  EXPECT_GT(seen.load(), 0);
  EXPECT_EQ(*view.find("user1"), "user1:1999");
  view.clear();
  EXPECT_EQ(view.find("user1"), nullptr);
}

}  // namespace
}  // namespace eventsubd::storage

// One suite for every storage backend. To run it against another backend, add a factory
// and one line to `backend_factories()` below.

#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "storage/redis_backend.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/common/take.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace eventsubd::storage {
namespace {

struct backend_factory {
  std::string name;
  std::function<std::unique_ptr<backend>()> make;
};

std::unique_ptr<backend> make_memory_backend() {
  return std::make_unique<memory_backend>();
}

/// A real redis-server (started once for this binary), emptied for every test.
std::unique_ptr<backend> make_redis_backend() {
  auto& server = testing::redis_server::shared();
  server.flush_all();
  redis_endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = server.port();
  return std::make_unique<redis_backend>(endpoint);
}

std::vector<backend_factory> backend_factories() {
  return {
      {"memory", make_memory_backend},
      {"redis", make_redis_backend},
  };
}

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

stream_status status(const std::string& login, bool live) {
  stream_status s;
  s.user_id = "id-" + login;
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
  e.event_type = n % 2 ? "stream.offline" : "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.0 + n;
  e.data = R"({"n":)" + std::to_string(n) + "}";
  return e;
}

void expect_same(const streamer_record& a, const streamer_record& b) {
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.online_subscription_id, b.online_subscription_id);
  EXPECT_EQ(a.offline_subscription_id, b.offline_subscription_id);
  EXPECT_EQ(a.is_active, b.is_active);
}

void expect_same(const stream_status& a, const stream_status& b) {
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.is_live, b.is_live);
  EXPECT_EQ(a.stream_data, b.stream_data);
  EXPECT_EQ(a.last_updated, b.last_updated);
  EXPECT_EQ(a.last_event_type, b.last_event_type);
}

void expect_same(const event_record& a, const event_record& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.event_type, b.event_type);
  EXPECT_EQ(a.broadcaster_id, b.broadcaster_id);
  EXPECT_EQ(a.broadcaster_login, b.broadcaster_login);
  EXPECT_EQ(a.broadcaster_name, b.broadcaster_name);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_DOUBLE_EQ(a.score, b.score);
  EXPECT_EQ(a.data, b.data);
}

class BackendSuite : public ::testing::TestWithParam<backend_factory> {
 protected:
  void SetUp() override {
    db_ = GetParam().make();
    ASSERT_NE(db_, nullptr);
  }

  std::vector<streamer_record> streamers() {
    std::vector<streamer_record> out;
    EXPECT_TRUE(take(out, db_->load_streamers()));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    return out;
  }

  std::vector<stream_status> statuses() {
    std::vector<stream_status> out;
    EXPECT_TRUE(take(out, db_->load_statuses()));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    return out;
  }

  std::vector<event_record> events(size_t limit) {
    std::vector<event_record> out;
    EXPECT_TRUE(take(out, db_->load_events(limit)));
    return out;
  }

  std::unique_ptr<backend> db_;
};

TEST_P(BackendSuite, NameAndConnected) {
  EXPECT_EQ(db_->name(), GetParam().name);
  EXPECT_TRUE(db_->connected());
}

TEST_P(BackendSuite, StartsEmpty) {
  EXPECT_TRUE(streamers().empty());
  EXPECT_TRUE(statuses().empty());
  EXPECT_TRUE(events(100).empty());
}

// --- streamers
// ---------------------------------------------------------------------------

TEST_P(BackendSuite, PutAndLoadStreamers) {
  ASSERT_TRUE(db_->put_streamer(streamer("bravo")));
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  auto all = streamers();
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], streamer("alpha"));
  expect_same(all[1], streamer("bravo"));
}

TEST_P(BackendSuite, PutStreamerReplacesByUsername) {
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  auto changed = streamer("alpha", "999");
  changed.display_name = "ALPHA";
  changed.online_subscription_id.clear();
  changed.offline_subscription_id.clear();
  changed.is_active = false;
  ASSERT_TRUE(db_->put_streamer(changed));
  auto all = streamers();
  ASSERT_EQ(all.size(), 1u);
  expect_same(all[0], changed);
}

TEST_P(BackendSuite, RemoveExistingStreamer) {
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  ASSERT_TRUE(db_->put_streamer(streamer("bravo")));
  bool existed = false;
  ASSERT_TRUE(take(existed, db_->remove_streamer("alpha")));
  EXPECT_TRUE(existed);
  auto all = streamers();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].username, "bravo");
}

TEST_P(BackendSuite, RemoveMissingStreamer) {
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  bool existed = true;
  ASSERT_TRUE(take(existed, db_->remove_streamer("nobody")));
  EXPECT_FALSE(existed);
  EXPECT_EQ(streamers().size(), 1u);

  existed = false;
  ASSERT_TRUE(take(existed, db_->remove_streamer("alpha")));
  EXPECT_TRUE(existed);
  existed = true;
  ASSERT_TRUE(take(existed, db_->remove_streamer("alpha")));  // second time: gone
  EXPECT_FALSE(existed);
}

TEST_P(BackendSuite, RemoveStreamerRemovesItsStatusToo) {
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  ASSERT_TRUE(db_->put_streamer(streamer("bravo")));
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  ASSERT_TRUE(db_->put_status(status("bravo", false)));
  bool existed = false;
  ASSERT_TRUE(take(existed, db_->remove_streamer("alpha")));
  EXPECT_TRUE(existed);
  auto left = statuses();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].username, "bravo");
}

TEST_P(BackendSuite, RemoveUnmonitoredNameKeepsAStatusStoredUnderIt) {
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  bool existed = true;
  ASSERT_TRUE(take(existed, db_->remove_streamer("alpha")));
  EXPECT_FALSE(existed);
  EXPECT_EQ(statuses().size(), 1u);
}

TEST_P(BackendSuite, RemoveStatus) {
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  ASSERT_TRUE(db_->put_status(status("bravo", false)));
  ASSERT_TRUE(db_->remove_status("alpha"));
  ASSERT_TRUE(db_->remove_status("nobody"));
  auto left = statuses();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].username, "bravo");
}

TEST_P(BackendSuite, RemoveStreamerKeepsEvents) {
  ASSERT_TRUE(db_->put_streamer(streamer("cool_user")));
  ASSERT_TRUE(db_->append_event(event(1), events_kept));
  bool existed = false;
  ASSERT_TRUE(take(existed, db_->remove_streamer("cool_user")));
  EXPECT_EQ(events(10).size(), 1u);
}

// --- statuses
// ----------------------------------------------------------------------------

TEST_P(BackendSuite, PutAndLoadStatuses) {
  ASSERT_TRUE(db_->put_status(status("bravo", false)));
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  auto all = statuses();
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], status("alpha", true));
  expect_same(all[1], status("bravo", false));
}

TEST_P(BackendSuite, PutStatusReplacesByUsername) {
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  ASSERT_TRUE(db_->put_status(status("alpha", false)));
  auto all = statuses();
  ASSERT_EQ(all.size(), 1u);
  expect_same(all[0], status("alpha", false));
  EXPECT_TRUE(all[0].stream_data.empty());
}

TEST_P(BackendSuite, StatusesAreIndependentOfStreamers) {
  ASSERT_TRUE(db_->put_status(status("alpha", true)));
  EXPECT_TRUE(streamers().empty());
  EXPECT_EQ(statuses().size(), 1u);
}

// --- events
// ------------------------------------------------------------------------------

TEST_P(BackendSuite, AppendAndLoadEventsNewestFirst) {
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(db_->append_event(event(i), events_kept));
  auto all = events(10);
  ASSERT_EQ(all.size(), 3u);
  expect_same(all[0], event(3));
  expect_same(all[1], event(2));
  expect_same(all[2], event(1));
}

TEST_P(BackendSuite, LoadEventsLimit) {
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(db_->append_event(event(i), events_kept));
  auto two = events(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].id, "msg-5");
  EXPECT_EQ(two[1].id, "msg-4");
  EXPECT_TRUE(events(0).empty());
  EXPECT_EQ(events(5).size(), 5u);
  EXPECT_EQ(events(1000).size(), 5u);
}

TEST_P(BackendSuite, AnEventAppendedAgainIsStoredOnce) {
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(db_->append_event(event(i), events_kept));
  ASSERT_TRUE(db_->append_event(event(2), events_kept));
  ASSERT_TRUE(db_->append_event(event(1), events_kept));
  auto all = events(10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "msg-3");
  EXPECT_EQ(all[1].id, "msg-2");
  EXPECT_EQ(all[2].id, "msg-1");
}

TEST_P(BackendSuite, AppendTrimsToKeepNewest) {
  constexpr int total = 1005;
  for (int i = 1; i <= total; ++i)
    ASSERT_TRUE(db_->append_event(event(i), events_kept)) << i;
  auto all = events(5000);
  ASSERT_EQ(all.size(), events_kept);
  EXPECT_EQ(events_kept, 1000u);
  // Newest first: 1005, 1004, ..., 6; the oldest five are gone.
  for (size_t k = 0; k < all.size(); ++k)
    ASSERT_EQ(all[k].id, "msg-" + std::to_string(total - static_cast<int>(k))) << k;
  expect_same(all.front(), event(total));
  expect_same(all.back(), event(6));
}

TEST_P(BackendSuite, AppendWithSmallKeep) {
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(db_->append_event(event(i), 2));
  auto all = events(10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "msg-4");
  EXPECT_EQ(all[1].id, "msg-3");
}

TEST_P(BackendSuite, EventsWithTheSameTimestampKeepInsertionOrder) {
  for (int i = 1; i <= 3; ++i) {
    auto e = event(i);
    e.score = 1705319123.0;  // same second
    ASSERT_TRUE(db_->append_event(e, events_kept));
  }
  auto all = events(10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "msg-3");
  EXPECT_EQ(all[2].id, "msg-1");
}

TEST_P(BackendSuite, WritesDoNotDisconnect) {
  ASSERT_TRUE(db_->put_streamer(streamer("alpha")));
  ASSERT_TRUE(db_->append_event(event(1), events_kept));
  EXPECT_TRUE(db_->connected());
}

TEST_P(BackendSuite, SeenMessageIdsAreKeptAndLoaded) {
  std::vector<std::string> seen;
  ASSERT_TRUE(take(seen, db_->load_seen()));
  EXPECT_TRUE(seen.empty());
  ASSERT_TRUE(db_->mark_seen("id-a", std::chrono::seconds(600)));
  ASSERT_TRUE(db_->mark_seen("id-b", std::chrono::seconds(600)));
  ASSERT_TRUE(db_->mark_seen("id-a", std::chrono::seconds(600)));  // again: no change
  ASSERT_TRUE(take(seen, db_->load_seen()));
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"id-a", "id-b"}));
}

TEST_P(BackendSuite, SeenMessageIdsExpire) {
  ASSERT_TRUE(db_->mark_seen("short", std::chrono::seconds(1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the TTL itself
  std::vector<std::string> seen;
  ASSERT_TRUE(take(seen, db_->load_seen()));
  EXPECT_TRUE(seen.empty());
}

TEST_P(BackendSuite, ApplyRunsABatchInOrder) {
  std::vector<write_op> ops{
      put_streamer_op{streamer("alpha")},
      put_status_op{status("alpha", true)},
      append_event_op{event(1), events_kept},
      append_event_op{event(2), events_kept},
      put_status_op{status("beta", false)},
      remove_status_op{"beta"},
      put_streamer_op{streamer("gamma")},
      remove_streamer_op{"gamma"},
      mark_seen_op{"msg-1", std::chrono::seconds(600)},
  };
  ASSERT_TRUE(db_->apply(ops));
  ASSERT_TRUE(db_->apply(ops));  // a batch sent again (its answer lost) changes nothing
  auto s = streamers();
  ASSERT_EQ(s.size(), 1u);
  expect_same(s[0], streamer("alpha"));
  auto st = statuses();
  ASSERT_EQ(st.size(), 1u);
  expect_same(st[0], status("alpha", true));
  auto ev = events(10);
  // Events are set members (Redis) or deduplicated (memory): a replayed append (a batch
  // or the journal sent again) adds nothing.
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].id, "msg-2");
}

TEST_P(BackendSuite, ApplyTrimsEvents) {
  std::vector<write_op> ops;
  for (int n = 0; n < 5; ++n) ops.push_back(append_event_op{event(n), 3});
  ASSERT_TRUE(db_->apply(ops));
  auto ev = events(10);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].id, "msg-4");
  EXPECT_EQ(ev[2].id, "msg-2");
}

// --- state machine memories
// ---------------------------------------------------------------------------

TEST_P(BackendSuite, StreamMemoriesArePutReplacedLoadedAndRemoved) {
  stream_memory m;
  m.current = stream_memory::phase::live;
  m.live_id = "222";
  m.ended.push_back({"111", end_cause::offline_event,
                     *parse_rfc3339("2024-01-15T10:00:00.000001+00:00")});
  ASSERT_TRUE(db_->put_stream_memory("42", m));
  ASSERT_TRUE(db_->apply({put_stream_memory_op{"43", m}}));
  m.live_id = "333";
  ASSERT_TRUE(db_->put_stream_memory("42", m));  // replaces
  std::vector<std::pair<std::string, stream_memory>> out;
  ASSERT_TRUE(take(out, db_->load_stream_memories()));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, "42");
  EXPECT_EQ(out[0].second, m);
  EXPECT_EQ(out[1].second.live_id, "222");
  ASSERT_TRUE(db_->apply({remove_stream_memory_op{"43"}}));
  ASSERT_TRUE(db_->remove_stream_memory("nobody"));
  ASSERT_TRUE(take(out, db_->load_stream_memories()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "42");
}

TEST(RedisLayout, PerTypeSubscriptionIdsHaveTheirOwnKey) {
  auto db = make_redis_backend();
  auto s = streamer("alpha");
  ASSERT_TRUE(db->put_streamer(s));
  auto& server = testing::redis_server::shared();
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", server.port(), tv);
  ASSERT_TRUE(c && !c->err);
  auto hget = [&](const char* key) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "HGET %s alpha", key));
    std::string out = r && r->str ? std::string(r->str, r->len) : "";
    if (r) freeReplyObject(r);
    return out;
  };
  // Exactly the old service's shape in twitch:streamers...
  EXPECT_EQ(
      hget("twitch:streamers"),
      R"({"user_id":"id-alpha","username":"alpha","display_name":"Display_alpha","subscription_id":"on-alpha","is_active":true})");
  // ...and both ids under the new key.
  EXPECT_EQ(hget("twitch:subscription_ids"),
            R"({"stream.online":"on-alpha","stream.offline":"off-alpha"})");
  bool existed = false;
  ASSERT_TRUE(take(existed, db->remove_streamer("alpha")));
  EXPECT_EQ(hget("twitch:subscription_ids"), "");
  redisFree(c);
}

TEST(RedisLayout, AStreamerWrittenByTheOldServiceHasItsOnlineIdOnly) {
  auto db = make_redis_backend();
  auto& server = testing::redis_server::shared();
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", server.port(), tv);
  ASSERT_TRUE(c && !c->err);
  auto* r = static_cast<redisReply*>(redisCommand(
      c, "HSET twitch:streamers old %s",
      R"({"user_id": "1", "username": "old", "display_name": "Old", "subscription_id": "sub-1", "is_active": true})"));
  freeReplyObject(r);
  redisFree(c);
  std::vector<streamer_record> out;
  ASSERT_TRUE(take(out, db->load_streamers()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].online_subscription_id, "sub-1");
  EXPECT_TRUE(out[0].offline_subscription_id.empty());  // reconciliation finds it
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendSuite, ::testing::ValuesIn(backend_factories()),
                         [](const ::testing::TestParamInfo<backend_factory>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace eventsubd::storage

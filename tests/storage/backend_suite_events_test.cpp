// The backend suite (see backend_suite_test.cpp): events, seen message ids, batches and
// the stream state machine's memories.
#include "core/time.hpp"
#include "storage/backend.hpp"
#include "tests/storage/backend_suite.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace eventsubd::storage::backend_tests {
namespace {

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

}  // namespace
}  // namespace eventsubd::storage::backend_tests

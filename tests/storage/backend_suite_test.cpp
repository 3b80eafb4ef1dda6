// One suite for every storage backend (these tests, backend_suite_events_test.cpp's, on
// the fixture in backend_suite.hpp). To run it against another backend, add a factory
// to backend_suite.hpp and one line to `backend_factories()` below.

#include "tests/storage/backend_suite.hpp"

#include "storage/backend.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::storage::backend_tests {
namespace {

std::vector<backend_factory> backend_factories() {
  return {
      {"memory", make_memory_backend},
      {"redis", make_redis_backend},
  };
}

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

INSTANTIATE_TEST_SUITE_P(Backends, BackendSuite, ::testing::ValuesIn(backend_factories()),
                         [](const ::testing::TestParamInfo<backend_factory>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace eventsubd::storage::backend_tests

// The read model's streamers: their bodies, removal (and what it takes with it), and
// statuses found by user id through renames.
#include "core/json_codec.hpp"
#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "storage/read_model.hpp"
#include "tests/common/take.hpp"
#include "tests/storage/read_model_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::storage::read_model_tests {
namespace {

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

}  // namespace
}  // namespace eventsubd::storage::read_model_tests

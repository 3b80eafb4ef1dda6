// The reconciliation decision, case by case: what to adopt, create and delete given our
// streamers and Twitch's listing.
#include "twitch/reconcile_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace eventsubd::twitch {
namespace {

const std::string ours = "https://example.com/webhooks/eventsub";
const std::string theirs = "https://other.example/cb";

streamer_record streamer(const std::string& id, const std::string& on = "",
                         const std::string& off = "") {
  return {id, "login" + id, "Login" + id, on, off, !on.empty() && !off.empty()};
}

twitch_subscription sub(const std::string& id, const std::string& broadcaster,
                        const std::string& type, const std::string& status = "enabled",
                        const std::string& callback = ours) {
  return {id, type, status, broadcaster, callback, "2024-01-01T00:00:00Z", 1};
}

std::vector<std::string> deleted_ids(const reconcile_plan& p) {
  std::vector<std::string> out;
  for (const auto& d : p.to_delete) out.push_back(d.subscription.id);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(reconcile_plan, nothing_to_do_when_twitch_has_exactly_ours) {
  auto p = plan_reconciliation(
      {streamer("1", "a", "b")},
      {sub("a", "1", "stream.online"), sub("b", "1", "stream.offline")}, ours, true);
  EXPECT_TRUE(p.to_create.empty());
  EXPECT_TRUE(p.to_delete.empty());
  EXPECT_TRUE(p.orphans.empty());
  EXPECT_EQ(p.adopted, 0);
  EXPECT_TRUE(p.streamers[0].is_active);
}

TEST(reconcile_plan, missing_subscriptions_are_created) {
  auto p = plan_reconciliation({streamer("1")}, {}, ours, true);
  ASSERT_EQ(p.to_create.size(), 2u);
  EXPECT_EQ(p.to_create[0].streamer, 0u);
  EXPECT_EQ(p.to_create[0].type, "stream.online");
  EXPECT_EQ(p.to_create[1].type, "stream.offline");
  EXPECT_FALSE(p.streamers[0].is_active);
}

TEST(reconcile_plan, nothing_is_created_when_subscriptions_cannot_be_made) {
  auto p = plan_reconciliation({streamer("1")}, {}, ours, false);
  EXPECT_TRUE(p.to_create.empty());
  EXPECT_FALSE(p.streamers[0].is_active);
}

TEST(reconcile_plan, a_usable_subscription_we_did_not_know_is_adopted) {
  auto p = plan_reconciliation(
      {streamer("1")},
      {sub("a", "1", "stream.online"),
       sub("b", "1", "stream.offline", "webhook_callback_verification_pending")},
      ours, true);
  EXPECT_EQ(p.adopted, 2);
  EXPECT_EQ(p.streamers[0].online_subscription_id, "a");
  EXPECT_EQ(p.streamers[0].offline_subscription_id, "b");
  EXPECT_TRUE(p.streamers[0].is_active);
  EXPECT_TRUE(p.to_create.empty());
}

TEST(reconcile_plan, the_known_id_is_kept_and_extra_usable_ones_are_duplicates) {
  auto p = plan_reconciliation(
      {streamer("1", "known", "off")},
      {sub("older", "1", "stream.online"), sub("known", "1", "stream.online"),
       sub("off", "1", "stream.offline")},
      ours, true);
  EXPECT_EQ(p.streamers[0].online_subscription_id, "known");
  ASSERT_EQ(p.to_delete.size(), 1u);
  EXPECT_EQ(p.to_delete[0].subscription.id, "older");
  EXPECT_EQ(p.to_delete[0].why, "duplicate");
  EXPECT_EQ(p.adopted, 0);
}

TEST(reconcile_plan, without_a_known_usable_id_the_oldest_usable_is_kept) {
  auto p = plan_reconciliation(
      {streamer("1", "gone", "")},
      {sub("first", "1", "stream.online"), sub("second", "1", "stream.online")}, ours,
      true);
  EXPECT_EQ(p.streamers[0].online_subscription_id, "first");
  EXPECT_EQ(deleted_ids(p), std::vector<std::string>{"second"});
  EXPECT_EQ(p.adopted, 1);
}

TEST(reconcile_plan, failed_and_revoked_ones_are_deleted_and_recreated) {
  auto p = plan_reconciliation(
      {streamer("1", "bad", "worse")},
      {sub("bad", "1", "stream.online", "webhook_callback_verification_failed"),
       sub("worse", "1", "stream.offline", "notification_failures_exceeded")},
      ours, true);
  EXPECT_EQ(deleted_ids(p), (std::vector<std::string>{"bad", "worse"}));
  for (const auto& d : p.to_delete) EXPECT_EQ(d.why, "failed");
  EXPECT_EQ(p.to_create.size(), 2u);
  EXPECT_TRUE(p.streamers[0].online_subscription_id.empty());
  EXPECT_FALSE(p.streamers[0].is_active);
}

TEST(reconcile_plan, ours_of_unmonitored_broadcasters_are_orphans) {
  auto p = plan_reconciliation(
      {streamer("1", "a", "b")},
      {sub("a", "1", "stream.online"), sub("b", "1", "stream.offline"),
       sub("x", "9", "stream.online"),
       sub("y", "9", "stream.offline", "authorization_revoked")},
      ours, true);
  ASSERT_EQ(p.orphans.size(), 2u);
  EXPECT_EQ(p.orphans[0].broadcaster_user_id, "9");
  EXPECT_TRUE(p.to_delete.empty());
}

TEST(reconcile_plan, other_callbacks_and_other_types_are_never_touched) {
  auto p = plan_reconciliation(
      {streamer("1", "a", "b")},
      {sub("a", "1", "stream.online"), sub("b", "1", "stream.offline"),
       sub("t1", "1", "stream.online", "enabled", theirs),
       sub("t2", "9", "stream.online", "enabled", theirs),
       sub("f", "1", "channel.follow")},
      ours, true);
  EXPECT_TRUE(p.to_delete.empty());
  EXPECT_TRUE(p.orphans.empty());
  EXPECT_EQ(p.streamers[0].online_subscription_id, "a");
}

TEST(reconcile_plan, without_a_callback_nothing_is_ours) {
  auto p = plan_reconciliation(
      {streamer("1", "a", "b")},
      {sub("a", "1", "stream.online"), sub("b", "1", "stream.offline")}, "", false);
  EXPECT_TRUE(p.to_delete.empty());
  EXPECT_TRUE(p.orphans.empty());
  EXPECT_EQ(p.streamers[0].online_subscription_id, "a");  // unchanged
  EXPECT_TRUE(p.streamers[0].is_active);
}

TEST(reconcile_plan, many_streamers_are_planned_independently) {
  std::vector<streamer_record> monitored;
  std::vector<twitch_subscription> listed;
  for (int i = 0; i < 300; ++i) {
    auto id = std::to_string(i);
    monitored.push_back(streamer(id));
    if (i % 2 == 0) listed.push_back(sub("on-" + id, id, "stream.online"));
  }
  auto p = plan_reconciliation(monitored, listed, ours, true);
  EXPECT_EQ(p.adopted, 150);
  EXPECT_EQ(p.to_create.size(), 450u);  // 300 offline + 150 online
}

}  // namespace
}  // namespace eventsubd::twitch

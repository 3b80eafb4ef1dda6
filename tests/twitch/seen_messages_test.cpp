// The webhook's dedupe set: ids kept as digests, expiry in order, forget-then-redeliver.
#include "twitch/seen_messages.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;

const sys_time t0 = sys_time{} + std::chrono::hours(24 * 365 * 50);

TEST(seen_messages_test, remembers_each_id_once) {
  seen_messages seen;
  EXPECT_FALSE(seen.contains("befa7b53-d79d-478f-86b9-120f112b044e"));
  EXPECT_TRUE(seen.remember("befa7b53-d79d-478f-86b9-120f112b044e", t0));
  EXPECT_TRUE(seen.contains("befa7b53-d79d-478f-86b9-120f112b044e"));
  EXPECT_FALSE(seen.remember("befa7b53-d79d-478f-86b9-120f112b044e", t0 + 1s));
  EXPECT_FALSE(seen.contains("befa7b53-d79d-478f-86b9-120f112b044f"));  // one char off
  EXPECT_FALSE(seen.contains(""));
  EXPECT_EQ(seen.size(), 1u);

  // A precomputed key is the same as the id's.
  auto k = seen.key_of("another-id");
  EXPECT_FALSE(seen.contains(k));
  EXPECT_TRUE(seen.remember(k, t0));
  EXPECT_TRUE(seen.contains("another-id"));
  EXPECT_EQ(seen.key_of("another-id"), k);
}

TEST(seen_messages_test, many_distinct_ids_stay_distinct) {
  seen_messages seen;
  for (int i = 0; i < 100000; ++i)
    ASSERT_TRUE(seen.remember("msg-" + std::to_string(i), t0)) << i;
  EXPECT_EQ(seen.size(), 100000u);
  EXPECT_TRUE(seen.contains("msg-99999"));
  EXPECT_FALSE(seen.contains("msg-100000"));
}

TEST(seen_messages_test, expires_in_order_of_remembering) {
  seen_messages seen;
  seen.remember("a", t0);
  seen.remember("b", t0 + 10s);
  seen.remember("c", t0 + 20s);
  EXPECT_EQ(seen.expire_before(t0), 0u);  // strictly before
  EXPECT_EQ(seen.expire_before(t0 + 15s), 2u);
  EXPECT_FALSE(seen.contains("a"));
  EXPECT_FALSE(seen.contains("b"));
  EXPECT_TRUE(seen.contains("c"));
  EXPECT_EQ(seen.expire_before(t0 + 1h), 1u);
  EXPECT_EQ(seen.size(), 0u);
  EXPECT_EQ(seen.expire_before(t0 + 2h), 0u);
}

TEST(seen_messages_test, a_forgotten_id_is_new_again_and_keeps_its_new_expiry) {
  seen_messages seen;
  seen.remember("retry-me", t0);
  seen.forget("retry-me");  // its change could not be stored
  EXPECT_FALSE(seen.contains("retry-me"));
  EXPECT_EQ(seen.expire_before(t0 + 1s), 0u);  // the stale entry expires nothing

  seen.remember("again", t0);
  seen.forget("again");
  EXPECT_TRUE(seen.remember("again", t0 + 30s));  // Twitch's retry, applied
  EXPECT_EQ(seen.expire_before(t0 + 10s), 0u);    // the first entry does not remove it
  EXPECT_TRUE(seen.contains("again"));
  EXPECT_EQ(seen.expire_before(t0 + 31s), 1u);
  EXPECT_FALSE(seen.contains("again"));

  seen.forget("never-seen");  // harmless
  EXPECT_EQ(seen.size(), 0u);
}

}  // namespace
}  // namespace eventsubd::twitch

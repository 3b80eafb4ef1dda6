#include "core/stream_state.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eventsubd {
namespace {

using phase = stream_state_machine::phase;

/// Minutes after a fixed base instant (2024-01-15T00:00:00Z).
sys_time t(int minutes) {
  return sys_time{std::chrono::seconds{1705276800}} + std::chrono::minutes{minutes};
}

stream_observation online(std::string id, sys_time started_at) {
  return {true, std::move(id), started_at};
}

stream_observation offline(sys_time sent_at) {
  return {false, {}, sent_at};
}

/// Considers and, when the verdict is apply, commits (what the streamer actor does).
stream_verdict feed(stream_state_machine& m, const stream_observation& obs) {
  auto v = m.consider(obs);
  if (v == stream_verdict::apply) m.commit(obs);
  return v;
}

TEST(StreamState, StartsUnknown) {
  stream_state_machine m;
  EXPECT_EQ(m.current_phase(), phase::unknown);
  EXPECT_EQ(m.stream_id(), "");
}

TEST(StreamState, UnknownToOnlineApplies) {
  stream_state_machine m;
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::apply);
  m.commit(online("s1", t(0)));
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.stream_id(), "s1");
}

TEST(StreamState, UnknownToOfflineApplies) {
  stream_state_machine m;
  EXPECT_EQ(feed(m, offline(t(0))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.stream_id(), "");
}

TEST(StreamState, ConsiderDoesNotChangeState) {
  stream_state_machine m;
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::unknown);
}

TEST(StreamState, DuplicateOnlineSameStreamId) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  // A resend (same stream, maybe a new message id), also with a later or earlier time.
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(5))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(-5))), stream_verdict::duplicate);
  EXPECT_EQ(m.current_phase(), phase::live);
}

TEST(StreamState, OnlineWithoutStreamIdWhileLiveIsDuplicate) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("", t(1))), stream_verdict::duplicate);
}

TEST(StreamState, LiveToOfflineApplies) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.stream_id(), "");
}

TEST(StreamState, OnlineForEndedStreamIsDuplicateAndDoesNotFlipBack) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  // The online of the stream that just ended arrives again (late retry), even with a
  // time after the offline: it must not make the broadcaster live again.
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(61))), stream_verdict::duplicate);
  EXPECT_EQ(m.current_phase(), phase::offline);
}

TEST(StreamState, OnlineStartedBeforeAppliedOfflineIsStale) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  // A different stream that started before the offline we applied: out of order.
  EXPECT_EQ(m.consider(online("s0", t(30))), stream_verdict::stale);
  EXPECT_EQ(m.current_phase(), phase::offline);
}

TEST(StreamState, OnlineAfterOfflineWithNewStreamApplies) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(feed(m, online("s2", t(90))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.stream_id(), "s2");
}

TEST(StreamState, OnlineAtTheSameInstantAsOfflineApplies) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s2", t(60))), stream_verdict::apply);
}

TEST(StreamState, OfflineWhileOfflineIsDuplicate) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, offline(t(0))), stream_verdict::apply);
  EXPECT_EQ(m.consider(offline(t(10))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(offline(t(-10))), stream_verdict::duplicate);

  stream_state_machine m2;
  ASSERT_EQ(feed(m2, online("s1", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m2, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(m2.consider(offline(t(60))), stream_verdict::duplicate);  // resend
  EXPECT_EQ(m2.consider(offline(t(70))), stream_verdict::duplicate);
}

TEST(StreamState, OfflineSentBeforeCurrentStreamStartedIsStale) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s2", t(100))), stream_verdict::apply);
  // The offline of an earlier stream, delivered late.
  EXPECT_EQ(m.consider(offline(t(50))), stream_verdict::stale);
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.stream_id(), "s2");
  // An offline sent after the stream started applies.
  EXPECT_EQ(m.consider(offline(t(100))), stream_verdict::apply);
  EXPECT_EQ(m.consider(offline(t(150))), stream_verdict::apply);
}

TEST(StreamState, NewStreamWhileLiveAppliesAndEndsTheOldOne) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  // The offline of s1 was missed; s2 starts.
  EXPECT_EQ(feed(m, online("s2", t(120))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.stream_id(), "s2");
  // s1 is now remembered as ended: its late resend is a duplicate.
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(200))), stream_verdict::duplicate);
}

TEST(StreamState, NewStreamWhileLiveThatStartedEarlierIsStale) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s2", t(120))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s1", t(0))), stream_verdict::stale);
  EXPECT_EQ(m.stream_id(), "s2");
}

TEST(StreamState, LastTransitionNeverMovesBackwards) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(100))), stream_verdict::apply);
  // Committed directly with an older time (callers only commit `apply`, but the clock of
  // the machine must still not go back).
  m.commit(offline(t(50)));
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.consider(online("s9", t(75))), stream_verdict::stale);
  EXPECT_EQ(m.consider(online("s9", t(100))), stream_verdict::apply);
}

TEST(StreamState, RestoreLive) {
  stream_state_machine m;
  m.restore(true, "s7", t(100));
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.stream_id(), "s7");
  EXPECT_EQ(m.consider(online("s7", t(100))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(offline(t(99))), stream_verdict::stale);
  EXPECT_EQ(m.consider(online("s8", t(99))), stream_verdict::stale);
  EXPECT_EQ(m.consider(online("s8", t(101))), stream_verdict::apply);
  EXPECT_EQ(feed(m, offline(t(160))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.consider(online("s7", t(200))), stream_verdict::duplicate);
}

TEST(StreamState, RestoreOffline) {
  stream_state_machine m;
  m.restore(false, "ignored", t(100));
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.stream_id(), "");
  EXPECT_EQ(m.consider(offline(t(200))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(50))), stream_verdict::stale);
  EXPECT_EQ(m.consider(online("s1", t(150))), stream_verdict::apply);
}

TEST(StreamState, RestoreReplacesEarlierState) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  m.restore(false, "", t(10));
  EXPECT_EQ(m.current_phase(), phase::offline);
  EXPECT_EQ(m.consider(offline(t(20))), stream_verdict::duplicate);
}

TEST(StreamState, RemembersTheLastEightEndedStreamIds) {
  stream_state_machine m;
  // Nine streams, each going online then offline: s0 .. s8.
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(feed(m, online("s" + std::to_string(i), t(10 * i))), stream_verdict::apply)
        << i;
    ASSERT_EQ(feed(m, offline(t(10 * i + 5))), stream_verdict::apply) << i;
  }
  const sys_time later = t(1000);
  // s1..s8 are still known as ended.
  for (int i = 1; i < 9; ++i)
    EXPECT_EQ(m.consider(online("s" + std::to_string(i), later)),
              stream_verdict::duplicate)
        << i;
  // s0, the oldest, has been forgotten: judged by time alone.
  EXPECT_EQ(m.consider(online("s0", later)), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s0", t(0))), stream_verdict::stale);
}

TEST(StreamState, EndedIdsIncludeStreamsReplacedWhileLive) {
  stream_state_machine m;
  // s0 .. s8 each replaced by the next without an offline.
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(feed(m, online("s" + std::to_string(i), t(10 * i))), stream_verdict::apply)
        << i;
  EXPECT_EQ(m.stream_id(), "s9");
  // ended: s1..s8 plus s0 dropped when s9 was committed (9 ended, 8 kept).
  EXPECT_EQ(m.consider(online("s1", t(1000))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s8", t(1000))), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s0", t(1000))), stream_verdict::apply);
}

TEST(StreamState, EmptyStreamIdsAreNotRememberedAsEnded) {
  stream_state_machine m;
  ASSERT_EQ(feed(m, online("", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::live);
  ASSERT_EQ(feed(m, offline(t(10))), stream_verdict::apply);
  // A poll-detected online without an id after the offline is a new transition.
  EXPECT_EQ(m.consider(online("", t(20))), stream_verdict::apply);
}

}  // namespace
}  // namespace eventsubd

#include "core/stream_state.hpp"

#include "core/json_codec.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eventsubd {
namespace {

using phase = stream_state_machine::phase;
using namespace std::chrono_literals;

constexpr auto lag = std::chrono::seconds(600);

/// Minutes after a fixed base instant (2024-01-15T00:00:00Z).
sys_time t(int minutes) {
  return sys_time{std::chrono::seconds{1705276800}} + std::chrono::minutes{minutes};
}

/// A webhook online: sent by Twitch at `sent`, for a stream that started at `started`.
stream_observation online(std::string id, sys_time started, sys_time sent) {
  return {true, std::move(id), started, sent, change_source::webhook};
}
stream_observation online(std::string id, sys_time started) {
  return online(std::move(id), started, started);
}

/// A webhook offline sent by Twitch at `sent`.
stream_observation offline(sys_time sent) {
  return {false, {}, {}, sent, change_source::webhook};
}

/// A poll that lists stream `id` (started at `started`), seen at `seen`.
stream_observation polled_live(std::string id, sys_time started, sys_time seen) {
  return {true, std::move(id), started, seen, change_source::polling};
}

stream_observation polled_offline(sys_time seen) {
  return {false, {}, {}, seen, change_source::polling};
}

/// Considers at `at` and, when the verdict is apply, commits (what the streamer actor
/// does).
stream_verdict feed(stream_state_machine& m, const stream_observation& obs, sys_time at) {
  auto v = m.consider(obs, at);
  if (v == stream_verdict::apply) m.commit(obs, at);
  return v;
}
stream_verdict feed(stream_state_machine& m, const stream_observation& obs) {
  return feed(m, obs, obs.sent_at);
}

/// A machine that went through a restart: its memory written out as JSON and read back.
stream_state_machine restarted(const stream_state_machine& m) {
  auto json = to_json(m.memory());
  auto back = parse_stream_memory(json);
  EXPECT_TRUE(back.has_value()) << json;
  stream_state_machine fresh{lag};
  if (back) fresh.restore(*back);
  return fresh;
}

/// Runs a scenario twice: straight through, and with a restart between any two steps.
/// `steps` feed the machine; the last one's verdict is returned.
template <class Check>
void with_and_without_restart(Check check) {
  check([](stream_state_machine& m) -> stream_state_machine& { return m; });
  check([](stream_state_machine& m) -> stream_state_machine& {
    m = restarted(m);
    return m;
  });
}

TEST(StreamState, StartsUnknown) {
  stream_state_machine m{lag};
  EXPECT_EQ(m.current_phase(), phase::unknown);
  EXPECT_EQ(m.stream_id(), "");
}

TEST(StreamState, UnknownToOnlineAndToOfflineApply) {
  stream_state_machine a{lag}, b{lag};
  EXPECT_EQ(feed(a, online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(a.current_phase(), phase::live);
  EXPECT_EQ(a.stream_id(), "s1");
  EXPECT_EQ(feed(b, offline(t(0))), stream_verdict::apply);
  EXPECT_EQ(b.current_phase(), phase::offline);
}

TEST(StreamState, ConsiderDoesNotChangeState) {
  stream_state_machine m{lag};
  EXPECT_EQ(m.consider(online("s1", t(0)), t(0)), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s1", t(0)), t(0)), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::unknown);
}

TEST(StreamState, RepeatedOnlineForTheLiveStreamIsDuplicate) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s1", t(0)), t(1)), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s1", t(-5)), t(1)), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(polled_live("s1", t(0), t(5)), t(5)), stream_verdict::duplicate);
}

TEST(StreamState, OfflineWhileOfflineIsDuplicate) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("s1", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(m.consider(offline(t(60)), t(61)), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(offline(t(10)), t(61)), stream_verdict::duplicate);
}

// The issue's reproduction: online 111, offline, then online 222 that started before the
// offline's message timestamp (a restart within the second, or a late offline).
TEST(StreamState, NewStreamIdIsAppliedWhateverTheTimestamps) {
  with_and_without_restart([](auto between) {
    stream_state_machine m{lag};
    ASSERT_EQ(feed(between(m), online("111", t(0))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), offline(t(60))), stream_verdict::apply);
    EXPECT_EQ(feed(between(m), online("222", t(59), t(61))), stream_verdict::apply);
    EXPECT_EQ(m.current_phase(), phase::live);
    EXPECT_EQ(m.stream_id(), "222");
    // And its polls are metadata of the live stream, not outdated reports.
    EXPECT_EQ(between(m).consider(polled_live("222", t(59), t(65)), t(65)),
              stream_verdict::duplicate);
  });
}

TEST(StreamState, LateOrRetriedOnlineOfAnEndedStreamNeverFlipsBack) {
  with_and_without_restart([](auto between) {
    stream_state_machine m{lag};
    ASSERT_EQ(feed(between(m), online("111", t(0))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), offline(t(60))), stream_verdict::apply);
    EXPECT_EQ(between(m).consider(online("111", t(0), t(1)), t(62)),
              stream_verdict::stale);
    EXPECT_EQ(m.consider(online("111", t(0), t(61)), t(200)), stream_verdict::stale);
    EXPECT_EQ(m.current_phase(), phase::offline);
  });
}

TEST(StreamState, OnlineOfAStreamReplacedByANewerOneIsStale) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("111", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, online("222", t(30))), stream_verdict::apply);  // 111 missed its end
  EXPECT_EQ(m.consider(online("111", t(0), t(31)), t(31)), stream_verdict::stale);
  EXPECT_EQ(m.consider(polled_live("111", t(0), t(40)), t(40)), stream_verdict::stale);
  EXPECT_EQ(m.stream_id(), "222");
}

TEST(StreamState, OfflineSentBeforeTheCurrentOnlineWasSentIsStale) {
  with_and_without_restart([](auto between) {
    stream_state_machine m{lag};
    ASSERT_EQ(feed(between(m), online("111", t(0))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), online("222", t(30), t(30))), stream_verdict::apply);
    // 111's offline, sent at 29 (before 222's online was sent), delivered late.
    EXPECT_EQ(feed(between(m), offline(t(29))), stream_verdict::stale);
    EXPECT_EQ(m.stream_id(), "222");
  });
}

// A late offline sent after the next stream's online: it ends that stream (an offline has
// no stream id); polling sees the stream live and brings it back.
TEST(StreamState, LateOfflineAfterTheNextOnlineIsCorrectedByPolling) {
  with_and_without_restart([](auto between) {
    stream_state_machine m{lag};
    ASSERT_EQ(feed(between(m), online("111", t(0))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), online("222", t(30), t(30))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), offline(t(31))), stream_verdict::apply);
    EXPECT_EQ(m.current_phase(), phase::offline);
    // Within Helix's lag window a listing of 222 could be lag: asked again later.
    EXPECT_EQ(between(m).consider(polled_live("222", t(30), t(33)), t(33)),
              stream_verdict::recheck_later);
    EXPECT_EQ(m.recheck_at("222"), t(31) + lag);
    // Still listed after the window: it is live.
    EXPECT_EQ(feed(between(m), polled_live("222", t(30), t(42)), t(42)),
              stream_verdict::apply);
    EXPECT_EQ(m.current_phase(), phase::live);
    EXPECT_EQ(m.stream_id(), "222");
  });
}

TEST(StreamState, OfflineSentBeforeAPolledStreamStartedIsCorrectedAtTheFirstPoll) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("222", t(30), t(30))), stream_verdict::apply);
  // The offline was sent at 31 but the stream Helix lists started at 32: the offline
  // cannot be about it (here: a stream id Twitch reused after a quick restart).
  ASSERT_EQ(feed(m, offline(t(31))), stream_verdict::apply);
  EXPECT_EQ(feed(m, polled_live("222", t(32), t(33)), t(33)), stream_verdict::apply);
  EXPECT_EQ(m.current_phase(), phase::live);
}

TEST(StreamState, OfflineSentBeforeAPolledStreamStartedIsStale) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, polled_live("s1", t(10), t(12)), t(12)), stream_verdict::apply);
  EXPECT_EQ(m.consider(offline(t(5)), t(13)), stream_verdict::stale);
  EXPECT_EQ(feed(m, offline(t(20))), stream_verdict::apply);
}

TEST(StreamState, GetStreamsLagAfterAnOfflineNeverFlipsBack) {
  with_and_without_restart([](auto between) {
    stream_state_machine m{lag};
    ASSERT_EQ(feed(between(m), online("111", t(0))), stream_verdict::apply);
    ASSERT_EQ(feed(between(m), offline(t(60))), stream_verdict::apply);
    for (int minute : {60, 62, 65, 69})
      EXPECT_EQ(between(m).consider(polled_live("111", t(0), t(minute)), t(minute)),
                stream_verdict::recheck_later)
          << minute;
    EXPECT_EQ(m.current_phase(), phase::offline);
  });
}

TEST(StreamState, PolledOfflineThenListedAgainIsLive) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("111", t(0))), stream_verdict::apply);
  ASSERT_EQ(feed(m, polled_offline(t(20)), t(20)), stream_verdict::apply);
  EXPECT_EQ(feed(m, polled_live("111", t(0), t(25)), t(25)), stream_verdict::apply);
  EXPECT_EQ(m.stream_id(), "111");
}

TEST(StreamState, OnlineWithoutIdIsJudgedByTime) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("", t(0))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("", t(1)), t(1)), stream_verdict::duplicate);
  ASSERT_EQ(feed(m, offline(t(10))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("", t(5)), t(11)), stream_verdict::stale);
  EXPECT_EQ(m.consider(online("", t(20)), t(21)), stream_verdict::apply);
}

TEST(StreamState, RestoreFromStatusAlone) {
  stream_state_machine m{lag};
  m.restore_from_status(true, "s7", t(0));
  EXPECT_EQ(m.current_phase(), phase::live);
  EXPECT_EQ(m.consider(online("s7", t(0)), t(1)), stream_verdict::duplicate);
  EXPECT_EQ(m.consider(online("s8", t(-5)), t(1)), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(60))), stream_verdict::apply);
  EXPECT_EQ(m.consider(online("s7", t(0)), t(61)), stream_verdict::stale);
}

TEST(StreamState, RemembersTheLastSixteenEndedStreams) {
  stream_state_machine m{lag};
  for (int i = 0; i < 17; ++i) {
    ASSERT_EQ(feed(m, online("s" + std::to_string(i), t(10 * i))), stream_verdict::apply);
    ASSERT_EQ(feed(m, offline(t(10 * i + 5))), stream_verdict::apply);
  }
  EXPECT_EQ(m.memory().ended.size(), stream_memory::ended_kept);
  for (int i = 1; i < 17; ++i)
    EXPECT_EQ(m.consider(online("s" + std::to_string(i), t(1000)), t(1000)),
              stream_verdict::stale)
        << i;
  // s0, the oldest, is forgotten: an unknown id is a new stream.
  EXPECT_EQ(m.consider(online("s0", t(1000)), t(1000)), stream_verdict::apply);
}

TEST(StreamState, MemoryRoundTripsThroughJson) {
  stream_state_machine m{lag};
  ASSERT_EQ(feed(m, online("111", t(0), t(1))), stream_verdict::apply);
  ASSERT_EQ(feed(m, online("222", t(30), t(31))), stream_verdict::apply);
  ASSERT_EQ(feed(m, offline(t(40))), stream_verdict::apply);
  ASSERT_EQ(feed(m, online("333", t(50), t(51))), stream_verdict::apply);
  auto back = parse_stream_memory(to_json(m.memory()));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m.memory());
  EXPECT_FALSE(parse_stream_memory(R"({"phase":"sideways"})"));
  EXPECT_FALSE(parse_stream_memory("[1]"));
}

}  // namespace
}  // namespace eventsubd

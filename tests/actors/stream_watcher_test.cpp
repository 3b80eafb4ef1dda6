// The stream watcher on CAF's deterministic test coordinator: batching of Get Streams
// requests, metadata matching, backoff and giving up, re-checks, failed rounds and
// replaced watches. Time is the coordinator's: `advance_to` steps it (50 ms unless told).
// The watcher over the real scheduler and Helix worker is in
// stream_watcher_helix_test.cpp.
#include "actors/stream_watcher.hpp"

#include "tests/actors/recording_streamer.hpp"
#include "tests/actors/scripted_twitch_actor.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;
using clock = std::chrono::steady_clock;

twitch::twitch_stream listed_stream(const std::string& user_id,
                                    const std::string& stream_id) {
  twitch::twitch_stream s;
  s.id = stream_id;
  s.user_id = user_id;
  s.raw = R"({"id":")" + stream_id + R"("})";
  return s;
}

class stream_watcher_test : public ::testing::Test {
 protected:
  static caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  clock::time_point t0 = sched.clock().now();
  std::shared_ptr<scripted_twitch_state> helix =
      std::make_shared<scripted_twitch_state>();
  scripted_twitch_actor twitch = sys.spawn(scripted_twitch, helix);
  std::shared_ptr<std::vector<watch_result>> results =
      std::make_shared<std::vector<watch_result>>();
  streamer_actor streamer = sys.spawn(recording_streamer, results);
  stream_watcher_actor watcher;

  void start(stream_watcher_config config = {}) {
    watcher = sys.spawn(stream_watcher_fn, twitch, config);
    sched.run();
  }
  ~stream_watcher_test() override {
    for (auto h :
         {caf::actor_cast<caf::actor>(watcher), caf::actor_cast<caf::actor>(twitch),
          caf::actor_cast<caf::actor>(streamer)})
      if (h) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Watches `stream_id` of `user_id`; times are offsets from the test's start.
  void watch(const std::string& user_id, const std::string& stream_id,
             watch_purpose purpose, clock::duration not_before = {},
             clock::duration give_up = 2min) {
    caf::anon_send(watcher, watch_atom::value,
                   stream_watch{streamer, user_id, stream_id, purpose, t0 + not_before,
                                t0 + give_up});
    sched.run();
  }
  void watch_metadata(const std::string& user_id, const std::string& stream_id,
                      clock::duration give_up = 2min) {
    watch(user_id, stream_id, watch_purpose::metadata, {}, give_up);
  }
  /// Runs the actors until `offset` after the start, firing timers on the way: a timer
  /// runs at the end of the `step` it falls into.
  void advance_to(clock::duration offset, clock::duration step = 50ms) {
    while (sched.clock().now() + step <= t0 + offset) {
      sched.advance_time(step);
      sched.run();
    }
  }
  /// When each Get Streams request was sent: milliseconds since the start.
  std::vector<int64_t> request_times() const {
    std::vector<int64_t> out;
    for (const auto& c : helix->streams_calls)
      out.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(c.at - t0).count());
    return out;
  }
  strings sorted_ids(size_t request) const {
    auto ids = helix->streams_calls.at(request).args;
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

TEST_F(stream_watcher_test, watches_within_the_batch_window_cost_one_request) {
  start();
  strings all;
  for (int i = 0; i < 250; ++i) {
    auto id = std::to_string(1000 + i);
    all.push_back(id);
    helix->live[id] = listed_stream(id, "s" + id);
  }
  for (int i = 0; i < 100; ++i) watch_metadata(all[i], "s" + all[i]);
  advance_to(100ms);
  for (int i = 100; i < 250; ++i) watch_metadata(all[i], "s" + all[i]);
  advance_to(200ms);
  EXPECT_TRUE(helix->streams_calls.empty());  // still collecting
  advance_to(250ms);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_EQ(sorted_ids(0), all);  // all 250 ids; the scheduler splits 100 per call
  EXPECT_EQ(helix->streams_calls[0].ticket.cls, twitch::work_class::bulk);
  EXPECT_EQ(results->size(), 250u);
  advance_to(5min);
  EXPECT_EQ(helix->streams_calls.size(), 1u);  // everything was delivered
}

TEST_F(stream_watcher_test, metadata_is_delivered_only_for_the_watched_stream_id) {
  start();
  helix->live["1"] = listed_stream("1", "s-old");  // Helix still lists the last stream
  watch_metadata("1", "s-new");
  advance_to(250ms);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_TRUE(results->empty());
  helix->live["1"] = listed_stream("1", "s-new");
  advance_to(2250ms);  // the next attempt, 2 s later
  ASSERT_EQ(helix->streams_calls.size(), 2u);
  ASSERT_EQ(results->size(), 1u);
  const auto& r = results->front();
  EXPECT_EQ(r.purpose, watch_purpose::metadata);
  EXPECT_EQ(r.stream_id, "s-new");
  EXPECT_TRUE(r.listed);
  EXPECT_EQ(r.stream.id, "s-new");
  advance_to(5min);
  EXPECT_EQ(helix->streams_calls.size(), 2u);
  EXPECT_EQ(results->size(), 1u);
}

TEST_F(stream_watcher_test, unlisted_metadata_is_asked_again_with_backoff_until_give_up) {
  start();  // defaults: 2, 4, 8, 16 s, then the 30 s maximum
  watch_metadata("1", "s1", 120s);
  // Another watch registered shortly before the first retry joins its round.
  advance_to(2s);
  helix->live["2"] = listed_stream("2", "s2");
  watch_metadata("2", "s2");
  advance_to(10min);
  // Then 120.25 s would be past give_up: no more.
  EXPECT_EQ(request_times(),
            (std::vector<int64_t>{250, 2250, 6250, 14250, 30250, 60250, 90250}));
  ASSERT_GE(helix->streams_calls.size(), 2u);
  EXPECT_EQ(sorted_ids(1), (strings{"1", "2"}));
  ASSERT_EQ(results->size(), 1u);  // only s2: s1 was never listed
  EXPECT_EQ(results->front().stream_id, "s2");
}

TEST_F(stream_watcher_test, a_recheck_is_delivered_once_after_not_before_listed_or_not) {
  start();
  helix->live["2"] = listed_stream("2", "s2");
  watch("1", "s1", watch_purpose::recheck, 30s);
  watch("2", "s2", watch_purpose::recheck, 30s);
  advance_to(29950ms);
  EXPECT_TRUE(helix->streams_calls.empty());
  advance_to(30s);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_EQ(sorted_ids(0), (strings{"1", "2"}));
  ASSERT_EQ(results->size(), 2u);
  for (const auto& r : *results) {
    EXPECT_EQ(r.purpose, watch_purpose::recheck);
    EXPECT_EQ(r.listed, r.stream_id == "s2") << r.stream_id;
  }
  advance_to(10min);
  EXPECT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_EQ(results->size(), 2u);
}

TEST_F(stream_watcher_test, a_failed_round_is_retried_later_in_one_batch) {
  start();  // error_backoff 10 s
  helix->fail_streams = 1;
  helix->live["1"] = listed_stream("1", "s1");
  helix->live["2"] = listed_stream("2", "s2");
  watch_metadata("1", "s1");
  watch_metadata("2", "s2");
  advance_to(10s);
  ASSERT_EQ(helix->streams_calls.size(), 1u);  // the failed round
  EXPECT_TRUE(results->empty());
  advance_to(10250ms);
  ASSERT_EQ(helix->streams_calls.size(), 2u);
  EXPECT_EQ(sorted_ids(1), (strings{"1", "2"}));
  EXPECT_EQ(results->size(), 2u);
}

TEST_F(stream_watcher_test, a_newer_watch_replaces_the_older_before_its_round) {
  start();
  helix->live["1"] = listed_stream("1", "s-old");
  watch_metadata("1", "s-old");
  watch_metadata("1", "s-new");  // the broadcaster went live again
  advance_to(250ms);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_TRUE(results->empty());  // s-old is listed, but nobody watches it any more
  helix->live["1"] = listed_stream("1", "s-new");
  advance_to(5min);
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->front().stream_id, "s-new");
}

TEST_F(stream_watcher_test, a_newer_watch_replaces_the_older_while_its_round_is_out) {
  start();
  helix->hold_streams = true;
  helix->live["1"] = listed_stream("1", "s-old");
  watch("1", "s-old", watch_purpose::recheck);
  advance_to(250ms);
  ASSERT_EQ(helix->streams_calls.size(), 1u);  // its answer is held
  watch("1", "s-new", watch_purpose::recheck, 30s);
  caf::anon_send(twitch, release_atom::value);
  sched.run();
  // The answer about the replaced watch is not delivered, not for it nor the new one.
  EXPECT_TRUE(results->empty());
  helix->hold_streams = false;
  advance_to(30s);
  ASSERT_EQ(helix->streams_calls.size(), 2u);
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->front().stream_id, "s-new");
}

TEST_F(stream_watcher_test, a_broadcaster_watched_for_both_purposes_is_asked_once) {
  start();
  helix->live["1"] = listed_stream("1", "s-new");
  watch("1", "s-old", watch_purpose::recheck);
  watch_metadata("1", "s-new");
  advance_to(250ms);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_EQ(helix->streams_calls[0].args, strings{"1"});
  ASSERT_EQ(results->size(), 2u);  // one answer for both watches
  for (const auto& r : *results) {
    EXPECT_TRUE(r.listed);
    EXPECT_EQ(r.stream.id, "s-new");
  }
}

TEST_F(stream_watcher_test, a_recheck_whose_rounds_keep_failing_is_dropped) {
  start();  // 6 attempts; after a failed round 10 s at least, else 2, 4, 8, 16, 30 s
  helix->fail_streams = 100;
  watch("1", "s1", watch_purpose::recheck, 30s);
  advance_to(10min);
  EXPECT_EQ(request_times(),
            (std::vector<int64_t>{30000, 40000, 50000, 60000, 76000, 106000}));
  // Nothing is delivered: Helix never said whether the stream is listed.
  EXPECT_TRUE(results->empty());
}

TEST_F(stream_watcher_test, metadata_whose_rounds_keep_failing_is_dropped_at_give_up) {
  start();
  helix->fail_streams = 100;
  watch_metadata("1", "s1", 30s);
  advance_to(10min);
  // The next attempt, at 30.25 s, would be past give_up.
  EXPECT_EQ(request_times(), (std::vector<int64_t>{250, 10250, 20250}));
  EXPECT_TRUE(results->empty());
}

TEST_F(stream_watcher_test, a_watch_due_between_two_milliseconds_is_asked_when_due) {
  start();
  helix->live["1"] = listed_stream("1", "s1");
  // Streamer actors compute their times on the nanosecond.
  watch("1", "s1", watch_purpose::recheck, 1000ms + 500us);
  advance_to(990ms);
  advance_to(2s, 1ms);
  EXPECT_EQ(request_times(), std::vector<int64_t>{1001});
  EXPECT_EQ(results->size(), 1u);
}

}  // namespace
}  // namespace eventsubd::testing

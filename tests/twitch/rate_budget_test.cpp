// rate_budget with an injected wall clock: waits end when the test moves time, never by
// sleeping.
#include "twitch/rate_budget.hpp"

#include "core/logging.hpp"
#include "tests/common/eventually.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <future>
#include <sstream>
#include <vector>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;
using sys_clock = std::chrono::system_clock;

using testing::eventually;

class rate_budget_test : public ::testing::Test {
 protected:
  static constexpr int64_t t0 = 1'700'000'000;  // unix seconds
  std::atomic<int64_t> now_ms{t0 * 1000};

  rate_budget_config config() {
    rate_budget_config cfg;
    cfg.clock = [this] {
      return sys_clock::time_point(std::chrono::milliseconds(now_ms));
    };
    return cfg;
  }
  void advance(std::chrono::milliseconds d) { now_ms += d.count(); }

  /// wait_turn on a thread of its own. It gives up after 30 s of real time, so a
  /// failed test (whose fake clock stands still) ends instead of hanging in ~future.
  std::future<bool> turn(rate_budget& b, work_class cls,
                         std::function<bool()> cancelled = {}) {
    auto give_up = std::chrono::steady_clock::now() + 30s;
    return std::async(std::launch::async, [&b, cls, cancelled, give_up] {
      return b.wait_turn(cls, [&] {
        return (cancelled && cancelled()) || std::chrono::steady_clock::now() > give_up;
      });
    });
  }
  static int64_t waits(const rate_budget& b, work_class cls) {
    return b.snapshot().waits[static_cast<size_t>(cls)];
  }
  static bool ready(std::future<bool>& f) {
    return f.wait_for(0s) == std::future_status::ready;
  }
};

TEST_F(rate_budget_test, nothing_known_nobody_waits) {
  rate_budget b(config());
  for (auto cls : {work_class::interactive, work_class::lookup, work_class::bulk})
    EXPECT_TRUE(b.wait_turn(cls, {}));
  auto s = b.snapshot();
  EXPECT_EQ(s.remaining, -1);
  EXPECT_EQ(s.limit, 800);
  EXPECT_EQ(s.waits, (std::array<int64_t, 3>{0, 0, 0}));
  EXPECT_EQ(b.until_reset(), 0s);
  EXPECT_EQ(to_string(work_class::interactive), "interactive");
  EXPECT_EQ(to_string(work_class::lookup), "lookup");
  EXPECT_EQ(to_string(work_class::bulk), "bulk");
}

TEST_F(rate_budget_test, each_turn_spends_a_point_and_answers_set_the_truth) {
  rate_budget b(config());
  b.observe(800, 100, t0 + 60);
  EXPECT_TRUE(b.wait_turn(work_class::bulk, {}));
  EXPECT_TRUE(b.wait_turn(work_class::interactive, {}));
  EXPECT_EQ(b.snapshot().remaining, 98);
  b.observe(0, 120, t0 + 60);  // no Ratelimit-Limit: the last one is kept
  auto s = b.snapshot();
  EXPECT_EQ(s.remaining, 120);
  EXPECT_EQ(s.limit, 800);
  EXPECT_EQ(s.reset_unix_s, t0 + 60);
  EXPECT_EQ(b.until_reset(), 61s);  // with the margin, rounded up
}

TEST_F(rate_budget_test, bulk_waits_at_its_reserve_until_the_reset_others_go_on) {
  rate_budget b(config());
  b.observe(800, 80, t0 + 30);  // bulk keeps 10% (80) back
  auto bulk = turn(b, work_class::bulk);
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 1; }));
  EXPECT_FALSE(ready(bulk));
  // Lookups keep 3% (24) back and interactive work nothing: both still go.
  EXPECT_TRUE(b.wait_turn(work_class::lookup, {}));
  EXPECT_TRUE(b.wait_turn(work_class::interactive, {}));
  EXPECT_EQ(waits(b, work_class::lookup), 0);
  advance(30s);  // at the reset, but not past the margin
  EXPECT_FALSE(ready(bulk));
  advance(500ms);
  ASSERT_EQ(bulk.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(bulk.get());
  EXPECT_EQ(b.snapshot().remaining, -1);  // full again, by how much the next answer tells
  EXPECT_TRUE(b.wait_turn(work_class::bulk, {}));
  EXPECT_EQ(waits(b, work_class::bulk), 1);
}

TEST_F(rate_budget_test, reserves_follow_the_limit_with_a_floor) {
  rate_budget b(config());
  b.observe(20, 5, t0 + 60);  // 10% of 20 is 2: the floor of 5 applies to bulk
  auto bulk = turn(b, work_class::bulk);
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 1; }));
  EXPECT_TRUE(b.wait_turn(work_class::lookup, {}));  // floor 2: 5 > 2
  EXPECT_TRUE(b.wait_turn(work_class::lookup, {}));  // 4 > 2
  EXPECT_TRUE(b.wait_turn(work_class::lookup, {}));  // 3 > 2
  auto lookup = turn(b, work_class::lookup);         // 2: at the reserve
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::lookup) == 1; }));
  b.observe(20, 20, t0 + 60);  // an answer says the bucket refilled: both go
  ASSERT_EQ(bulk.wait_for(5s), std::future_status::ready);
  ASSERT_EQ(lookup.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(bulk.get());
  EXPECT_TRUE(lookup.get());
}

TEST_F(rate_budget_test, interactive_waits_only_when_nothing_is_left) {
  rate_budget b(config());
  b.observe(800, 1, t0 + 10);
  EXPECT_TRUE(b.wait_turn(work_class::interactive, {}));
  auto next = turn(b, work_class::interactive);
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::interactive) == 1; }));
  EXPECT_FALSE(ready(next));
  advance(11s);
  ASSERT_EQ(next.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(next.get());
}

TEST_F(rate_budget_test, concurrent_workers_never_spend_past_the_reserve) {
  rate_budget b(config());
  b.observe(100, 20, t0 + 60);  // bulk reserve: 10, so exactly 10 bulk calls go
  std::vector<std::future<bool>> workers;
  for (int i = 0; i < 20; ++i) workers.push_back(turn(b, work_class::bulk));
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 10; }));
  int done = 0;
  for (auto& w : workers) done += ready(w);
  EXPECT_LE(done, 10);
  EXPECT_EQ(b.snapshot().remaining, 10);
  advance(61s);
  for (auto& w : workers) {
    ASSERT_EQ(w.wait_for(5s), std::future_status::ready);
    EXPECT_TRUE(w.get());
  }
  EXPECT_EQ(waits(b, work_class::bulk), 10);
}

TEST_F(rate_budget_test, a_cancelled_wait_returns_false) {
  rate_budget b(config());
  b.observe(800, 0, t0 + 60);
  std::atomic<bool> cancel{false};
  auto waiting = turn(b, work_class::interactive, [&] { return cancel.load(); });
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::interactive) == 1; }));
  cancel = true;
  auto cancelled_at = std::chrono::steady_clock::now();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(waiting.get());
  // Polled every 50 ms; generous for a busy machine.
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, 2s);
  // Already cancelled: no wait at all.
  EXPECT_FALSE(b.wait_turn(work_class::bulk, [] { return true; }));
}

TEST_F(rate_budget_test, a_wait_is_capped_by_max_wait) {
  auto cfg = config();
  cfg.max_wait = 5s;
  rate_budget b(cfg);
  b.observe(800, 0, t0 + 3600);  // a reset an hour away (a skewed clock, say)
  auto waiting = turn(b, work_class::bulk);
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 1; }));
  advance(4s);
  EXPECT_FALSE(ready(waiting));
  advance(1s);
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(waiting.get());  // goes ahead: its answer tells the truth
  // The far-off reset is forgotten: later calls do not wait as long again.
  EXPECT_EQ(b.snapshot().remaining, -1);
  EXPECT_TRUE(b.wait_turn(work_class::bulk, {}));
  EXPECT_EQ(waits(b, work_class::bulk), 1);
}

TEST_F(rate_budget_test, a_429_empties_the_bucket_until_its_reset) {
  rate_budget b(config());
  b.observe(800, 500, t0 + 60);
  b.note_429(t0 + 2);
  b.observe(800, 499, t0 + 60);  // an answer that was already under way: ignored
  auto s = b.snapshot();
  EXPECT_EQ(s.remaining, 0);
  EXPECT_EQ(s.reset_unix_s, t0 + 2);
  EXPECT_EQ(s.rate_limited, 1);
  EXPECT_EQ(b.until_reset(), 3s);  // 2.5 s, rounded up
  auto waiting = turn(b, work_class::interactive);
  ASSERT_TRUE(eventually([&] { return waits(b, work_class::interactive) == 1; }));
  advance(2500ms);
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(waiting.get());
  b.observe(800, 790, t0 + 62);  // past the reset, answers count again
  EXPECT_EQ(b.snapshot().remaining, 790);
}

TEST_F(rate_budget_test, an_answer_without_a_usable_reset_makes_nobody_wait) {
  rate_budget b(config());
  b.observe(800, 0, 0);
  EXPECT_TRUE(b.wait_turn(work_class::bulk, {}));
  EXPECT_EQ(waits(b, work_class::bulk), 0);
}

TEST_F(rate_budget_test, a_429_without_a_reset_waits_a_second) {
  rate_budget b(config());
  b.note_429(0);
  EXPECT_EQ(b.snapshot().reset_unix_s, t0 + 1);
}

TEST_F(rate_budget_test, a_needed_wait_is_logged_once_per_reset) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto log = log_for("twitch");
  log->sinks().push_back(sink);
  {
    rate_budget b(config());
    b.observe(800, 10, t0 + 5);
    std::vector<std::future<bool>> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(turn(b, work_class::bulk));
    ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 3; }));
    advance(6s);
    for (auto& w : workers) EXPECT_TRUE(w.get());
    b.observe(800, 10, t0 + 65);  // the next window: its wait is logged again
    auto again = turn(b, work_class::bulk);
    ASSERT_TRUE(eventually([&] { return waits(b, work_class::bulk) == 4; }));
    advance(60s);
    EXPECT_TRUE(again.get());
  }
  log->sinks().pop_back();
  std::string text = out.str();
  size_t lines = 0;
  for (size_t at = 0;
       (at = text.find("rate limit nearly spent", at)) != std::string::npos; ++at)
    ++lines;
  EXPECT_EQ(lines, 2u) << text;
}

}  // namespace
}  // namespace eventsubd::twitch

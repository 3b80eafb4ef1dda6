// The streamer actor decides by stream identity (issue 13): a new stream id applies
// whatever its timestamps, an ended stream never comes back from a late online, polling
// corrects a wrong late offline after Helix's lag window and never flips back on that
// lag. Every scenario runs twice: straight through, and with the storage and the
// streamer actors restarted from the durable backend before its last step.
#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/stream_watcher.hpp"
#include "actors/streamer_supervisor.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/actors/fake_helix_actor.hpp"

#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class stream_identity_test : public ::testing::TestWithParam<bool> {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<flaky_backend> backend = std::make_shared<flaky_backend>();
  std::shared_ptr<fake_helix_state> helix = std::make_shared<fake_helix_state>();
  twitch_actor twitch = sys.spawn(fake_helix, helix);
  stream_watcher_actor watcher =
      sys.spawn(stream_watcher_fn, twitch, stream_watcher_config{});
  event_bus_actor bus = sys.spawn(event_bus_fn);
  storage_actor storage;
  streamer_supervisor_actor supervisor;
  streamer_tuning tuning;

  bool restart_between() const { return GetParam(); }

  void start() {
    storage = spawn_loaded_storage(sys, std::shared_ptr<storage::backend>(backend));
    supervisor = sys.spawn(streamer_supervisor_fn, storage, bus, watcher, tuning);
  }
  /// Everything the process held is gone; only the backend remains (as with Redis).
  void restart() {
    stop();
    start();
  }
  /// The restart of the parameterised run, before a scenario's last step.
  void maybe_restart() {
    if (restart_between()) restart();
  }
  void stop() {
    for (auto h : {caf::actor_cast<caf::actor>(supervisor),
                   caf::actor_cast<caf::actor>(storage)}) {
      caf::scoped_actor self{sys};
      self->monitor(h);
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
      self->receive([](const caf::down_msg&) {});
    }
  }
  ~stream_identity_test() override {
    stop();
    for (auto h : {caf::actor_cast<caf::actor>(twitch), caf::actor_cast<caf::actor>(bus),
                   caf::actor_cast<caf::actor>(watcher)})
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  }

  std::string observe(const stream_report& r) {
    captured_reply reply;
    caf::anon_send(supervisor, observe_atom::value, r, reply.channel());
    auto result = reply.get();
    return result.ok() ? *result.body : result.detail;
  }
  void poll(const twitch::twitch_stream& s) {
    auto p = poll_report::about(s.user_id, "beta", "beta");
    p.live = true;
    p.stream_id = s.id;
    p.started_at = s.started_at;
    p.stream_raw = s.raw;
    caf::anon_send(supervisor, poll_atom::value, p);
  }
  /// A round trip through the streamer actor: what was sent before has been handled.
  void settle() { observe(offline_report("2", "beta", now() - 24h)); }
  bool live() {
    std::vector<stream_status> all;
    all = backend->load_statuses().value();
    return !all.empty() && all.front().is_live;
  }
  size_t events() {
    std::vector<event_record> out;
    out = backend->load_events(100).value();
    return out.size();
  }
  void list_on_helix(const twitch::twitch_stream& s) {
    std::lock_guard<std::mutex> g{helix->mutex};
    helix->live[s.user_id] = s;
  }
};

constexpr const char* success = R"({"status":"success"})";
constexpr const char* outdated = R"({"status":"outdated"})";

TEST_P(stream_identity_test, a_new_stream_that_started_before_the_offline_applies) {
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(observe(online_report("2", "beta", "111", t0)), success);
  ASSERT_EQ(observe(offline_report("2", "beta", t0 + 60s)), success);
  maybe_restart();
  auto next = online_report("2", "beta", "222", t0 + 59s);
  next.sent_at = t0 + 61s;
  EXPECT_EQ(observe(next), success);
  EXPECT_TRUE(live());
  // Its polls are metadata, not outdated reports.
  poll(helix_stream("2", "222", "Chess", t0 + 59s));
  settle();
  EXPECT_TRUE(live());
  EXPECT_EQ(events(), 3u);
}

TEST_P(stream_identity_test, a_retried_online_of_an_ended_stream_never_flips_back) {
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(observe(online_report("2", "beta", "111", t0)), success);
  ASSERT_EQ(observe(offline_report("2", "beta", t0 + 60s)), success);
  maybe_restart();
  auto retried = online_report("2", "beta", "111", t0);
  retried.message_id = "retry-of-111";
  EXPECT_EQ(observe(retried), outdated);
  EXPECT_FALSE(live());
  EXPECT_EQ(events(), 2u);
}

TEST_P(stream_identity_test, get_streams_lag_after_an_offline_never_flips_back) {
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(observe(online_report("2", "beta", "111", t0)), success);
  ASSERT_EQ(observe(offline_report("2", "beta", now())), success);
  maybe_restart();
  auto lagging = helix_stream("2", "111", "Chess", t0);
  list_on_helix(lagging);
  for (int i = 0; i < 3; ++i) poll(lagging);
  settle();
  EXPECT_FALSE(live());
  EXPECT_EQ(events(), 2u);
}

TEST_P(stream_identity_test,
       a_late_offline_after_the_next_online_is_corrected_by_polling) {
  tuning.lag_window = 1s;  // Helix's lag window, short for the test
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(observe(online_report("2", "beta", "111", t0)), success);
  auto next = online_report("2", "beta", "222", t0 + 60s);
  ASSERT_EQ(observe(next), success);
  // 111's offline, sent late (after 222's online): it ends 222, the current stream.
  ASSERT_EQ(observe(offline_report("2", "beta", now())), success);
  EXPECT_FALSE(live());
  maybe_restart();
  // Get Streams lists 222: within the lag window that could be lag, so it is asked again
  // once the window is over, and then it is live again.
  auto s222 = helix_stream("2", "222", "Chess", t0 + 60s);
  list_on_helix(s222);
  poll(s222);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!live() && std::chrono::steady_clock::now() < deadline) settle();
  EXPECT_TRUE(live());
  std::vector<event_record> evs;
  evs = backend->load_events(100).value();
  ASSERT_EQ(evs.size(), 4u);
  EXPECT_EQ(evs.front().event_type, "stream.online");
  EXPECT_EQ(evs.front().source, "polling");
}

INSTANTIATE_TEST_SUITE_P(restart, stream_identity_test, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "with_restart" : "straight";
                         });

}  // namespace
}  // namespace eventsubd::testing

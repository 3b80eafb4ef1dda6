// The stream watcher through the real scheduler and Helix worker to the fake Twitch:
// how many Get Streams calls a burst costs, at most 100 ids each.
#include "actors/helix_worker.hpp"
#include "actors/stream_watcher.hpp"
#include "actors/twitch_scheduler.hpp"
#include "tests/actors/recording_streamer.hpp"
#include "tests/common/fake_twitch.hpp"
#include "twitch/app_token.hpp"
#include "twitch/base_url.hpp"
#include "twitch/rate_budget.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::testing {
namespace {

using strings = std::vector<std::string>;

/// The watcher over the real scheduler and a real Helix worker, against the fake Twitch
/// on loopback. Still on the test coordinator: the worker's blocking HTTP runs inside
/// `sched.run()`, so what reaches Twitch, and when, follows the actor clock.
class stream_watcher_helix_test : public ::testing::Test {
 protected:
  static caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  fake_twitch fake;
  std::shared_ptr<std::vector<watch_result>> results =
      std::make_shared<std::vector<watch_result>>();
  streamer_actor streamer = sys.spawn(recording_streamer, results);
  helix_worker_actor worker;
  twitch_actor scheduler;
  stream_watcher_actor watcher;

  void SetUp() override {
    helix_worker_config c;
    c.helix.client_id = fake.client_id();
    c.helix.client_secret = fake.client_secret();
    auto api = twitch::parse_base_url(fake.api_url());
    auto auth = twitch::parse_base_url(fake.auth_url());
    ASSERT_TRUE(api && auth);
    c.helix.api = *api;
    c.helix.auth = *auth;
    c.stopping = std::make_shared<std::atomic<bool>>(false);
    c.token = std::make_shared<twitch::app_token>();
    c.budget = std::make_shared<twitch::rate_budget>();
    c.work = twitch::work_class::bulk;
    worker = sys.spawn(helix_worker_fn, c);
    scheduler = sys.spawn(twitch_scheduler_fn, twitch_scheduler_config{},
                          std::vector<std::pair<twitch::work_class, helix_worker_actor>>{
                              {twitch::work_class::bulk, worker}});
    watcher = sys.spawn(stream_watcher_fn, scheduler, stream_watcher_config{});
    sched.run();
  }
  ~stream_watcher_helix_test() override {
    for (auto h :
         {caf::actor_cast<caf::actor>(watcher), caf::actor_cast<caf::actor>(scheduler),
          caf::actor_cast<caf::actor>(worker), caf::actor_cast<caf::actor>(streamer)})
      if (h) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// The Get Streams calls Twitch received.
  std::vector<recorded_request> streams_calls() const {
    std::vector<recorded_request> out;
    for (auto& r : fake.requests())
      if (r.path == "/helix/streams") out.push_back(r);
    return out;
  }
};

/// The values of `key` in a query string.
strings query_values(const std::string& query, const std::string& key) {
  strings out;
  size_t pos = 0;
  while (pos <= query.size()) {
    auto end = std::min(query.find('&', pos), query.size());
    auto term = query.substr(pos, end - pos);
    if (term.rfind(key + "=", 0) == 0) out.push_back(term.substr(key.size() + 1));
    pos = end + 1;
  }
  return out;
}

TEST_F(stream_watcher_helix_test, a_burst_of_250_go_lives_costs_3_get_streams_calls) {
  std::set<std::string> all;
  for (int i = 0; i < 250; ++i) {
    auto id = std::to_string(5000 + i);
    all.insert(id);
    fake.add_user({id, "user" + id, "User" + id});
    fake.set_live(
        {"s" + id, id, "user" + id, "User" + id, "1", "Game", "title", 0, "", {}});
  }
  auto t0 = sched.clock().now();
  for (const auto& id : all)
    caf::anon_send(watcher, watch_atom::value,
                   stream_watch{streamer, id, "s" + id, watch_purpose::metadata, t0,
                                t0 + std::chrono::minutes(2)});
  sched.run();
  EXPECT_TRUE(streams_calls().empty());  // collecting for the batch window
  sched.advance_time(std::chrono::milliseconds(250));
  sched.run();  // one round: the worker's calls are done when this returns

  auto calls = streams_calls();
  ASSERT_EQ(calls.size(), 3u);
  std::set<std::string> asked;
  for (const auto& c : calls) {
    EXPECT_EQ(c.status, 200) << c.query;
    auto ids = query_values(c.query, "user_id");
    EXPECT_LE(ids.size(), 100u);
    EXPECT_EQ(query_values(c.query, "first"), strings{"100"});
    asked.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(asked, all);
  ASSERT_EQ(results->size(), 250u);
  for (const auto& r : *results) {
    EXPECT_TRUE(r.listed) << r.stream_id;
    EXPECT_EQ(r.stream.id, r.stream_id);
  }
}

}  // namespace
}  // namespace eventsubd::testing

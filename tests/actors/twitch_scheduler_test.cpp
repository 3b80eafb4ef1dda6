// The Twitch scheduler over fake Helix workers, on CAF's deterministic test coordinator:
// which worker gets which work, in what order, and what is answered without a worker
// (dropped, refused, shutting down). The fake workers hold every reply until the test
// releases it, so "busy" is under the test's control.
#include "actors/twitch_scheduler.hpp"

#include "core/metrics.hpp"
#include "tests/actors/twitch_scheduler_fixture.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace eventsubd::testing::scheduler_tests {
namespace {

using namespace std::chrono_literals;

/// The value of one sample of the Prometheus exposition (0 when absent).
double metric(const std::string& sample) {
  std::istringstream in{metrics::render_prometheus({})};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size()));
  return 0;
}

double dropped(const std::string& reason) {
  return metric("eventsubd_twitch_work_dropped_total{reason=\"" + reason + "\"}");
}

TEST_F(twitch_scheduler_test, interactive_work_does_not_wait_behind_busy_bulk_or_lookup) {
  auto interactive = worker(work_class::interactive);
  auto lookup = worker(work_class::lookup);
  auto bulk = worker(work_class::bulk);
  start();
  // Every bulk and lookup worker busy, with more of their work queued.
  auto running_bulk = reconcile();
  auto queued_bulk = reconcile();
  auto running_lookup = users(ticket(work_class::lookup), "l1");
  auto queued_lookup = users(ticket(work_class::lookup), "l2");
  ASSERT_TRUE(bulk->busy());
  ASSERT_TRUE(lookup->busy());

  auto add = subscribe(work_class::interactive, "alice");
  // The add reached its worker at once, though older work of other classes waits.
  EXPECT_EQ(interactive->calls, strings{"subscribe:alice"});
  release(interactive);
  ASSERT_TRUE(add->value);
  EXPECT_EQ(add->value->username, "alice");
  EXPECT_FALSE(queued_bulk->answered());
  EXPECT_FALSE(queued_lookup->answered());
  EXPECT_EQ(bulk->calls, strings{"reconcile:0"});
  EXPECT_EQ(lookup->calls, strings{"users:l1"});
}

TEST_F(twitch_scheduler_test, interactive_work_goes_to_interactive_workers_only) {
  auto interactive = worker(work_class::interactive);
  auto lookup = worker(work_class::lookup);
  auto bulk = worker(work_class::bulk);
  start();
  auto first = subscribe(work_class::interactive, "alice");
  auto second = subscribe(work_class::interactive, "bob");
  // The second add waits for the interactive worker although the others are idle.
  EXPECT_EQ(interactive->calls, strings{"subscribe:alice"});
  EXPECT_TRUE(lookup->calls.empty());
  EXPECT_TRUE(bulk->calls.empty());
  EXPECT_FALSE(second->answered());
  release(interactive);
  EXPECT_EQ(interactive->calls, (strings{"subscribe:alice", "subscribe:bob"}));
  release(interactive);
  EXPECT_TRUE(first->value && second->value);
  EXPECT_TRUE(lookup->calls.empty());
  EXPECT_TRUE(bulk->calls.empty());
}

TEST_F(twitch_scheduler_test, work_of_one_class_runs_in_arrival_order) {
  auto interactive = worker(work_class::interactive);
  start();
  auto a = subscribe(work_class::interactive, "a");
  auto b = ask<caf::ok_atom>(unsub_atom::value, ticket(work_class::interactive),
                             streamer("b"));
  auto c = subscribe(work_class::interactive, "c");
  auto d = ask<caf::ok_atom>(unsub_atom::value, ticket(work_class::interactive),
                             strings{"sub-d"});
  for (int i = 0; i < 4; ++i) release(interactive);
  EXPECT_EQ(interactive->calls,
            (strings{"subscribe:a", "unsub:b", "subscribe:c", "unsub_ids:sub-d"}));
  EXPECT_TRUE(a->value && b->value && c->value && d->value);
}

TEST_F(twitch_scheduler_test,
       work_past_its_deadline_is_dropped_before_reaching_a_worker) {
  auto interactive = worker(work_class::interactive);
  start();
  auto before = dropped("deadline");
  auto running = subscribe(work_class::interactive, "alice");
  // Queued behind alice; its deadline has passed by the time the worker is free.
  auto late = ask<streamer_record>(
      subscribe_atom::value,
      twitch_ticket{work_class::interactive, std::chrono::steady_clock::now() - 1ms, {}},
      streamer("late"));
  auto next = subscribe(work_class::interactive, "carol");
  release(interactive);
  ASSERT_TRUE(late->error);
  EXPECT_EQ(late->as_query_result().code, errc::upstream_timeout);
  // The dropped request never reached the worker; the next live one did.
  EXPECT_EQ(interactive->calls, (strings{"subscribe:alice", "subscribe:carol"}));
  EXPECT_EQ(dropped("deadline"), before + 1);
  release(interactive);
  EXPECT_TRUE(next->value);
}

TEST_F(twitch_scheduler_test, abandoned_work_is_dropped_before_reaching_a_worker) {
  auto lookup = worker(work_class::lookup);
  start();
  auto before = dropped("abandoned");
  auto gone = std::make_shared<std::atomic<bool>>(false);
  auto running = users(ticket(work_class::lookup), "first");
  auto waiting = users(
      twitch_ticket::waited_for(work_class::lookup, 1h, [gone] { return gone->load(); }),
      "hung-up");
  gone->store(true);  // its client hangs up while it waits
  release(lookup);
  ASSERT_TRUE(waiting->error);
  EXPECT_EQ(waiting->as_query_result().code, errc::unavailable);
  EXPECT_EQ(lookup->calls, strings{"users:first"});
  EXPECT_EQ(dropped("abandoned"), before + 1);
}

TEST_F(twitch_scheduler_test, a_full_queue_answers_unavailable_with_retry_after) {
  auto interactive = worker(work_class::interactive);
  start({{2, 2, 2}, 7s, 3600s});
  auto before = dropped("queue_full");
  auto running = subscribe(work_class::interactive, "running");
  auto q1 = subscribe(work_class::interactive, "q1");
  auto q2 = subscribe(work_class::interactive, "q2");
  auto refused = subscribe(work_class::interactive, "refused");
  // Refused at once, while the worker is still busy.
  ASSERT_TRUE(refused->error);
  auto r = refused->as_query_result();
  EXPECT_EQ(r.code, errc::unavailable);
  EXPECT_GT(r.retry_after.count(), 0);
  EXPECT_EQ(r.retry_after, 7s);
  EXPECT_EQ(dropped("queue_full"), before + 1);
  EXPECT_FALSE(q1->answered());
  EXPECT_FALSE(q2->answered());
  for (int i = 0; i < 3; ++i) release(interactive);
  EXPECT_TRUE(q1->value && q2->value);
  EXPECT_EQ(interactive->calls,
            (strings{"subscribe:running", "subscribe:q1", "subscribe:q2"}));
}

TEST_F(twitch_scheduler_test, each_class_has_its_own_queue_limit) {
  auto interactive = worker(work_class::interactive);
  auto lookup = worker(work_class::lookup);
  auto bulk = worker(work_class::bulk);
  start({{1, 2, 3}, 5s, 3600s});
  // Every worker busy: what they run does not count against a limit.
  auto running_add = subscribe(work_class::interactive, "running");
  auto running_lookup = users(ticket(work_class::lookup), "running");
  auto running_bulk = reconcile();
  auto queued_add = subscribe(work_class::interactive, "queued");
  auto refused_add = subscribe(work_class::interactive, "refused");
  // A full interactive queue refuses no other class.
  std::vector<std::shared_ptr<answer<std::vector<twitch::twitch_user>>>> lookups;
  for (auto login : {"l1", "l2", "l3"})
    lookups.push_back(users(ticket(work_class::lookup), login));
  std::vector<std::shared_ptr<answer<reconcile_result>>> bulks;
  for (int i = 0; i < 4; ++i) bulks.push_back(reconcile());
  auto refused = [](const auto& a) {
    return a->error && a->as_query_result().code == errc::unavailable &&
           a->as_query_result().retry_after == 5s;
  };
  EXPECT_FALSE(queued_add->answered());
  EXPECT_TRUE(refused(refused_add));
  EXPECT_FALSE(lookups[0]->answered() || lookups[1]->answered());
  EXPECT_TRUE(refused(lookups[2]));
  EXPECT_FALSE(bulks[0]->answered() || bulks[1]->answered() || bulks[2]->answered());
  EXPECT_TRUE(refused(bulks[3]));
  // Room again once the worker takes the next request.
  release(interactive);
  EXPECT_TRUE(running_add->value);
  auto later_add = subscribe(work_class::interactive, "later");
  EXPECT_FALSE(later_add->answered());
  release(interactive);
  release(interactive);
  EXPECT_TRUE(queued_add->value && later_add->value);
  EXPECT_EQ(interactive->calls,
            (strings{"subscribe:running", "subscribe:queued", "subscribe:later"}));
}

TEST_F(twitch_scheduler_test, a_class_without_a_worker_is_refused) {
  auto interactive = worker(work_class::interactive);
  start();
  auto lookup = users(ticket(work_class::lookup), "alice");
  auto bulk = reconcile();
  ASSERT_TRUE(lookup->error);
  ASSERT_TRUE(bulk->error);
  EXPECT_EQ(lookup->as_query_result().code, errc::unavailable);
  EXPECT_EQ(bulk->as_query_result().code, errc::unavailable);
  EXPECT_TRUE(interactive->calls.empty());
}

TEST_F(twitch_scheduler_test, on_exit_every_queued_request_is_answered_at_once) {
  auto interactive = worker(work_class::interactive);
  auto bulk = worker(work_class::bulk);
  start();
  auto running_add = subscribe(work_class::interactive, "running");
  auto running_bulk = reconcile();
  std::vector<std::shared_ptr<answer<streamer_record>>> queued_adds;
  for (auto login : {"a", "b", "c"})
    queued_adds.push_back(subscribe(work_class::interactive, login));
  auto queued_bulk = reconcile();
  caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  sched.run();
  // Answered while both workers still hold their calls: nobody waits for them.
  for (auto& q : queued_adds) {
    ASSERT_TRUE(q->error);
    EXPECT_EQ(q->as_query_result().code, errc::unavailable);
  }
  ASSERT_TRUE(queued_bulk->error);
  EXPECT_EQ(queued_bulk->as_query_result().code, errc::unavailable);
  EXPECT_EQ(interactive->calls, strings{"subscribe:running"});
  EXPECT_EQ(bulk->calls, strings{"reconcile:0"});
}

TEST_F(twitch_scheduler_test, on_exit_work_a_worker_runs_is_answered_too) {
  auto interactive = worker(work_class::interactive);
  start();
  auto running = subscribe(work_class::interactive, "running");
  ASSERT_EQ(interactive->calls, strings{"subscribe:running"});
  caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  sched.run();
  // Answered although the worker still holds its call: the worker's answer would go to
  // an actor that is gone.
  ASSERT_TRUE(running->error);
  EXPECT_EQ(running->as_query_result().code, errc::unavailable);
  release(interactive);  // that answer comes too late and changes nothing
  EXPECT_FALSE(running->value);
  // What is sent after the exit is refused too (by CAF).
  auto late = subscribe(work_class::interactive, "late");
  ASSERT_TRUE(late->error);
  EXPECT_EQ(*late->error, caf::sec::request_receiver_down);
  EXPECT_EQ(interactive->calls, strings{"subscribe:running"});
}

TEST_F(twitch_scheduler_test, the_hourly_validate_goes_to_a_bulk_worker) {
  auto interactive = worker(work_class::interactive);
  auto lookup = worker(work_class::lookup);
  auto bulk = worker(work_class::bulk);
  start();  // default: validate 1 s after start, then every hour
  sched.advance_time(1s);
  sched.run();
  EXPECT_EQ(bulk->calls, strings{"validate"});
  release(bulk);
  sched.advance_time(3599s);
  sched.run();
  EXPECT_EQ(bulk->calls.size(), 1u);
  sched.advance_time(1s);
  sched.run();
  EXPECT_EQ(bulk->calls, (strings{"validate", "validate"}));
  EXPECT_TRUE(interactive->calls.empty());
  EXPECT_TRUE(lookup->calls.empty());
}

}  // namespace
}  // namespace eventsubd::testing::scheduler_tests

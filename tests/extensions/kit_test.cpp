// The extension kit: settings, the registry and host checks, storage reads, the Twitch
// handle and its budget, metrics.
#include "actors/errors.hpp"
#include "core/metrics.hpp"
#include "extensions/kit/registry.hpp"
#include "extensions/kit/testing.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <future>

namespace eventsubd::ext {
namespace {

using namespace std::chrono_literals;

/// Runs `call(self, done)` on a fresh actor; the answer `done` got (or a failure).
template <class T, class Call>
result<T> ask(caf::actor_system& sys, Call call) {
  auto answer = std::make_shared<std::promise<result<T>>>();
  auto future = answer->get_future();
  auto asker = sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
    call(self, [=](result<T> r) {
      answer->set_value(std::move(r));
      self->quit();
    });
    return {[](int) {}};
  });
  if (future.wait_for(5s) != std::future_status::ready) {
    caf::anon_send_exit(asker, caf::exit_reason::kill);
    return fail(errc::internal, "no answer within 5 s");
  }
  return future.get();
}

/// Stands in for the Twitch scheduler: answers Get Users with each login capitalised
/// and remembers the work class of the last ticket.
twitch_actor::behavior_type fake_scheduler(twitch_actor::pointer,
                                           std::shared_ptr<std::atomic<int>> last_class) {
  auto refuse = [](auto&&...) { return make_caf_error(errc::internal, "not faked"); };
  return {
      [=](caf::get_atom, users_atom, const twitch_ticket& t,
          const std::vector<std::string>& logins) -> std::vector<twitch_user> {
        last_class->store(static_cast<int>(t.cls));
        std::vector<twitch_user> users;
        for (const auto& l : logins)
          users.push_back(
              {"id-" + l, l, std::string(1, char(std::toupper(l[0]))) + l.substr(1)});
        return users;
      },
      [=](caf::get_atom, streams_atom, const twitch_ticket&,
          const std::vector<std::string>&) -> std::vector<twitch_stream> { return {}; },
      [=](subscribe_atom, const twitch_ticket&,
          const streamer_record&) -> caf::result<streamer_record> { return refuse(); },
      [=](unsub_atom, const twitch_ticket&,
          const streamer_record&) -> caf::result<caf::ok_atom> { return refuse(); },
      [=](unsub_atom, const twitch_ticket&, const std::vector<std::string>&)
          -> caf::result<caf::ok_atom> { return refuse(); },
      [=](reconcile_atom, const twitch_ticket&, const std::vector<streamer_record>&)
          -> caf::result<reconcile_result> { return refuse(); },
      [=](validate_atom) {},
  };
}

TEST(ext_settings, read_their_own_variables_and_name_them_in_errors) {
  settings s{"EXT_DEMO_",
             {{"NAME", " x "}, {"COUNT", "12"}, {"ON", "yes"}, {"BAD", "z"}}};
  EXPECT_EQ(s.text("NAME"), "x");
  EXPECT_EQ(s.text("MISSING", "fallback"), "fallback");
  EXPECT_EQ(*s.number("COUNT", 1, 20, 5), 12);
  EXPECT_EQ(*s.number("MISSING", 1, 20, 5), 5);
  EXPECT_EQ(s.number("COUNT", 1, 10, 5).error().detail,
            "EXT_DEMO_COUNT must be a whole number from 1 to 10, got '12'");
  EXPECT_TRUE(*s.flag("ON", false));
  EXPECT_NE(s.flag("BAD", false).error().detail.find("EXT_DEMO_BAD"), std::string::npos);
  EXPECT_EQ(s.variable("KEY"), "EXT_DEMO_KEY");
}

TEST(ext_registry, holds_the_shipped_and_the_test_only_extensions) {
  const auto& all = registered_extensions();
  auto has = [&](const std::string& name) {
    return extensions_problem(all, {name}).empty();
  };
  EXPECT_TRUE(has("go_live_logger"));
  EXPECT_TRUE(has("example"));
  EXPECT_EQ(extensions_problem(all, {"go_live_logger", "nope"}),
            "EXTENSIONS: unknown extension 'nope' (this build has: go_live_logger, "
            "hello, example)");
  auto help = extensions_help(all);
  EXPECT_NE(help.find("  go_live_logger\n      logs every go-live"), std::string::npos)
      << help;
}

TEST(ext_host, gives_each_extension_its_own_settings_and_checks_its_twitch_budget) {
  testing::test_host host;
  std::map<std::string, std::string> all{
      {"EXT_DEMO_A", "1"}, {"EXT_DEMO_TWO_B", "2"}, {"EXT_OTHER_C", "3"}};
  auto ctx =
      make_context("demo", all, host.services(), std::make_shared<started_actors>());
  ASSERT_TRUE(ctx.ok());
  // EXT_DEMO_TWO_B is demo's TWO_B as well as demo_two's B: names are prefixes.
  std::map<std::string, std::string> own{{"A", "1"}, {"TWO_B", "2"}};
  EXPECT_EQ(ctx->settings().all(), own);
  EXPECT_EQ(ctx->name(), "demo");
  EXPECT_FALSE(ctx->twitch().enabled());
  all["EXT_DEMO_TWITCH_PER_MINUTE"] = "0";
  auto bad =
      make_context("demo", all, host.services(), std::make_shared<started_actors>());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("EXT_DEMO_TWITCH_PER_MINUTE"), std::string::npos);
}

TEST(ext_storage_reader, reads_statuses_and_streamers_through_the_storage_actor) {
  testing::test_host host;
  host.put_streamer({"1001", "alpha", "Alpha", "", "", true});
  stream_status st;
  st.user_id = "1001";
  st.username = "alpha";
  st.is_live = true;
  host.put_status(st);
  storage_reader reader{host.services().storage};
  auto found = ask<stream_status>(
      host.system(), [&](auto* self, auto done) { reader.status(self, "alpha", done); });
  ASSERT_TRUE(found.ok()) << found.error().detail;
  EXPECT_TRUE(found->is_live);
  auto missing = ask<stream_status>(
      host.system(), [&](auto* self, auto done) { reader.status(self, "nobody", done); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::not_found);
  auto all = ask<std::vector<streamer_record>>(
      host.system(), [&](auto* self, auto done) { reader.streamers(self, done); });
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().username, "alpha");
}

TEST(ext_twitch_handle, without_twitch_every_call_is_unavailable) {
  testing::test_host host;
  twitch_handle none;
  auto r = ask<std::vector<twitch_user>>(
      host.system(), [&](auto* self, auto done) { none.users(self, {"alpha"}, done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, errc::unavailable);
}

TEST(ext_twitch_handle, goes_through_the_scheduler_in_the_chosen_queue_within_budget) {
  testing::test_host host;
  auto last_class = std::make_shared<std::atomic<int>>(-1);
  auto scheduler = host.system().spawn(fake_scheduler, last_class);
  // Stopped however the test ends: the host waits for every actor.
  std::shared_ptr<void> stop(nullptr, [&](void*) {
    caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  });
  twitch_handle handle{scheduler, std::make_shared<call_budget>(2)};
  auto call = [&](const twitch_handle& h) {
    return ask<std::vector<twitch_user>>(
        host.system(), [&](auto* self, auto done) { h.users(self, {"alpha"}, done); });
  };
  auto first = call(handle);
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first->front().display_name, "Alpha");
  EXPECT_EQ(*last_class, static_cast<int>(twitch::work_class::bulk));
  ASSERT_TRUE(call(handle.with(twitch_priority::someone_waiting)).ok());
  EXPECT_EQ(*last_class, static_cast<int>(twitch::work_class::lookup));
  auto spent = call(handle);  // a budget of 2 a minute
  ASSERT_FALSE(spent.ok());
  EXPECT_EQ(spent.error().code, errc::too_many_requests);
  EXPECT_GE(spent.error().retry_after.count(), 1);
}

TEST(ext_call_budget, refills_continuously_up_to_a_minutes_worth) {
  call_budget budget{60};
  EXPECT_EQ(budget.take(60).count(), 0);
  auto wait = budget.take(1);
  EXPECT_GE(wait.count(), 1);
  EXPECT_LE(wait.count(), 2);
  EXPECT_GE(budget.take(1000).count(), 59);  // more than it ever holds: a full minute
}

TEST(ext_metrics, are_named_after_the_extension_and_rendered_on_metrics) {
  metrics_registry m{"kit_test", nullptr};
  auto c = m.counter("things_total", "Things.", {{"kind", "a"}});
  c.add(2);
  m.counter("things_total", "Things.", {{"kind", "a"}}).add();  // the same series
  m.gauge("level", "Level.").set(-4);
  auto text = metrics::render_prometheus({});
  EXPECT_NE(text.find("# TYPE eventsubd_ext_kit_test_things_total counter\n"
                      "eventsubd_ext_kit_test_things_total{kind=\"a\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("eventsubd_ext_kit_test_level -4\n"), std::string::npos);
  auto inert = m.counter("bad-name", "Invalid.");
  inert.add();
  EXPECT_EQ(inert.value(), 0u);
  EXPECT_EQ(text.find("bad-name"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::ext
